using System.Text.Json;
using ObsFaceSwap.Testing;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Scenario;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>The filter in diagnostic mode, through the real module and host.</summary>
public sealed class DiagnosticFilterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DiagnosticFilter_RecordsInvertedCentre()
    {
        BuildOutputs.EnsureModuleBuilt();
        BuildOutputs.EnsureHostBuilt();
        var analyzer = await E2eContext.AnalyzerAsync();
        var (clip, _) = await E2eContext.ClipAsync();
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true));
        await using var client = await obs.ConnectAsync();

        await DiagnosticScene.SetUpAsync(client, clip, DiagnosticScene.DiagnosticSettings());
        var filter = await client.GetSourceFilterAsync(DiagnosticScene.InputName, DiagnosticScene.FilterName);
        Assert.Equal(DiagnosticScene.FilterKind, filter.FilterKind);
        Assert.True(filter.FilterEnabled);
        var (_, firstResult) = await FaceSwapStats.WaitForVendorCounterAsync(client, "resultsConsumed", 0, TimeSpan.FromSeconds(20));
        E2eContext.Log(output, $"first result composited {firstResult.TotalMilliseconds:0} ms after set-up");

        var recording = await DiagnosticScene.RecordTimedAsync(client, TimeSpan.FromSeconds(4));
        var vendor = await FaceSwapStats.GetVendorStatsAsync(client);
        var host = await FaceSwapStats.GetHostStatsAsync(obs.HostPath, obs.ControlEndpoint);
        obs.EnsureRunning();

        var report = await analyzer.AnalyzeRecordingAsync(recording.Path);
        await report.WriteJsonAsync(Path.Combine(obs.ArtifactDirectory, "analysis.json"));
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "vendor-stats.json"), vendor.GetRawText());
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "host-stats.json"), host.GetRawText());
        var summary = report.Summary(E2eContext.WarmUpSeconds);
        E2eContext.Log(output, summary);
        E2eContext.Log(output, $"vendor GetStats: {vendor.GetRawText()}");
        E2eContext.Log(output, $"host stats: {host.GetRawText()}");

        Assert.Equal("h264", report.Probe.VideoCodec);
        E2eContext.AssertFrameCount(report.Frames.Count, recording); // about 4 s at 30 fps
        Assert.True(report.Fraction(CentreState.Inverted, E2eContext.WarmUpSeconds) >= 0.90, summary);
        Assert.True(report.FractionOutsideMatching(E2eContext.WarmUpSeconds) >= 0.95, summary);
        Assert.True(JsonCounters.Sum(vendor, "framesWritten") > 0, $"vendor framesWritten is 0: {vendor.GetRawText()}");
        Assert.True(JsonCounters.Sum(vendor, "resultsConsumed") > 0, $"vendor resultsConsumed is 0: {vendor.GetRawText()}");
        Assert.True(
            host.TryGetProperty("channels", out var channels)
            && channels.EnumerateArray().Any(c => JsonCounters.Sum(c, "framesIn") > 0 && JsonCounters.Sum(c, "resultsOut") > 0),
            $"no host channel with framesIn and resultsOut > 0: {host.GetRawText()}");
    }

    [Fact]
    public async Task MissingHost_RendersSourceUnchanged_ObsStaysUp()
    {
        BuildOutputs.EnsureModuleBuilt();
        var analyzer = await E2eContext.AnalyzerAsync();
        var (clip, _) = await E2eContext.ClipAsync();
        var missingHost = Path.Combine(Path.GetTempPath(), "obs-faceswap-e2e-no-such-dir", "obs-faceswap-host");
        Assert.False(File.Exists(missingHost));
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true, hostPath: missingHost));
        await using var client = await obs.ConnectAsync();

        await DiagnosticScene.SetUpAsync(client, clip, DiagnosticScene.DiagnosticSettings());
        // Long enough for several start attempts (backoff 100 ms doubling).
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = await client.GetStatsAsync();
        var recording = await DiagnosticScene.RecordAsync(client, TimeSpan.FromSeconds(3));
        var after = await client.GetStatsAsync();
        obs.EnsureRunning();
        var version = await client.GetVersionAsync();

        var report = await analyzer.AnalyzeRecordingAsync(recording);
        await report.WriteJsonAsync(Path.Combine(obs.ArtifactDirectory, "analysis.json"));
        var summary = report.Summary(E2eContext.WarmUpSeconds);
        E2eContext.Log(output, summary);
        E2eContext.Log(output, $"OBS {version.ObsVersion} still answers; rendered {after.RenderTotalFrames - before.RenderTotalFrames} frames while recording");
        try
        {
            var vendor = await FaceSwapStats.GetVendorStatsAsync(client);
            E2eContext.Log(output, $"vendor GetStats: {vendor.GetRawText()}");
            Assert.Equal(0, JsonCounters.Sum(vendor, "resultsConsumed"));
        }
        catch (ObsFaceSwap.Obs.ObsRequestException ex)
        {
            E2eContext.Log(output, $"vendor GetStats unavailable: {ex.Message}");
        }

        Assert.True(after.RenderTotalFrames - before.RenderTotalFrames >= 60, "OBS stopped rendering");
        Assert.Equal(0, report.Fraction(CentreState.Inverted));
        Assert.True(report.Fraction(CentreState.Source, E2eContext.WarmUpSeconds) >= 0.95, summary);
        Assert.True(report.FractionOutsideMatching(E2eContext.WarmUpSeconds) >= 0.95, summary);
        Assert.Empty(obs.FindHostProcesses());
    }
}
