using System.CommandLine;
using ObsFaceSwap.Host.Cli;

namespace ObsFaceSwap.Host;

/// <summary>Entry point of obs-faceswap-host.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = HostCommandLine.Build(Console.Out, Console.Error);
        var parse = root.Parse(args);

        // The generic host's console lifetime handles SIGINT/SIGTERM for `run`; System.CommandLine must not.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        var code = await parse.InvokeAsync(invocation).ConfigureAwait(false);
        return parse.Errors.Count > 0 ? ExitCodes.Usage : code;
    }
}
