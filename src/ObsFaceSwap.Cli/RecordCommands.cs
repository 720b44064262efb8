using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Controller;
using ObsFaceSwap.Controller.Recording;
using ObsFaceSwap.Obs;

namespace ObsFaceSwap.Cli;

/// <summary>
/// <c>record start | stop | pause | resume | status | configure | schedule | prune | remux</c>: OBS's
/// recording over obs-websocket (see docs/controller.md).
/// </summary>
public sealed class RecordCommands : ICliCommandModule
{
    /// <inheritdoc />
    public void Register(RootCommand root, CliGlobalOptions globals, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(context);
        var connection = new ObsConnection();
        var record = new Command("record", "Control OBS's recording: start/stop/pause/resume, container and preset, crash-safe mode, schedule, retention.");
        connection.AddTo(record);

        var keepMkv = new Option<bool>("--keep-mkv") { Description = "Crash-safe mode: keep the mkv after the remuxed file verified." };
        var start = new Command("start", "Start recording.");
        start.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            await new RecordController(obs).StartAsync(token).ConfigureAwait(false);
            await context.Output.WriteLineAsync("recording started").ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        record.Add(start);

        var stop = new Command("stop", "Stop recording and wait until OBS has finished the file; in crash-safe mode remux the mkv and verify it with ffprobe. Prints the file.");
        stop.Add(keepMkv);
        stop.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var result = await new RecordController(obs).StopAsync(parse.GetValue(keepMkv), token).ConfigureAwait(false);
            await ReportStopAsync(result, context).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        record.Add(stop);

        var pause = new Command("pause", "Pause recording.");
        pause.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            await new RecordController(obs).PauseAsync(token).ConfigureAwait(false);
            await context.Output.WriteLineAsync("recording paused").ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        record.Add(pause);

        var resume = new Command("resume", "Resume a paused recording.");
        resume.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            await new RecordController(obs).ResumeAsync(token).ConfigureAwait(false);
            await context.Output.WriteLineAsync("recording resumed").ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        record.Add(resume);

        var statusJson = new Option<bool>("--json") { Description = "Print JSON." };
        var status = new Command("status", "Recording state, folder, output mode, container, crash-safe mode and file name template.");
        status.Add(statusJson);
        status.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var s = await new RecordController(obs).GetStateAsync(token).ConfigureAwait(false);
            await context.Output.WriteAsync(parse.GetValue(statusJson) ? FormatJson(s) : FormatText(s)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        record.Add(status);

        record.Add(ConfigureCommand(connection, context));
        record.Add(ScheduleCommand(connection, context));
        record.Add(PruneCommand(connection, context));
        record.Add(RemuxCommand(context));
        root.Add(record);
    }

    private static Command ConfigureCommand(ObsConnection connection, CliContext context)
    {
        var container = new Option<string?>("--container") { Description = "Container: mkv, mp4, mov, flv or fragmented-mp4. With --crash-safe: the container the mkv becomes after stop (default mp4).", HelpName = "FORMAT" };
        container.AcceptOnlyFromAmong("mkv", "mp4", "mov", "flv", "fragmented-mp4");
        var preset = new Option<string?>("--preset") { Description = "Output resolution, fps and video bitrate: 1080p60 (12000 kbps), 1080p30 (10000), 720p60 (7500), 720p30 (5000).", HelpName = "PRESET" };
        preset.AcceptOnlyFromAmong([.. RecordPreset.All.Select(p => p.Name)]);
        var template = new Option<string?>("--filename-template") { Description = "OBS file name template, e.g. '%CCYY-%MM-%DD %hh-%mm-%ss'.", HelpName = "TEMPLATE" };
        var splitMinutes = new Option<int?>("--split-minutes") { Description = "Start a new file every N minutes (OBS's Advanced output mode).", HelpName = "N" };
        var splitMb = new Option<int?>("--split-mb") { Description = "Start a new file every N MB (OBS's Advanced output mode).", HelpName = "N" };
        var crashSafe = new Option<bool>("--crash-safe") { Description = "Record mkv (readable after a crash) and remux it to --container (default mp4) on `record stop`, keeping the mkv until the new file verifies." };
        var noCrashSafe = new Option<bool>("--no-crash-safe") { Description = "Turn crash-safe mode off." };
        var backup = new Option<bool>("--backup-while-streaming") { Description = "`stream start` also starts a recording, `stream stop` stops it." };
        var noBackup = new Option<bool>("--no-backup-while-streaming") { Description = "Turn the backup recording off." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the profile parameters without setting them." };
        var configure = new Command("configure", "Set recording options in OBS's profile (SetProfileParameter, SetVideoSettings); they apply to the next recording.");
        foreach (var o in new Option[] { container, preset, template, splitMinutes, splitMb, crashSafe, noCrashSafe, backup, noBackup, dryRun })
        {
            configure.Add(o);
        }

        configure.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var config = new RecordConfiguration
            {
                Container = parse.GetValue(container) is { } c ? RecordContainers.Parse(c) : null,
                Preset = parse.GetValue(preset) is { } p ? RecordPreset.Get(p) : null,
                FilenameTemplate = parse.GetValue(template),
                SplitMinutes = parse.GetValue(splitMinutes),
                SplitMegabytes = parse.GetValue(splitMb),
                CrashSafe = Switch(parse.GetValue(crashSafe), parse.GetValue(noCrashSafe), "crash-safe"),
                BackupWhileStreaming = Switch(parse.GetValue(backup), parse.GetValue(noBackup), "backup-while-streaming"),
            };
            var plan = await new RecordController(obs).ConfigureAsync(config, parse.GetValue(dryRun), token).ConfigureAwait(false);
            var prefix = parse.GetValue(dryRun) ? "would set" : "set";
            if (plan.Video is { } v)
            {
                await context.Output.WriteLineAsync($"{prefix} video output {v.OutputWidth}x{v.OutputHeight} @ {v.FpsNumerator}/{v.FpsDenominator} fps").ConfigureAwait(false);
            }

            foreach (var write in plan.Writes)
            {
                await context.Output.WriteLineAsync($"{prefix} {write}").ConfigureAwait(false);
            }

            foreach (var note in plan.Notes)
            {
                await context.Error.WriteLineAsync($"obs-faceswap: note: {note}").ConfigureAwait(false);
            }

            if (plan.Writes.Count == 0 && plan.Video is null)
            {
                await context.Error.WriteLineAsync("obs-faceswap: nothing to configure (give --container, --preset, --filename-template, --split-minutes/--split-mb, --crash-safe or --backup-while-streaming)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            return ExitCodes.Ok;
        }, ct));
        return configure;
    }

    private static Command ScheduleCommand(ObsConnection connection, CliContext context)
    {
        var startAt = new Option<string>("--start") { Description = "When to start: now, +N[s|m|h], HH:mm[:ss] (next such time, local) or an ISO 8601 date-time.", HelpName = "TIME", Required = true };
        var stopAt = new Option<string>("--stop") { Description = "When to stop: +N[s|m|h] (after the start), HH:mm[:ss] (next such time after the start) or an ISO 8601 date-time.", HelpName = "TIME", Required = true };
        var schedule = new Command("schedule", "Record once, from --start to --stop, in the foreground (Ctrl+C stops the recording and exits). At most 24 h.");
        schedule.Add(startAt);
        schedule.Add(stopAt);
        schedule.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var plan = RecordSchedule.Parse(parse.GetValue(startAt)!, parse.GetValue(stopAt)!, DateTimeOffset.Now);
            await context.Error.WriteLineAsync(
                $"obs-faceswap: scheduled {plan.Start:yyyy-MM-dd HH:mm:ss} to {plan.Stop:yyyy-MM-dd HH:mm:ss} ({Length(plan.Stop - plan.Start)})").ConfigureAwait(false);
            var result = await RecordScheduler.RunAsync(
                new RecordController(obs), plan, TimeProvider.System, line => context.Error.WriteLine($"obs-faceswap: {line}"), token).ConfigureAwait(false);
            await ReportStopAsync(result, context).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        return schedule;
    }

    private static Command PruneCommand(ObsConnection connection, CliContext context)
    {
        var keepGb = new Option<double?>("--keep-gb") { Description = "Keep the newest recordings up to N GB in all; delete older ones.", HelpName = "N" };
        var keepDays = new Option<double?>("--keep-days") { Description = "Delete recordings older than N days.", HelpName = "N" };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted." };
        var prune = new Command("prune", "Delete old recordings in OBS's recording folder (GetRecordDirectory; must be on this machine). Never deletes the file being written nor any file written in the last 2 minutes.");
        prune.Add(keepGb);
        prune.Add(keepDays);
        prune.Add(dryRun);
        prune.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var gb = parse.GetValue(keepGb);
            var days = parse.GetValue(keepDays);
            if (gb is null && days is null)
            {
                throw new ArgumentException("give --keep-gb N or --keep-days N");
            }

            var (directory, files) = await new RecordController(obs).PruneAsync(
                gb is { } g ? (long)(g * 1e9) : null,
                days is { } d ? TimeSpan.FromDays(d) : null,
                parse.GetValue(dryRun),
                DateTimeOffset.UtcNow,
                token).ConfigureAwait(false);
            var verb = parse.GetValue(dryRun) ? "would delete" : "deleted";
            foreach (var f in files)
            {
                await context.Output.WriteLineAsync(FormattableString.Invariant($"{verb} {f.Path} ({f.Bytes / 1e6:0.0} MB, {f.LastWriteUtc.ToLocalTime():yyyy-MM-dd HH:mm})")).ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync(FormattableString.Invariant($"obs-faceswap: {directory}: {verb} {files.Count} file(s), {files.Sum(f => f.Bytes) / 1e9:0.00} GB")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        return prune;
    }

    private static Command RemuxCommand(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A recording (e.g. the mkv a crash left)." };
        var to = new Option<string>("--to") { Description = "Target container: mp4, mov, flv, fragmented-mp4 or mkv.", HelpName = "FORMAT", DefaultValueFactory = _ => "mp4" };
        to.AcceptOnlyFromAmong("mkv", "mp4", "mov", "flv", "fragmented-mp4");
        var keep = new Option<bool>("--keep-source") { Description = "Keep the source after the new file verified." };
        var remux = new Command("remux", "Remux a recording without re-encoding (ffmpeg -c copy), verify it with ffprobe, then delete the source. Needs no OBS.");
        remux.Add(file);
        remux.Add(to);
        remux.Add(keep);
        remux.SetAction((parse, ct) => ObsConnection.RunOfflineAsync(context, async token =>
        {
            var path = await Remuxer.RemuxAsync(parse.GetValue(file)!, RecordContainers.Parse(parse.GetValue(to)!), parse.GetValue(keep), token).ConfigureAwait(false);
            await context.Output.WriteLineAsync(path).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        return remux;
    }

    private static string Length(TimeSpan span) =>
        span.TotalMinutes >= 1 ? FormattableString.Invariant($"{span.TotalMinutes:0.#} min") : FormattableString.Invariant($"{span.TotalSeconds:0} s");

    private static bool? Switch(bool on, bool off, string name) =>
        on && off ? throw new ArgumentException($"--{name} and --no-{name} contradict each other") : on ? true : off ? false : null;

    private static async Task ReportStopAsync(RecordStopResult result, CliContext context)
    {
        if (result.RemuxedPath is { } remuxed)
        {
            await context.Error.WriteLineAsync($"obs-faceswap: crash-safe: remuxed {result.Path} and verified it with ffprobe").ConfigureAwait(false);
            await context.Output.WriteLineAsync(remuxed).ConfigureAwait(false);
            return;
        }

        if (result.Note is { } note)
        {
            await context.Error.WriteLineAsync($"obs-faceswap: note: {note}").ConfigureAwait(false);
        }

        await context.Output.WriteLineAsync(result.Path).ConfigureAwait(false);
    }

    internal static string FormatJson(RecordState s) => new JsonObject
    {
        ["active"] = s.Active,
        ["paused"] = s.Paused,
        ["timecode"] = s.Timecode,
        ["bytes"] = s.Bytes,
        ["directory"] = s.Directory,
        ["outputMode"] = s.OutputMode,
        ["format"] = s.Format,
        ["crashSafeRemuxTo"] = s.CrashSafe,
        ["filenameTemplate"] = s.FilenameTemplate,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    internal static string FormatText(RecordState s) => string.Join('\n',
        $"state      {(s.Active ? (s.Paused ? "paused" : "recording") : "stopped")}{(s.Active ? $" {s.Timecode}, {(s.Bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture)} MB" : "")}",
        $"folder     {s.Directory}",
        $"mode       {s.OutputMode}",
        $"format     {s.Format}",
        $"crash-safe {(s.CrashSafe is { } to ? $"on (mkv, remuxed to {to})" : "off")}",
        $"file names {s.FilenameTemplate}") + "\n";
}
