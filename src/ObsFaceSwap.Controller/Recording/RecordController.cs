using System.Globalization;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Controller.Recording;

/// <summary>The recording state (GetRecordStatus, GetRecordDirectory, the profile's recording settings).</summary>
/// <param name="Active">Recording.</param>
/// <param name="Paused">Paused.</param>
/// <param name="Timecode">Elapsed, <c>HH:MM:SS.mmm</c>.</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="Directory">The recording folder.</param>
/// <param name="OutputMode"><c>Simple</c> or <c>Advanced</c>.</param>
/// <param name="Format">The container OBS writes.</param>
/// <param name="CrashSafe">Crash-safe mode, and the container it remuxes to.</param>
/// <param name="FilenameTemplate">The file name template.</param>
public sealed record RecordState(bool Active, bool Paused, string Timecode, long Bytes, string Directory, string OutputMode, string Format, string? CrashSafe, string FilenameTemplate);

/// <summary>What <c>record stop</c> did.</summary>
/// <param name="Path">The file OBS wrote.</param>
/// <param name="RemuxedPath">The remuxed file in crash-safe mode, else null.</param>
/// <param name="Note">Why a crash-safe recording was not remuxed, if it was not.</param>
public sealed record RecordStopResult(string Path, string? RemuxedPath, string? Note);

