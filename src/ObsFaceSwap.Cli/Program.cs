namespace ObsFaceSwap.Cli;

/// <summary>Entry point of obs-faceswap.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, CliContext.ForConsole());
}
