using System.CommandLine;
using ObsFaceSwap.Testing.Bench;
using ObsFaceSwap.Testing.Demo;

namespace ObsFaceSwap.Testing;

/// <summary>
/// <c>obs-faceswap-harness</c>: the end-to-end harness as a command line. <c>demo</c> is what
/// scripts/demo.sh runs, <c>render-bench</c> what scripts/bench-render.sh runs (both inside a
/// private network namespace).
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
        var mode = new Option<string>("--mode")
        {
            Description = "The filter's mode: privacy (faces masked), swap (faces swapped with synthetic stand-in models) or diagnostic (inverted centre).",
            DefaultValueFactory = _ => "privacy",
        };
        mode.AcceptOnlyFromAmong("privacy", "swap", "diagnostic");
        var demo = new Command("demo", "Headless OBS with the filter (privacy or diagnostic mode) on the sample clip: record, check the recording, extract a frame, print the counters.")
        {
            output,
            seconds,
            mode,
        };
        demo.SetAction((parse, cancellationToken) => DemoCommand.RunAsync(
            new DemoOptions(parse.GetValue(output)!.FullName, TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(mode)!),
            Console.Out,
            cancellationToken));

        var clip = new Command("clip", "Make (or find in the cache) the sample clip and print its path.");
        clip.SetAction(async (_, cancellationToken) =>
        {
            var made = await Media.TestClip.EnsureAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(made.Path).ConfigureAwait(false);
            return 0;
        });

        var benchOutput = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder for render-bench.json, render-bench.md and OBS's logs (obs/).",
            DefaultValueFactory = _ => new DirectoryInfo(RenderBenchCommand.DefaultOutputDirectory),
        };
        var phaseSeconds = new Option<double>("--seconds")
        {
            Description = "Measuring window of each phase, after a 2 s warm-up.",
            DefaultValueFactory = _ => 10.0,
        };
        var renderBench = new Command(
            "render-bench",
            "One headless OBS run, the sample clip: OBS's frame render time with no filter, then with the filter in mode diagnostic "
            + "(host running) and in mode off, with the filter's own render-callback time; writes render-bench.json and .md.")
        {
            benchOutput,
            phaseSeconds,
        };
        renderBench.SetAction((parse, cancellationToken) => RenderBenchCommand.RunAsync(
            new RenderBenchOptions(parse.GetValue(benchOutput)!.FullName, TimeSpan.FromSeconds(parse.GetValue(phaseSeconds))),
            Console.Out,
            cancellationToken));

        var streamOutput = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder for stream-bench.json, stream-bench.md, nginx's and OBS's logs.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(RenderBenchCommand.DefaultOutputDirectory, "stream")),
        };
        var streamSeconds = new Option<double>("--seconds")
        {
            Description = "Measuring window of each phase, after a 4 s warm-up.",
            DefaultValueFactory = _ => 10.0,
        };
        var streamBench = new Command(
            "stream-bench",
            "One headless OBS run and a local nginx-rtmp: OBS's CPU idle, streaming to one destination, and to four (main stream + three stream targets sharing its encoders).")
        {
            streamOutput,
            streamSeconds,
        };
        streamBench.SetAction((parse, cancellationToken) => StreamBenchCommand.RunAsync(
            new StreamBenchOptions(parse.GetValue(streamOutput)!.FullName, TimeSpan.FromSeconds(parse.GetValue(streamSeconds))),
            Console.Out,
            cancellationToken));

        var root = new RootCommand("obs-faceswap end-to-end harness") { demo, clip, renderBench, streamBench };
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
