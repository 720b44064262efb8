using System.Globalization;

namespace ObsFaceSwap.Controller.Recording;

/// <summary>What <c>record configure</c> asks for; null fields are left as they are.</summary>
public sealed record RecordConfiguration
{
    /// <summary>The container; with <see cref="CrashSafe"/> the container the mkv is remuxed to after stop.</summary>
    public RecordContainer? Container { get; init; }

    /// <summary>Resolution, frame rate and bitrate.</summary>
    public RecordPreset? Preset { get; init; }

    /// <summary>OBS's file name template, e.g. <c>%CCYY-%MM-%DD %hh-%mm-%ss</c>.</summary>
    public string? FilenameTemplate { get; init; }

    /// <summary>Split the file every N minutes (Advanced output mode).</summary>
    public int? SplitMinutes { get; init; }

    /// <summary>Split the file every N MB (Advanced output mode).</summary>
    public int? SplitMegabytes { get; init; }

    /// <summary>Record in mkv (survives a crash) and remux to <see cref="Container"/> (default mp4) after <c>record stop</c>.</summary>
    public bool? CrashSafe { get; init; }

    /// <summary>Start a backup recording when <c>obs-faceswap stream start</c> starts the stream, stop it with <c>stream stop</c>.</summary>
    public bool? BackupWhileStreaming { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the options contradict each other or are out of range.</summary>
    public void Validate()
    {
        if (SplitMinutes is not null && SplitMegabytes is not null)
        {
            throw new ArgumentException("give --split-minutes or --split-mb, not both");
        }

        if (SplitMinutes is < 1 or > 10080)
        {
            throw new ArgumentException("--split-minutes must be within 1..10080");
        }

        if (SplitMegabytes is < 1 or > 1_048_576)
        {
            throw new ArgumentException("--split-mb must be within 1..1048576");
        }

        if (FilenameTemplate is { } t && (t.Length == 0 || t.IndexOfAny(['/', '\\']) >= 0))
        {
            throw new ArgumentException("--filename-template must be non-empty and contain no path separator");
        }

        if (CrashSafe == true && Container == RecordContainer.Mkv)
        {
            throw new ArgumentException("--crash-safe records mkv and remuxes it; give the final container (mp4, mov, flv, fragmented-mp4) or leave --container out for mp4");
        }
    }
}

/// <summary>One profile parameter write (SetProfileParameter).</summary>
/// <param name="Category">The basic.ini section.</param>
/// <param name="Name">The key.</param>
/// <param name="Value">The value; null deletes the key.</param>
public sealed record ProfileWrite(string Category, string Name, string? Value)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Category}] {Name}={Value ?? "(removed)"}";
}

/// <summary>The requests a <see cref="RecordConfiguration"/> turns into for one OBS.</summary>
/// <param name="Writes">Profile parameters to set.</param>
/// <param name="Video">SetVideoSettings fields (output size, fps), or null.</param>
/// <param name="Notes">What the user should know (settings OBS 29 cannot take over obs-websocket).</param>
public sealed record RecordPlan(IReadOnlyList<ProfileWrite> Writes, VideoSettings? Video, IReadOnlyList<string> Notes);

/// <summary>SetVideoSettings's output fields.</summary>
/// <param name="OutputWidth">Output (scaled) width.</param>
/// <param name="OutputHeight">Output height.</param>
/// <param name="FpsNumerator">Frame rate numerator.</param>
/// <param name="FpsDenominator">Frame rate denominator.</param>
public sealed record VideoSettings(int OutputWidth, int OutputHeight, int FpsNumerator, int FpsDenominator);

/// <summary>
/// Turns a <see cref="RecordConfiguration"/> into profile parameters of OBS's basic.ini. OBS 29:
/// <c>[Output] Mode</c> is <c>Simple</c> or <c>Advanced</c>; Simple mode keeps <c>RecFormat</c>,
/// <c>MuxerCustom</c>, <c>VBitrate</c> in <c>[SimpleOutput]</c>; Advanced mode keeps <c>RecFormat</c>,
/// <c>RecMuxerCustom</c>, <c>RecSplitFile</c>, <c>RecSplitFileType</c> (Time|Size|Manual),
/// <c>RecSplitFileTime</c> (minutes), <c>RecSplitFileSize</c> (MB) in <c>[AdvOut]</c>;
/// <c>[Output] FilenameFormatting</c> is shared. OBS 30 renamed the format key to <c>RecFormat2</c> and
/// added <c>fragmented_mp4</c>. OBS reads these when a recording starts, so they apply to the next one.
/// Our own switches live in an <c>[ObsFaceSwap]</c> section of the same profile.
/// </summary>
public static class RecordPlanner
{
    /// <summary>The profile section of obs-faceswap's own recording switches.</summary>
    public const string Section = "ObsFaceSwap";

    /// <summary>Key: crash-safe mode on (<c>true</c>/<c>false</c>).</summary>
    public const string CrashSafeKey = "CrashSafe";

    /// <summary>Key: the container crash-safe recordings are remuxed to.</summary>
    public const string RemuxToKey = "CrashSafeRemuxTo";

    /// <summary>Key: start a backup recording with <c>stream start</c>.</summary>
    public const string BackupKey = "BackupWhileStreaming";

