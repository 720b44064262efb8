using System.Runtime.CompilerServices;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Video;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>What every end-to-end test shares: the clip (made once), options, logging.</summary>
internal static class E2eContext
{
    private static readonly Lazy<Task<(TestClip Clip, IReadOnlyList<VideoFrame> Frames)>> SharedClip = new(async () =>
    {
        var clip = await TestClip.EnsureAsync();
        return (clip, await clip.DecodeFramesAsync());
    });

    /// <summary>Warm-up left out of the shares (the media source and the pipeline settle).</summary>
    public const double WarmUpSeconds = 1.0;

    public static Task<(TestClip Clip, IReadOnlyList<VideoFrame> Frames)> ClipAsync() => SharedClip.Value;

    public static async Task<DiagnosticAnalyzer> AnalyzerAsync()
    {
        var (clip, frames) = await ClipAsync();
        return new DiagnosticAnalyzer(frames, clip.Spec);
    }

    public static HeadlessObsOptions Options(ITestOutputHelper output, bool module, string? hostPath = null, [CallerMemberName] string name = "") => new()
    {
        Name = name,
        LoadFaceSwapModule = module,
        HostPath = hostPath,
        Log = line => Log(output, line),
    };

    public static void Log(ITestOutputHelper output, string line)
    {
        try
        {
            output.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished (a late line from a background task).
        }
    }
}
