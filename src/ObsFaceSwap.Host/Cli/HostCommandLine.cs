using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace ObsFaceSwap.Host.Cli;

/// <summary>
/// The command line:
/// <code>
/// obs-faceswap-host [run] [--endpoint PATH] [--idle-exit-seconds N] [--log-level L]
/// obs-faceswap-host stats [--endpoint PATH] [--json]
/// </code>
/// </summary>
internal static class HostCommandLine
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("obs-faceswap inference host: serves the OBS module's frame channels.");
        var rootOptions = AddRunOptions(root);
        root.SetAction((parse, ct) => RunCommand.RunAsync(Read(parse, rootOptions), error, ct));

        var run = new Command("run", "Serve the control endpoint (the default command).");
        var runOptions = AddRunOptions(run);
        run.SetAction((parse, ct) => RunCommand.RunAsync(Read(parse, runOptions), error, ct));
        root.Add(run);

        var stats = new Command("stats", "Ask the running host for its stats and print them.");
        var statsEndpoint = EndpointOption();
        var json = new Option<bool>("--json") { Description = "Print the host's JSON reply instead of a table." };
        stats.Add(statsEndpoint);
        stats.Add(json);
        stats.SetAction((parse, ct) => StatsCommand.RunAsync(parse.GetValue(statsEndpoint), parse.GetValue(json), output, error, ct));
        root.Add(stats);
        return root;
    }

    private static Option<string?> EndpointOption() => new("--endpoint")
    {
        Description = "Control endpoint: Unix socket path, or pipe name on Windows. Default: $OBS_FACESWAP_ENDPOINT, else $XDG_RUNTIME_DIR/obs-faceswap/control.sock, else /tmp/obs-faceswap-<uid>/control.sock (Windows: obs-faceswap-<user>).",
        HelpName = "PATH",
    };

    private static RunOptions AddRunOptions(Command command)
    {
        var endpoint = EndpointOption();
        var idle = new Option<int>("--idle-exit-seconds")
        {
            Description = "Exit after this many seconds without any connection (0 = never).",
            DefaultValueFactory = _ => 30,
            HelpName = "N",
        };
        idle.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--idle-exit-seconds must be 0 or more");
            }
        });
        var level = new Option<LogLevel>("--log-level")
        {
            Description = "Minimum log level: Trace, Debug, Information, Warning, Error, Critical, None.",
            DefaultValueFactory = _ => LogLevel.Information,
            HelpName = "L",
        };
        command.Add(endpoint);
        command.Add(idle);
        command.Add(level);
        return new RunOptions(endpoint, idle, level);
    }

    private static RunSettings Read(ParseResult parse, RunOptions options)
        => new(parse.GetValue(options.Endpoint), parse.GetValue(options.IdleExitSeconds), parse.GetValue(options.LogLevel));

    private sealed record RunOptions(Option<string?> Endpoint, Option<int> IdleExitSeconds, Option<LogLevel> LogLevel);
}

/// <summary>Settings of the <c>run</c> command.</summary>
/// <param name="Endpoint">--endpoint, or null for the default.</param>
/// <param name="IdleExitSeconds">--idle-exit-seconds.</param>
/// <param name="LogLevel">--log-level.</param>
internal sealed record RunSettings(string? Endpoint, int IdleExitSeconds, LogLevel LogLevel);
