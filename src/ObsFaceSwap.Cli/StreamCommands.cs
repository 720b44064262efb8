using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Controller.Streaming;

namespace ObsFaceSwap.Cli;

/// <summary>
/// <c>stream start|stop [--target NAME]</c> and <c>stream targets add|list|remove</c>: the main stream and
/// the obs-faceswap module's extra stream targets (vendor requests). Stream keys come from a file or stdin
/// and are never printed.
/// </summary>
public sealed class StreamCommands : ICliCommandModule
{
    /// <inheritdoc />
    public void Register(RootCommand root, CliGlobalOptions globals, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(context);
        var connection = new ObsConnection();
        var stream = new Command("stream", "Start and stop the main stream or a stream target; manage stream targets (multi-platform streaming).");
        connection.AddTo(stream);

        foreach (var verb in new[] { "start", "stop" })
        {
            var target = new Option<string?>("--target") { Description = "A stream target instead of the main stream.", HelpName = "NAME" };
            var command = new Command(verb, verb == "start"
                ? "Start the main stream (and the backup recording, if configured) or a stream target."
                : "Stop the main stream (and the backup recording it started) or a stream target.");
            command.Add(target);
            command.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
            {
                var controller = new StreamController(obs);
                var done = verb == "start"
                    ? await controller.StartAsync(parse.GetValue(target), token).ConfigureAwait(false)
                    : await controller.StopAsync(parse.GetValue(target), token).ConfigureAwait(false);
                await context.Output.WriteLineAsync(done).ConfigureAwait(false);
                return ExitCodes.Ok;
            }, ct));
            stream.Add(command);
        }

        var targets = new Command("targets", "Stream targets of the obs-faceswap module (each its own RTMP output).");
        targets.Add(AddCommand(connection, context));

        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var list = new Command("list", "List the stream targets (never their keys).");
        list.Add(json);
        list.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var answer = await new StreamController(obs).VendorAsync("ListStreamTargets", null, token).ConfigureAwait(false);
            var items = answer["targets"] as JsonArray ?? [];
            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(items.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }
            else
            {
                foreach (var t in items)
                {
                    var encoder = t?["encoder"] is JsonObject e ? $"{e["width"]}x{e["height"]}@{e["fps"]}:{e["bitrateKbps"]}" : "shared";
                    await context.Output.WriteLineAsync($"{t?["name"],-16} {t?["platform"],-9} {t?["state"],-10} {encoder,-20} {t?["server"]}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Ok;
        }, ct));
        targets.Add(list);

        var removeName = new Argument<string>("NAME") { Description = "The target." };
        var remove = new Command("remove", "Remove a stream target (RemoveStreamTarget).");
        remove.Add(removeName);
        remove.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            await new StreamController(obs).VendorAsync("RemoveStreamTarget", new JsonObject { ["name"] = parse.GetValue(removeName) }, token).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"removed stream target '{parse.GetValue(removeName)}'").ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        targets.Add(remove);
        stream.Add(targets);
        root.Add(stream);
    }

    private static Command AddCommand(ObsConnection connection, CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The target's name." };
        var platform = new Option<string>("--platform") { Description = "twitch, youtube, facebook, tiktok or custom.", HelpName = "PLATFORM", Required = true };
        platform.AcceptOnlyFromAmong([.. StreamTargetSpec.Platforms]);
        var server = new Option<string?>("--server") { Description = "Ingest URL (rtmp://, rtmps://, srt://); required for custom, else the platform's default.", HelpName = "URL" };
        var keyFile = new Option<string>("--key-file") { Description = "File holding the stream key ('-': read a line from stdin). The key never goes on the command line.", HelpName = "PATH", Required = true };
        var encoder = new Option<string>("--encoder") { Description = "'shared' (the main stream's encoder) or its own: WxH@FPS:KBPS, e.g. 1280x720@30:3000.", HelpName = "ENCODER", DefaultValueFactory = _ => "shared" };
        var keyint = new Option<int?>("--keyint") { Description = "Keyframe interval of its own encoder, seconds (default 2).", HelpName = "S" };
        var noAutoStart = new Option<bool>("--no-auto-start") { Description = "Do not start it with the main stream." };
        var add = new Command("add", "Add a stream target (AddStreamTarget).");
        foreach (var o in new Option[] { platform, server, keyFile, encoder, keyint, noAutoStart })
        {
            add.Add(o);
        }

        add.Add(name);
        add.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var spec = new StreamTargetSpec(
                parse.GetValue(name)!,
                parse.GetValue(platform)!,
                parse.GetValue(server),
                StreamTargetSpec.ReadSecret(parse.GetValue(keyFile)!, Console.In, "stream key"),
                TargetEncoder.Parse(parse.GetValue(encoder)!),
                parse.GetValue(keyint),
                !parse.GetValue(noAutoStart));
            var answer = await new StreamController(obs).VendorAsync("AddStreamTarget", spec.ToRequest(), token).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"added stream target '{spec.Name}' ({spec.Platform})").ConfigureAwait(false);
            if (answer["warning"] is JsonValue warning)
            {
                await context.Error.WriteLineAsync($"obs-faceswap: note: {warning}").ConfigureAwait(false);
            }
            return ExitCodes.Ok;
        }, ct));
        return add;
    }
}
