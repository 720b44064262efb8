using System.Diagnostics;
using System.Text.Json;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Processes;
using ObsFaceSwap.Testing.Scenario;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>The host dies under a recording OBS: OBS must not notice, and the module must bring results back.</summary>
public sealed class HostRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public async Task HostKilled_ObsKeepsRecording_HostRestarts()
    {
        BuildOutputs.EnsureModuleBuilt();
        BuildOutputs.EnsureHostBuilt();
        var analyzer = await E2eContext.AnalyzerAsync();
        var (clip, _) = await E2eContext.ClipAsync();
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true));
        await using var client = await obs.ConnectAsync();
        await DiagnosticScene.SetUpAsync(client, clip, DiagnosticScene.DiagnosticSettings());
        await FaceSwapStats.WaitForVendorCounterAsync(client, "resultsConsumed", 0, TimeSpan.FromSeconds(20));
        var oldHost = await HostProcessAsync(obs, client);
        E2eContext.Log(output, $"host pid {oldHost.Pid} ({oldHost.Command}); processes with this run's endpoint: "
            + string.Join(", ", obs.FindHostProcesses().Select(p => $"{p.Pid} {p.Command} (parent {p.ParentPid})")));

        var recordingStarted = await DiagnosticScene.StartRecordingAsync(client);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var statsBefore = await client.GetStatsAsync();
        var statsBeforeAt = Stopwatch.GetTimestamp();
        var vendorAtKill = await FaceSwapStats.GetVendorStatsAsync(client);
        var consumedAtKill = JsonCounters.Sum(vendorAtKill, "resultsConsumed");

        var (killed, newHost, recoveryWallMs) = await E2eContext.KillHostAsync(output, obs, client, oldHost, consumedAtKill, recordingStarted, RecoveryBound);

        await Task.Delay(TimeSpan.FromSeconds(2));
        var statsAfter = await client.GetStatsAsync();
        var renderSeconds = Stopwatch.GetElapsedTime(statsBeforeAt).TotalSeconds;
        var stopRequestedSeconds = Stopwatch.GetElapsedTime(recordingStarted).TotalSeconds;
        var recording = await DiagnosticScene.StopRecordingAsync(client);
        var recordedSeconds = Stopwatch.GetElapsedTime(recordingStarted).TotalSeconds;
        var vendor = await FaceSwapStats.GetVendorStatsAsync(client);
        var host = await FaceSwapStats.GetHostStatsAsync(obs.HostPath, obs.ControlEndpoint);
        obs.EnsureRunning();

        var report = await analyzer.AnalyzeRecordingAsync(recording);
        await report.WriteJsonAsync(Path.Combine(obs.ArtifactDirectory, "analysis.json"));
        var summary = report.Summary(E2eContext.WarmUpSeconds);
        E2eContext.Log(output, summary);
        var killFrame = Stopwatch.GetElapsedTime(recordingStarted, killed).TotalSeconds * report.Fps;
        var outage = report.GapsAfterFirstResult().FirstOrDefault(g => g.LastIndex >= killFrame - 3);
        var figures = new HostRestartFigures(
            KillAtSeconds: Math.Round(killFrame / report.Fps, 3),
            RecoveryWallMs: Math.Round(recoveryWallMs),
            RecoveryInRecordingMs: outage is null ? null : Math.Round((outage.LastIndex + 1 - killFrame) * 1000 / report.Fps),
            OutageFrames: outage?.Frames,
            FramesWithoutResultsAfterWarmUp: report.From(E2eContext.WarmUpSeconds).Count(f => f.Centre != CentreState.Inverted),
            RecordedFrames: report.Frames.Count,
            RecordedSecondsWallClock: Math.Round(recordedSeconds, 2),
            RepeatedSourceFrames: report.Frames.Skip(1).Count(f => f.ClipIndex == report.Frames[f.Index - 1].ClipIndex),
            ObsRenderedFramesAcrossOutage: statsAfter.RenderTotalFrames - statsBefore.RenderTotalFrames,
            ObsRenderSecondsAcrossOutage: Math.Round(renderSeconds, 2),
            ObsRenderSkippedFrames: statsAfter.RenderSkippedFrames - statsBefore.RenderSkippedFrames,
            ObsOutputSkippedFrames: statsAfter.OutputSkippedFrames - statsBefore.OutputSkippedFrames,
            FilterRenderCountAtKill: (long)JsonCounters.Sum(vendorAtKill, "renderCount"),
            FilterRenderCountAtEnd: (long)JsonCounters.Sum(vendor, "renderCount"),
            HostRestarts: (long)JsonCounters.Sum(vendor, "hostRestarts"),
            OldHostPid: oldHost.Pid,
            NewHostPid: newHost.Pid,
            FirstOutage: outage);
        var figuresJson = JsonSerializer.Serialize(figures, Indented);
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "figures.json"), figuresJson);
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "vendor-stats.json"), vendor.GetRawText());
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "host-stats.json"), host.GetRawText());
        E2eContext.Log(output, $"figures ({Path.Combine(obs.ArtifactDirectory, "figures.json")}):\n{figuresJson}");

        // OBS kept rendering and recording through the outage.
        Assert.True(figures.ObsRenderedFramesAcrossOutage >= 0.7 * 30 * renderSeconds,
            $"OBS rendered only {figures.ObsRenderedFramesAcrossOutage} frames in the {renderSeconds:0.0} s across the outage");
        Assert.True(figures.FilterRenderCountAtEnd - figures.FilterRenderCountAtKill >= 0.7 * 30 * renderSeconds,
            $"the filter rendered only {figures.FilterRenderCountAtEnd - figures.FilterRenderCountAtKill} times across the outage");
        Assert.Equal("h264", report.Probe.VideoCodec);
        // The recording ran at least until the stop request, at most until STOPPED (later on a loaded machine).
        Assert.InRange(report.Frames.Count, 0.85 * 30 * stopRequestedSeconds, 1.1 * 30 * recordedSeconds);
        Assert.True(report.FractionOutsideMatching(E2eContext.WarmUpSeconds) >= 0.95, summary);
        // The outage shows in the recording and ends within the bound; afterwards results are steady.
        Assert.NotNull(outage);
        Assert.True(figures.RecoveryInRecordingMs <= RecoveryBound.TotalMilliseconds, figuresJson);
        var lastSecond = report.Frames.Where(f => f.TimeSeconds >= report.Frames[^1].TimeSeconds - 1).ToList();
        Assert.True(lastSecond.Count(f => f.Centre == CentreState.Inverted) >= 0.9 * lastSecond.Count, summary);
        Assert.True(
            host.TryGetProperty("channels", out var channels)
            && channels.EnumerateArray().Any(c => JsonCounters.Sum(c, "framesIn") > 0 && JsonCounters.Sum(c, "resultsOut") > 0),
            $"the new host reports no channel with frames in and results out: {host.GetRawText()}");
    }

    /// <summary>
    /// The host process: the PID the module or the host reports, accepted only if it is one of
    /// this OBS's host processes (found by their OBS_FACESWAP_ENDPOINT), so the test never
    /// signals anything else.
    /// </summary>
    internal static async Task<ProcessIdentity> HostProcessAsync(HeadlessObs obs, ObsWebSocketClient client)
    {
        var candidates = obs.FindHostProcesses();
        var reported = JsonCounters.All(await FaceSwapStats.GetVendorStatsAsync(client), "hostPid")
            .Concat(JsonCounters.All(await FaceSwapStats.GetHostStatsAsync(obs.HostPath, obs.ControlEndpoint), "hostPid"))
            .Select(pid => (int)pid)
            .Where(pid => pid > 0)
            .ToList();
        var match = candidates.Where(p => reported.Contains(p.Pid)).ToList();
        if (match.Count == 1)
        {
            return match[0];
        }

        return candidates.Count == 1
            ? candidates[0]
            : throw new InvalidOperationException(
                $"Cannot tell the host process: reported pids [{string.Join(", ", reported)}], "
                + $"processes with this run's endpoint [{string.Join(", ", candidates.Select(c => $"{c.Pid} {c.Command}"))}].");
    }

    private sealed record HostRestartFigures(
        double KillAtSeconds,
        double RecoveryWallMs,
        double? RecoveryInRecordingMs,
        int? OutageFrames,
        int FramesWithoutResultsAfterWarmUp,
        int RecordedFrames,
        double RecordedSecondsWallClock,
        int RepeatedSourceFrames,
        long ObsRenderedFramesAcrossOutage,
        double ObsRenderSecondsAcrossOutage,
        long ObsRenderSkippedFrames,
        long ObsOutputSkippedFrames,
        long FilterRenderCountAtKill,
        long FilterRenderCountAtEnd,
        long HostRestarts,
        int OldHostPid,
        int NewHostPid,
        FrameRun? FirstOutage);
}
