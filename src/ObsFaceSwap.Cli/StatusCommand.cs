using System.CommandLine;
using System.Text.Json;
using ObsFaceSwap.Controller.Status;

namespace ObsFaceSwap.Cli;

/// <summary><c>status [--watch [--interval MS] [--count N]] [--json]</c>.</summary>
public sealed class StatusCommand : ICliCommandModule
{
    /// <inheritdoc />
    public void Register(RootCommand root, CliGlobalOptions globals, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(context);
        var connection = new ObsConnection();
        var watch = new Option<bool>("--watch") { Description = "Refresh until Ctrl+C (JSON: one object a line)." };
        var interval = new Option<int>("--interval") { Description = "Refresh interval with --watch, ms (250..60000).", HelpName = "MS", DefaultValueFactory = _ => 1000 };
        var count = new Option<int?>("--count") { Description = "With --watch: stop after N refreshes.", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print JSON: obs (fps, render/output skipped frames, CPU), programScene, stream, record, virtualCam, faceswap (the module's vendor GetStats), streamTargets, notes." };
        var status = new Command("status", "OBS's frame rate, skipped frames and CPU, stream/record/virtual camera state, the obs-faceswap filters' counters and the stream targets.");
        connection.AddTo(status);
        status.Add(watch);
        status.Add(interval);
        status.Add(count);
        status.Add(json);
        status.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var every = parse.GetValue(interval);
            if (every is < 250 or > 60000)
            {
                throw new ArgumentException("--interval must be within 250..60000 ms");
            }

            var limit = parse.GetValue(watch) ? parse.GetValue(count) ?? int.MaxValue : 1;
            for (var i = 0; i < limit; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(every, token).ConfigureAwait(false);
                }

                var s = await StatusReader.ReadAsync(obs, token).ConfigureAwait(false);
                var text = parse.GetValue(json)
                    ? s.ToJsonString(new JsonSerializerOptions { WriteIndented = !parse.GetValue(watch) }) + "\n"
                    : (parse.GetValue(watch) ? $"-- {DateTime.Now:HH:mm:ss}\n" : "") + StatusReader.Format(s);
                await context.Output.WriteAsync(text).ConfigureAwait(false);
                await context.Output.FlushAsync(token).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }, ct));
        root.Add(status);

        var virtualCam = new Command("virtualcam", "Start or stop OBS's virtual camera.");
        connection.AddTo(virtualCam);
        foreach (var (verb, request) in new[] { ("start", "StartVirtualCam"), ("stop", "StopVirtualCam") })
        {
            var command = new Command(verb, $"{request}.");
            command.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
            {
                await obs.RequestAsync(request, null, token).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"virtual camera {(verb == "start" ? "started" : "stopped")}").ConfigureAwait(false);
                return ExitCodes.Ok;
            }, ct));
            virtualCam.Add(command);
        }

        root.Add(virtualCam);
    }
}
