using System.Diagnostics;
using System.Text.Json;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Scenario;
using ObsFaceSwap.Testing.Video;

namespace ObsFaceSwap.Testing.Demo;

/// <summary>Options of the demo.</summary>
/// <param name="OutputDirectory">Where recording.mkv, frame.png and the OBS artifacts go.</param>
/// <param name="Duration">How long to record.</param>
/// <param name="Mode">The filter's mode: "privacy" (default: the faces are masked), "swap" (both faces swapped with Grace Hopper's identity by synthetic stand-ins of ArcFace and inswapper: the real models cannot be downloaded here) or "diagnostic" (the inverted centre).</param>
public sealed record DemoOptions(string OutputDirectory, TimeSpan Duration, string Mode = "privacy");

/// <summary>
/// The README's demo: a real headless OBS, the filter in privacy mode (or diagnostic mode) on
/// the sample clip, a recording checked frame by frame, one frame as PNG, and the counters of
/// the host and of the module.
/// </summary>
public static class DemoCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs the demo.</summary>
    /// <param name="options">The options.</param>
    /// <param name="console">Where to print.</param>
    /// <param name="cancellationToken">Cancels the demo (OBS is still stopped).</param>
    /// <returns>0 when frames flowed through the host and back; 1 otherwise.</returns>
    public static async Task<int> RunAsync(DemoOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        NetworkNamespace.EnsurePrivate();
        BuildOutputs.EnsureModuleBuilt();
        BuildOutputs.EnsureHostBuilt();
        Directory.CreateDirectory(options.OutputDirectory);

        void Say(string line) => console.WriteLine($"demo: {line}");
        var clip = await TestClip.EnsureAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var sample = Path.Combine(options.OutputDirectory, "sample-clip.mp4");
        File.Copy(clip.Path, sample, overwrite: true);
        Say($"sample clip {sample} ({clip.Spec.Width}x{clip.Spec.Height}, {clip.Spec.FrameCount} frames at {clip.Spec.Fps} fps, made from tests/fixtures/faces)");

        await using var obs = await HeadlessObs.StartAsync(new HeadlessObsOptions
        {
            Name = "demo",
            ArtifactDirectory = Path.Combine(options.OutputDirectory, "obs"),
            LoadFaceSwapModule = true,
            Log = Say,
        }, cancellationToken).ConfigureAwait(false);
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.All, cancellationToken).ConfigureAwait(false);
        var version = await client.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        Say($"OBS {version.ObsVersion}, obs-websocket {version.ObsWebSocketVersion}");

        var privacy = options.Mode == "privacy";
        using var swap = options.Mode == "swap" ? SwapScene.Create(FaceImages.GraceHopper) : null;
        if (swap is not null)
        {
            Say($"swap models (synthetic stand-ins with the real contracts) and identity folder in {swap.Directory}; identity tint {swap.Tints[0]}");
        }

        var settings = swap?.Settings() ?? (privacy ? PrivacyScene.Settings() : DiagnosticScene.DiagnosticSettings());
        await DiagnosticScene.SetUpAsync(client, clip, settings, cancellationToken).ConfigureAwait(false);
        Say($"scene '{DiagnosticScene.SceneName}': media source '{DiagnosticScene.InputName}' with filter '{DiagnosticScene.FilterName}' (mode {options.Mode})");
        await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken).ConfigureAwait(false);

        var clock = Stopwatch.StartNew();
        var recorded = await DiagnosticScene.RecordAsync(client, options.Duration, cancellationToken).ConfigureAwait(false);
        var recording = Path.Combine(options.OutputDirectory, "recording" + Path.GetExtension(recorded));
        File.Copy(recorded, recording, overwrite: true);
        Say($"recorded {clock.Elapsed.TotalSeconds:0.0} s to {recording}");

        var frame = Path.Combine(options.OutputDirectory, "frame.png");
        await FfmpegVideo.ExtractPngAsync(recording, Math.Min(3.0, options.Duration.TotalSeconds / 2), frame, cancellationToken).ConfigureAwait(false);
        Say($"frame {frame}");

        var vendor = await FaceSwapStats.GetVendorStatsAsync(client, cancellationToken).ConfigureAwait(false);
        Say("module statistics (CallVendorRequest obs-faceswap GetStats):");
        await console.WriteLineAsync(JsonSerializer.Serialize(vendor, Indented)).ConfigureAwait(false);
        var host = await FaceSwapStats.GetHostStatsAsync(obs.HostPath, obs.ControlEndpoint, cancellationToken).ConfigureAwait(false);
        Say($"host counters ({Path.GetFileName(obs.HostPath)} stats --endpoint {obs.ControlEndpoint} --json):");
        await console.WriteLineAsync(JsonSerializer.Serialize(host, Indented)).ConfigureAwait(false);

        var clipFrames = await clip.DecodeFramesAsync(cancellationToken).ConfigureAwait(false);
        var leaked = false;
        if (swap is not null)
        {
            var report = await new SwapAnalyzer(clipFrames, clip.Spec, swap.Tints).AnalyzeRecordingAsync(recording, cancellationToken).ConfigureAwait(false);
            await report.WriteJsonAsync(Path.Combine(options.OutputDirectory, "analysis.json")).ConfigureAwait(false);
            Say($"recording check: {report.Summary(fromSeconds: 1.0)}");
            Say($"frames showing a raw face: {report.RawFaceFrames} of {report.Frames.Count}; frames with both faces swapped from 1 s: {report.FractionSwappedWith(swap.Tints[0].Name, 1.0):P1}");
            leaked = report.RawFaceFrames > 0;
        }
        else if (privacy)
        {
            var report = await new PrivacyAnalyzer(clipFrames, clip.Spec).AnalyzeRecordingAsync(recording, cancellationToken).ConfigureAwait(false);
            await report.WriteJsonAsync(Path.Combine(options.OutputDirectory, "analysis.json")).ConfigureAwait(false);
            Say($"recording check: {report.Summary(fromSeconds: 1.0)}");
            foreach (var leak in report.Frames.Where(f => f.RawFace))
            {
                Say($"raw face in recorded frame {leak.Index} at {leak.TimeSeconds:0.000} s (barcode says clip frame {leak.ClipIndex}; best match: {leak.RawFaceName} of clip frame {leak.RawFaceClipIndex})");
            }
            Say($"frames showing a raw face: {report.RawFaceFrames} of {report.Frames.Count}; detect stage ran {PrivacyScene.StageCount(host, "detect")} times");
            leaked = report.RawFaceFrames > 0;
        }
        else
        {
            var report = await new DiagnosticAnalyzer(clipFrames, clip.Spec).AnalyzeRecordingAsync(recording, cancellationToken).ConfigureAwait(false);
            await report.WriteJsonAsync(Path.Combine(options.OutputDirectory, "analysis.json")).ConfigureAwait(false);
            Say("recording check: " + report.Summary(fromSeconds: 1.0));
        }

        var flowed = JsonCounters.Sum(host, "framesIn") > 0 && JsonCounters.Sum(host, "resultsOut") > 0;
        Say(flowed ? "frames flowed through the host and back" : "no frames reached the host and back");
        if (leaked)
        {
            Say("a raw face reached the recording");
        }

        return flowed && !leaked ? 0 : 1;
    }
}
