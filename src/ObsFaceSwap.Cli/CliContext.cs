using System.CommandLine;
using ObsFaceSwap.Models;

namespace ObsFaceSwap.Cli;

/// <summary>What commands write to and create their services from; tests pass their own.</summary>
public sealed class CliContext
{
    /// <summary>Creates a context writing to <paramref name="output"/> (results) and <paramref name="error"/> (messages, progress).</summary>
    public CliContext(TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Output = output;
        Error = error;
    }

    /// <summary>Command results (tables, paths).</summary>
    public TextWriter Output { get; }

    /// <summary>Errors, notices and progress bars.</summary>
    public TextWriter Error { get; }

    /// <summary>True when <see cref="Error"/> is a terminal: progress redraws one line; otherwise it prints a line per 10 %.</summary>
    public bool InteractiveError { get; init; }

    /// <summary>HTTP client for downloads; null lets the model store create its own.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Allow http:// on loopback (tests only).</summary>
    public bool AllowHttpLoopback { get; init; }

    /// <summary>The cache folder when <c>--cache-dir</c> is not given; null for <see cref="ModelCache.DefaultDirectory()"/>.</summary>
    public string? DefaultCacheDirectory { get; init; }

    /// <summary>The context of the real process (console, stderr redirect detection).</summary>
    public static CliContext ForConsole() => new(Console.Out, Console.Error) { InteractiveError = !Console.IsErrorRedirected };
}

/// <summary>Options every command sees (declared on the root, recursive).</summary>
/// <param name="Manifest"><c>--manifest PATH</c>: a manifest file instead of the built-in one.</param>
/// <param name="CacheDir"><c>--cache-dir PATH</c>: the model cache folder.</param>
public sealed record CliGlobalOptions(Option<string?> Manifest, Option<string?> CacheDir)
{
    /// <summary>Loads the manifest (the <c>--manifest</c> file, else the built-in one) and opens the store.</summary>
    /// <exception cref="ManifestException">The manifest is invalid.</exception>
    public ModelStore OpenStore(ParseResult parse, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(context);
        var manifestPath = parse.GetValue(Manifest);
        var manifest = string.IsNullOrEmpty(manifestPath) ? ModelManifest.LoadEmbedded() : ModelManifest.Load(manifestPath);
        var cache = parse.GetValue(CacheDir);
        return new ModelStore(manifest, string.IsNullOrEmpty(cache) ? context.DefaultCacheDirectory : cache, context.HttpClient)
        {
            AllowHttpLoopback = context.AllowHttpLoopback,
        };
    }
}

/// <summary>
/// A group of commands. Extension point: <c>detect</c> and <c>process</c> are added by implementing this
/// and listing the module in <see cref="CliApp.DefaultModules"/>.
/// </summary>
public interface ICliCommandModule
{
    /// <summary>Adds this module's commands to <paramref name="root"/>.</summary>
    void Register(RootCommand root, CliGlobalOptions globals, CliContext context);
}
