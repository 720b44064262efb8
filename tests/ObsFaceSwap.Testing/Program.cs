using System.CommandLine;
using ObsFaceSwap.Testing.Demo;

namespace ObsFaceSwap.Testing;

/// <summary>
/// <c>obs-faceswap-harness</c>: the end-to-end harness as a command line. <c>demo</c> is what
/// scripts/demo.sh runs (inside a private network namespace).
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder for recording.mkv, frame.png and OBS's logs.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(RepositoryLayout.Root, ".demo")),
        };
        var seconds = new Option<double>("--seconds")
        {
            Description = "How long to record.",
            DefaultValueFactory = _ => 5.0,
        };
        var demo = new Command("demo", "Headless OBS with the filter in diagnostic mode on the sample clip: record, extract a frame, print the counters.")
        {
            output,
            seconds,
        };
        demo.SetAction((parse, cancellationToken) => DemoCommand.RunAsync(
            new DemoOptions(parse.GetValue(output)!.FullName, TimeSpan.FromSeconds(parse.GetValue(seconds))),
            Console.Out,
            cancellationToken));

        var clip = new Command("clip", "Make (or find in the cache) the sample clip and print its path.");
        clip.SetAction(async (_, cancellationToken) =>
        {
            var made = await Media.TestClip.EnsureAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(made.Path).ConfigureAwait(false);
            return 0;
        });

        var root = new RootCommand("obs-faceswap end-to-end harness") { demo, clip };
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