    /// <summary>Key: <c>stream start</c> started the current recording as a backup.</summary>
    public const string BackupActiveKey = "BackupRecordingActive";

    /// <summary>Plans the writes.</summary>
    /// <param name="config">What to set (validated here).</param>
    /// <param name="outputMode"><c>Simple</c> or <c>Advanced</c> (<c>[Output] Mode</c>).</param>
    /// <param name="obsMajorVersion">OBS's major version (29, 30 ...).</param>
    /// <param name="currentMuxerSettings">The current custom muxer settings (cleared when they are ours and the container changes).</param>
    /// <exception cref="ArgumentException">The configuration is invalid, or asks for something this output mode cannot do.</exception>
    public static RecordPlan Plan(RecordConfiguration config, string outputMode, int obsMajorVersion, string? currentMuxerSettings)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var advanced = string.Equals(outputMode, "Advanced", StringComparison.OrdinalIgnoreCase);
        var section = advanced ? "AdvOut" : "SimpleOutput";
        var muxerKey = advanced ? "RecMuxerCustom" : "MuxerCustom";
        var formatKey = obsMajorVersion >= 30 ? "RecFormat2" : "RecFormat";
        var writes = new List<ProfileWrite>();
        var notes = new List<string>();

        if (config.CrashSafe is { } crashSafe)
        {
            writes.Add(new ProfileWrite(Section, CrashSafeKey, crashSafe ? "true" : "false"));
            if (crashSafe)
            {
                writes.Add(new ProfileWrite(Section, RemuxToKey, (config.Container ?? RecordContainer.Mp4).Name()));
            }
        }

        // The container OBS writes: mkv in crash-safe mode, else the one asked for.
        var recordAs = config.CrashSafe == true ? RecordContainer.Mkv : config.Container;
        if (recordAs is { } container)
        {
            var ours = currentMuxerSettings == RecordContainers.FragmentedMp4MuxerSettings;
            switch (container)
            {
                case RecordContainer.FragmentedMp4 when obsMajorVersion >= 30:
                    writes.Add(new ProfileWrite(section, formatKey, "fragmented_mp4"));
                    break;
                case RecordContainer.FragmentedMp4:
                    writes.Add(new ProfileWrite(section, formatKey, "mp4"));
                    if (!string.IsNullOrEmpty(currentMuxerSettings) && !ours)
                    {
                        notes.Add($"replaced custom muxer settings '{currentMuxerSettings}' with '{RecordContainers.FragmentedMp4MuxerSettings}'");
                    }

                    writes.Add(new ProfileWrite(section, muxerKey, RecordContainers.FragmentedMp4MuxerSettings));
                    break;
                default:
                    writes.Add(new ProfileWrite(section, formatKey, container.Extension()));
                    if (ours)
                    {
                        writes.Add(new ProfileWrite(section, muxerKey, ""));
                    }

                    break;
            }
        }

        if (config.FilenameTemplate is { } template)
        {
            writes.Add(new ProfileWrite("Output", "FilenameFormatting", template));
        }

        if (config.SplitMinutes is not null || config.SplitMegabytes is not null)
        {
            if (!advanced)
            {
                throw new ArgumentException(
                    "file splitting needs OBS's Advanced output mode (OBS 29's Simple mode cannot split): "
                    + "switch Settings > Output > Output Mode to Advanced, then run record configure again");
            }

            writes.Add(new ProfileWrite("AdvOut", "RecSplitFile", "true"));
            if (config.SplitMinutes is { } minutes)
            {
                writes.Add(new ProfileWrite("AdvOut", "RecSplitFileType", "Time"));
                writes.Add(new ProfileWrite("AdvOut", "RecSplitFileTime", minutes.ToString(CultureInfo.InvariantCulture)));
            }
            else
            {
                writes.Add(new ProfileWrite("AdvOut", "RecSplitFileType", "Size"));
                writes.Add(new ProfileWrite("AdvOut", "RecSplitFileSize", config.SplitMegabytes!.Value.ToString(CultureInfo.InvariantCulture)));
            }
        }

        VideoSettings? video = null;
        if (config.Preset is { } preset)
        {
            video = new VideoSettings(preset.Width, preset.Height, preset.Fps, 1);
            if (advanced)
            {
                notes.Add($"Advanced output mode keeps the encoder bitrate in recordEncoder.json, which obs-websocket cannot set: set {preset.VideoBitrateKbps} kbps in Settings > Output > Recording");
            }
            else
            {
                writes.Add(new ProfileWrite("SimpleOutput", "VBitrate", preset.VideoBitrateKbps.ToString(CultureInfo.InvariantCulture)));
                notes.Add("Simple output mode: the bitrate is the stream encoder's, used by recordings whose quality is 'Same as stream'");
            }
        }

        if (config.BackupWhileStreaming is { } backup)
        {
            writes.Add(new ProfileWrite(Section, BackupKey, backup ? "true" : "false"));
            if (backup)
            {
                notes.Add("backup recordings start with `obs-faceswap stream start` (OBS 29's own 'record when streaming' is a global setting obs-websocket cannot reach)");
            }
        }

        return new RecordPlan(writes, video, notes);
    }
}
