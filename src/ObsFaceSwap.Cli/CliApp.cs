using System.CommandLine;
using ObsFaceSwap.Models;

namespace ObsFaceSwap.Cli;

/// <summary>
/// The command line:
/// <code>
/// obs-faceswap [--manifest PATH] [--cache-dir PATH] models list
/// obs-faceswap models fetch ID [--accept-licence] [--from PATH]
/// obs-faceswap models import FOLDER
/// obs-faceswap models verify [ID]
/// obs-faceswap detect IMAGE [--json] [--model back-256|front-128] [--provider auto|cpu|cuda|tensorrt|directml|coreml]
/// obs-faceswap process --input IN --output OUT --mode pixelate|blur|solid [--intensity 10..100] [--shape ellipse|box]
///                      [--padding 0..100] [--detect-interval N] [--model ...] [--provider ...]
/// obs-faceswap process --input IN --output OUT --mode swap --identity IMAGE|FOLDER [--identity-name NAME|#N]
///                      [--face-mapping all|order|position|similarity] [--face-map TEXT] [--swapper-model ID|PATH]
///                      [--embedder-model ID|PATH] [--colour-correction 0..100] [--opacity 0..100] [mask and detector options]
/// OBS controller (docs/controller.md); each takes --url URL and --password-file PATH (or $OBS_WEBSOCKET_PASSWORD):
/// obs-faceswap record start|stop [--keep-mkv]|pause|resume|status [--json]
/// obs-faceswap record configure [--container mkv|mp4|mov|flv|fragmented-mp4] [--preset 1080p60|1080p30|720p60|720p30]
///                      [--filename-template T] [--split-minutes N|--split-mb N] [--crash-safe] [--backup-while-streaming] [--dry-run]
/// obs-faceswap record schedule --start TIME --stop TIME
/// obs-faceswap record prune --keep-gb N|--keep-days N [--dry-run]
/// obs-faceswap record remux FILE [--to mp4] [--keep-source]
/// obs-faceswap scenes apply FILE [--dry-run] | scenes switch NAME [--transition NAME --duration MS] | scenes list [--json]
/// obs-faceswap status [--watch [--interval MS] [--count N]] [--json]
/// obs-faceswap virtualcam start|stop
/// obs-faceswap stream start|stop [--target NAME]
/// obs-faceswap stream targets add NAME --platform twitch|youtube|facebook|tiktok|custom [--server URL] --key-file PATH|-
///                      [--encoder shared|WxH@FPS:KBPS] [--keyint S] [--no-auto-start]
/// obs-faceswap stream targets list [--json] | stream targets remove NAME
/// </code>
/// Exit codes: <see cref="ExitCodes"/> (20-25 for the OBS controller).
/// </summary>
public static class CliApp
{
    /// <summary>The command modules of the shipped CLI. models, detect, process; the OBS controller: record, scenes, status and virtualcam, stream.</summary>
    public static IReadOnlyList<ICliCommandModule> DefaultModules { get; } =
        [new ModelsCommands(), new DetectCommand(), new ProcessCommand(), new RecordCommands(), new ScenesCommands(), new StatusCommand(), new StreamCommands()];

    /// <summary>Builds the root command with <paramref name="modules"/> (default: <see cref="DefaultModules"/>).</summary>
    public static RootCommand Build(CliContext context, IEnumerable<ICliCommandModule>? modules = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = new RootCommand("obs-faceswap: face models and offline tools for the obs-faceswap OBS plugin.");
        var globals = new CliGlobalOptions(
            new Option<string?>("--manifest")
            {
                Description = "Models manifest to use instead of the built-in one (models/manifest.json).",
                HelpName = "PATH",
                Recursive = true,
            },
            new Option<string?>("--cache-dir")
            {
                Description = $"Model cache folder. Default: ${ModelCache.EnvironmentVariable}, else $XDG_CACHE_HOME/obs-faceswap/models or ~/.cache/obs-faceswap/models (Windows: %LOCALAPPDATA%\\obs-faceswap\\models).",
                HelpName = "PATH",
                Recursive = true,
            });
        root.Add(globals.Manifest);
        root.Add(globals.CacheDir);
        foreach (var module in modules ?? DefaultModules)
        {
            module.Register(root, globals, context);
        }

        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (bad command lines give <see cref="ExitCodes.Usage"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, IEnumerable<ICliCommandModule>? modules = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parse = Build(context, modules).Parse(args);
        var invocation = new InvocationConfiguration { Output = context.Output, Error = context.Error };
        var code = await parse.InvokeAsync(invocation).ConfigureAwait(false);
        return parse.Errors.Count > 0 ? ExitCodes.Usage : code;
    }
}