/// <summary>Recording over obs-websocket: configure (profile parameters), start, stop (with the crash-safe remux), pause, resume, status, prune.</summary>
/// <param name="obs">Where to send requests.</param>
public sealed class RecordController(IObsRequester obs)
{
    /// <summary>How long <see cref="StopAsync"/> waits for OBS to finish the file.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads a profile parameter; null when unset.</summary>
    public async Task<string?> GetParameterAsync(string category, string name, CancellationToken cancellationToken = default)
    {
        var r = await obs.RequestAsync("GetProfileParameter", new JsonObject { ["parameterCategory"] = category, ["parameterName"] = name }, cancellationToken).ConfigureAwait(false);
        return r.TryGetProperty("parameterValue", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
    }

    /// <summary>Sets (or, with a null value, removes) a profile parameter.</summary>
    public Task SetParameterAsync(string category, string name, string? value, CancellationToken cancellationToken = default) =>
        obs.RequestAsync("SetProfileParameter", new JsonObject { ["parameterCategory"] = category, ["parameterName"] = name, ["parameterValue"] = value }, cancellationToken);

    /// <summary><c>[Output] Mode</c>: Simple or Advanced.</summary>
    public async Task<string> GetOutputModeAsync(CancellationToken cancellationToken = default) =>
        await GetParameterAsync("Output", "Mode", cancellationToken).ConfigureAwait(false) is { Length: > 0 } mode ? mode : "Simple";

    /// <summary>OBS's major version.</summary>
    public async Task<int> GetObsMajorVersionAsync(CancellationToken cancellationToken = default)
    {
        var v = await obs.RequestAsync("GetVersion", null, cancellationToken).ConfigureAwait(false);
        var text = v.Str("obsVersion");
        return int.TryParse(text.Split('.')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var major) ? major : 0;
    }

    /// <summary>Plans and writes the configuration; returns what was done.</summary>
    /// <exception cref="ArgumentException">The configuration is invalid for this OBS.</exception>
    public async Task<RecordPlan> ConfigureAsync(RecordConfiguration config, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var mode = await GetOutputModeAsync(cancellationToken).ConfigureAwait(false);
        var major = await GetObsMajorVersionAsync(cancellationToken).ConfigureAwait(false);
        var advanced = string.Equals(mode, "Advanced", StringComparison.OrdinalIgnoreCase);
        var muxer = await GetParameterAsync(advanced ? "AdvOut" : "SimpleOutput", advanced ? "RecMuxerCustom" : "MuxerCustom", cancellationToken).ConfigureAwait(false);
        var plan = RecordPlanner.Plan(config, mode, major, muxer);
        if (dryRun)
        {
            return plan;
        }

        var status = await obs.RequestAsync("GetRecordStatus", null, cancellationToken).ConfigureAwait(false);
        if (status.Bool("outputActive") && plan.Video is not null)
        {
            throw new ControllerException("OBS is recording: a preset changes the video settings, which OBS only allows while no output is active");
        }

        if (plan.Video is { } video)
        {
            await obs.RequestAsync("SetVideoSettings", new JsonObject
            {
                ["outputWidth"] = video.OutputWidth,
                ["outputHeight"] = video.OutputHeight,
                ["fpsNumerator"] = video.FpsNumerator,
                ["fpsDenominator"] = video.FpsDenominator,
            }, cancellationToken).ConfigureAwait(false);
        }

        foreach (var write in plan.Writes)
        {
            await SetParameterAsync(write.Category, write.Name, write.Value, cancellationToken).ConfigureAwait(false);
        }

        return plan;
    }

    /// <summary>StartRecord.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => obs.RequestAsync("StartRecord", null, cancellationToken);

    /// <summary>PauseRecord.</summary>
    public Task PauseAsync(CancellationToken cancellationToken = default) => obs.RequestAsync("PauseRecord", null, cancellationToken);

    /// <summary>ResumeRecord.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => obs.RequestAsync("ResumeRecord", null, cancellationToken);

    /// <summary>
    /// StopRecord, then waits until OBS has finished the file. In crash-safe mode remuxes the mkv
    /// (when the file is on this machine), verifies the result with ffprobe and then deletes the mkv
    /// unless <paramref name="keepSource"/>.
    /// </summary>
    /// <exception cref="RemuxException">The remux failed (the mkv is kept).</exception>
    public async Task<RecordStopResult> StopAsync(bool keepSource = false, CancellationToken cancellationToken = default)
    {
        var answer = await obs.RequestAsync("StopRecord", null, cancellationToken).ConfigureAwait(false);
        var path = answer.Str("outputPath");
        await WaitUntilStoppedAsync(cancellationToken).ConfigureAwait(false);
        if (await GetParameterAsync(RecordPlanner.Section, RecordPlanner.CrashSafeKey, cancellationToken).ConfigureAwait(false) != "true")
        {
            return new RecordStopResult(path, null, null);
        }

        if (!path.EndsWith(".mkv", StringComparison.OrdinalIgnoreCase))
        {
            return new RecordStopResult(path, null, $"crash-safe mode is on but OBS wrote {Path.GetExtension(path)}, not mkv; not remuxed");
        }

        if (!File.Exists(path))
        {
            return new RecordStopResult(path, null, $"{path} is not on this machine (OBS runs elsewhere?); remux it there with `obs-faceswap record remux`");
        }

        var target = await GetParameterAsync(RecordPlanner.Section, RecordPlanner.RemuxToKey, cancellationToken).ConfigureAwait(false);
        var container = RecordContainers.Parse(string.IsNullOrEmpty(target) ? "mp4" : target);

        // A split recording: OBS 29's StopRecord names the first part; the later parts are the
        // mkv files in the same folder closed after it (earlier recordings were closed before
        // this one's first part).
        var later = new List<string>();
        if (await GetParameterAsync("AdvOut", "RecSplitFile", cancellationToken).ConfigureAwait(false) == "true")
        {
            var firstClosed = File.GetLastWriteTimeUtc(path);
            later.AddRange(Directory.EnumerateFiles(Path.GetDirectoryName(Path.GetFullPath(path))!, "*.mkv")
                .Where(f => !string.Equals(Path.GetFullPath(f), Path.GetFullPath(path), StringComparison.Ordinal) && File.GetLastWriteTimeUtc(f) >= firstClosed)
                .Order(StringComparer.Ordinal));
        }

        var remuxed = await Remuxer.RemuxAsync(path, container, keepSource, cancellationToken).ConfigureAwait(false);
        var others = new List<string>();
        foreach (var part in later)
        {
            others.Add(await Remuxer.RemuxAsync(part, container, keepSource, cancellationToken).ConfigureAwait(false));
        }

        return new RecordStopResult(path, remuxed, others.Count == 0 ? null : $"split recording: {others.Count} more part(s) remuxed: {string.Join(", ", others)}");
    }

    /// <summary>The recording state and settings.</summary>
    public async Task<RecordState> GetStateAsync(CancellationToken cancellationToken = default)
    {
        var status = await obs.RequestAsync("GetRecordStatus", null, cancellationToken).ConfigureAwait(false);
        var directory = (await obs.RequestAsync("GetRecordDirectory", null, cancellationToken).ConfigureAwait(false)).Str("recordDirectory");
        var mode = await GetOutputModeAsync(cancellationToken).ConfigureAwait(false);
        var advanced = string.Equals(mode, "Advanced", StringComparison.OrdinalIgnoreCase);
        var major = await GetObsMajorVersionAsync(cancellationToken).ConfigureAwait(false);
        var section = advanced ? "AdvOut" : "SimpleOutput";
        var format = await GetParameterAsync(section, major >= 30 ? "RecFormat2" : "RecFormat", cancellationToken).ConfigureAwait(false) ?? "";
        var muxer = await GetParameterAsync(section, advanced ? "RecMuxerCustom" : "MuxerCustom", cancellationToken).ConfigureAwait(false);
        if (format == "mp4" && muxer == RecordContainers.FragmentedMp4MuxerSettings)
        {
            format = "fragmented-mp4";
        }

        var crashSafe = await GetParameterAsync(RecordPlanner.Section, RecordPlanner.CrashSafeKey, cancellationToken).ConfigureAwait(false) == "true"
            ? await GetParameterAsync(RecordPlanner.Section, RecordPlanner.RemuxToKey, cancellationToken).ConfigureAwait(false) ?? "mp4"
            : null;
        var template = await GetParameterAsync("Output", "FilenameFormatting", cancellationToken).ConfigureAwait(false) ?? "";
        return new RecordState(
            status.Bool("outputActive"),
            status.Bool("outputPaused"),
            status.Str("outputTimecode"),
            status.Int("outputBytes"),
            directory,
            mode,
            format,
            crashSafe,
            template);
    }

    /// <summary>Selects (and unless <paramref name="dryRun"/> deletes) old recordings in OBS's recording folder.</summary>
    /// <returns>The folder and the selected files.</returns>
    public async Task<(string Directory, IReadOnlyList<RecordingFile> Files)> PruneAsync(long? keepBytes, TimeSpan? keepAge, bool dryRun, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var directory = (await obs.RequestAsync("GetRecordDirectory", null, cancellationToken).ConfigureAwait(false)).Str("recordDirectory");
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"OBS's recording folder '{directory}' is not on this machine");
        }

        var recording = (await obs.RequestAsync("GetRecordStatus", null, cancellationToken).ConfigureAwait(false)).Bool("outputActive");
        var selected = RetentionPolicy.Select(RetentionPolicy.List(directory), keepBytes, keepAge, now, recording);
        if (!dryRun)
        {
            foreach (var file in selected)
            {
                File.Delete(file.Path);
            }
        }

        return (directory, selected);
    }

    private async Task WaitUntilStoppedAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StopTimeout;
        while (true)
        {
            var status = await obs.RequestAsync("GetRecordStatus", null, cancellationToken).ConfigureAwait(false);
            if (!status.Bool("outputActive"))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"OBS did not finish the recording within {StopTimeout.TotalSeconds:0} s of StopRecord");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether OBS is recording.</summary>
    public async Task<bool> IsRecordingAsync(CancellationToken cancellationToken = default) =>
        (await obs.RequestAsync("GetRecordStatus", null, cancellationToken).ConfigureAwait(false)).Bool("outputActive");
}
