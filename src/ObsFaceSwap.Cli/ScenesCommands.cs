using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Controller;
using ObsFaceSwap.Controller.Scenes;

namespace ObsFaceSwap.Cli;

/// <summary><c>scenes apply FILE [--dry-run] | switch NAME [--transition NAME --duration MS] | list [--json]</c>.</summary>
public sealed class ScenesCommands : ICliCommandModule
{
    /// <inheritdoc />
    public void Register(RootCommand root, CliGlobalOptions globals, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(context);
        var connection = new ObsConnection();
        var scenes = new Command("scenes", "Apply a scene file (YAML) to OBS, switch and list scenes.");
        connection.AddTo(scenes);

        var file = new Argument<string>("FILE") { Description = "Scene file (YAML; see docs/controller.md)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the changes without making them." };
        var apply = new Command("apply", "Make OBS match a scene file: creates what is missing and changes only what differs (a second apply changes nothing). Prints one line per change.");
        apply.Add(file);
        apply.Add(dryRun);
        // The file is parsed before connecting: a bad file is reported (file:line) without OBS and changes nothing.
        apply.SetAction(async (parse, ct) =>
        {
            SceneFile? scene = null;
            var code = await ObsConnection.RunOfflineAsync(context, _ =>
            {
                scene = SceneFileParser.Load(parse.GetValue(file)!);
                return Task.FromResult(ExitCodes.Ok);
            }, ct).ConfigureAwait(false);
            return code != ExitCodes.Ok
                ? code
                : await connection.RunAsync(parse, context, (obs, token) => ApplyAsync(obs, scene!, parse.GetValue(dryRun), context, token), ct).ConfigureAwait(false);
        });
        scenes.Add(apply);

        var name = new Argument<string>("NAME") { Description = "The scene to put on program." };
        var transition = new Option<string?>("--transition") { Description = "Make this transition current first (it stays current).", HelpName = "NAME" };
        var duration = new Option<int?>("--duration") { Description = "Transition duration, 50..20000 ms (stays set).", HelpName = "MS" };
        var switchCommand = new Command("switch", "Switch the program scene.");
        switchCommand.Add(name);
        switchCommand.Add(transition);
        switchCommand.Add(duration);
        switchCommand.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            if (parse.GetValue(duration) is { } ms && ms is < 50 or > 20000)
            {
                throw new ArgumentException("--duration must be within 50..20000 ms");
            }

            if (parse.GetValue(transition) is { } t)
            {
                await obs.RequestAsync("SetCurrentSceneTransition", new JsonObject { ["transitionName"] = t }, token).ConfigureAwait(false);
            }

            if (parse.GetValue(duration) is { } d)
            {
                await obs.RequestAsync("SetCurrentSceneTransitionDuration", new JsonObject { ["transitionDuration"] = d }, token).ConfigureAwait(false);
            }

            await obs.RequestAsync("SetCurrentProgramScene", new JsonObject { ["sceneName"] = parse.GetValue(name) }, token).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"program scene: {parse.GetValue(name)}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        scenes.Add(switchCommand);

        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var list = new Command("list", "List the scenes (as OBS shows them, top first); * marks the program scene.");
        list.Add(json);
        list.SetAction((parse, ct) => connection.RunAsync(parse, context, async (obs, token) =>
        {
            var answer = await obs.RequestAsync("GetSceneList", null, token).ConfigureAwait(false);
            var program = answer.TryGetProperty("currentProgramSceneName", out var p) ? p.GetString() : null;
            // obs-websocket lists scenes bottom first (sceneIndex 0); OBS's dock shows the highest index on top.
            var names = answer.GetProperty("scenes").EnumerateArray()
                .OrderByDescending(s => s.GetProperty("sceneIndex").GetInt32())
                .Select(s => s.GetProperty("sceneName").GetString() ?? "")
                .ToList();
            if (parse.GetValue(json))
            {
                var doc = new JsonObject { ["programScene"] = program, ["scenes"] = new JsonArray([.. names.Select(n => (JsonNode)n)]) };
                await context.Output.WriteLineAsync(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }
            else
            {
                foreach (var n in names)
                {
                    await context.Output.WriteLineAsync($"{(n == program ? "*" : " ")} {n}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Ok;
        }, ct));
        scenes.Add(list);
        root.Add(scenes);
    }

    private static async Task<int> ApplyAsync(IObsRequester obs, SceneFile scene, bool dryRun, CliContext context, CancellationToken cancellationToken)
    {
        var state = await ObsSceneStateReader.ReadAsync(obs, scene, cancellationToken).ConfigureAwait(false);
        var changes = SceneDiff.Compute(scene, state);
        foreach (var change in changes)
        {
            await context.Output.WriteLineAsync((dryRun ? "would " : "") + change).ConfigureAwait(false);
        }

        if (!dryRun)
        {
            await SceneDiff.ApplyAsync(obs, changes, cancellationToken).ConfigureAwait(false);
        }

        await context.Error.WriteLineAsync(changes.Count == 0
            ? "obs-faceswap: OBS already matches the scene file; no change"
            : $"obs-faceswap: {changes.Count} change(s){(dryRun ? " (dry run: none made)" : " applied")}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
