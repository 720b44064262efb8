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
/// </code>
/// Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class CliApp
{
    /// <summary>The command modules of the shipped CLI. models, detect, process.</summary>
    public static IReadOnlyList<ICliCommandModule> DefaultModules { get; } = [new ModelsCommands(), new DetectCommand(), new ProcessCommand()];

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
