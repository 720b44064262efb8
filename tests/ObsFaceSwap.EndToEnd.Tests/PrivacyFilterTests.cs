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

/// <summary>
/// The filter in privacy mode through the real module and host (OBS_FACESWAP_HOST overrides
/// it, e.g. build/native/tests/ofs-fake-host with OFS_FAKE_HOST_FACES): no recorded frame may
/// show a raw face, whatever happens to the host.
/// </summary>
public sealed class PrivacyFilterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FirstResultBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    [Fact]
    public Task PrivacyPixelate_EveryRecordedFrameMasksTheFaces() => EveryRecordedFrameMasksTheFacesAsync("pixelate");

    [Theory]
    [InlineData("blur")]
    [InlineData("solid")]
    public Task PrivacyStyle_EveryRecordedFrameMasksTheFaces(string style) => EveryRecordedFrameMasksTheFacesAsync(style);

    private async Task EveryRecordedFrameMasksTheFacesAsync(string style)
    {
        var analyzer = await AnalyzerAsync();
        var name = style == "pixelate" ? nameof(PrivacyPixelate_EveryRecordedFrameMasksTheFaces) : $"{nameof(PrivacyStyle_EveryRecordedFrameMasksTheFaces)}_{style}";
        await using var run = await E2eContext.StartFilterAsync(output, PrivacyScene.Settings(style), FirstResultBound, name);
        var (obs, client) = (run.Obs, run.Client);
        E2eContext.Log(output, $"host {obs.HostPath}; first result consumed {run.FirstResult.TotalMilliseconds:0} ms after set-up");

        var recording = await DiagnosticScene.RecordTimedAsync(client, TimeSpan.FromSeconds(4));
        var vendor = await FaceSwapStats.GetVendorStatsAsync(client);
        var host = await HostStatsAsync(obs);
        obs.EnsureRunning();

        var report = await analyzer.AnalyzeRecordingAsync(recording.Path);
        await WriteArtifactsAsync(obs, report, vendor, host);
        var summary = report.Summary(E2eContext.WarmUpSeconds);
        E2eContext.Log(output, summary);
        E2eContext.Log(output, $"{style}: raw-face frames {report.RawFaceFrames} of {report.Frames.Count}; masked as a whole {report.WholeMaskedFrames}; "
            + $"rest close after warm-up {report.FractionRestClose(E2eContext.WarmUpSeconds):P1}");
        E2eContext.Log(output, $"vendor GetStats: {vendor.GetRawText()}");
        E2eContext.Log(output, $"host stats: {(host is { } h ? h.GetRawText() : "n/a (fake host)")}");

        Assert.Equal("h264", report.Probe.VideoCodec);
        E2eContext.AssertFrameCount(report.Frames.Count, recording); // about 4 s at 30 fps
        Assert.True(report.RawFaceFrames == 0, $"{report.RawFaceFrames} recorded frames show a raw face: {summary}");
        Assert.True(report.FractionRestClose(E2eContext.WarmUpSeconds) >= 0.80, $"the rest of the picture is masked too often (no detections?): {summary}");
        Assert.True(report.From(E2eContext.WarmUpSeconds).Count(f => f.WholeMasked) <= 0.2 * report.From(E2eContext.WarmUpSeconds).Count(), $"masked as a whole too often: {summary}");
        Assert.True(JsonCounters.Sum(vendor, "resultsConsumed") > 0, $"vendor resultsConsumed is 0: {vendor.GetRawText()}");
        if (host is { } stats)
        {
            Assert.True(PrivacyScene.StageCount(stats, "detect") > 0, $"the host ran no detect stage: {stats.GetRawText()}");
        }
    }

    /// <summary>
    /// A scene cut: the 6 s clip loops during an 8 s recording, and at the loop both faces jump
    /// about 180 px. Synced (the default latency mode) draws each frame with the result computed
    /// from that frame, so no recorded frame shows a raw face, and GetStats reports the delay.
    /// Live draws the newest result, computed from a frame a few frames older: right after the
    /// cut the masks are still where the faces were, and the analyzer must see raw faces there
    /// and only there (the control that lets the synced assertion fail).
    /// </summary>
    /// <param name="latencyMode">The filter's latency_mode.</param>
    [Theory]
    [InlineData("synced")]
    [InlineData("live")]
    public async Task PrivacySceneCut_SyncedShowsNoRawFaceLiveLeaksAtTheCut(string latencyMode)
    {
        var analyzer = await AnalyzerAsync();
        var settings = PrivacyScene.Settings("pixelate");
        settings["latency_mode"] = latencyMode;
        await using var run = await E2eContext.StartFilterAsync(output, settings, FirstResultBound, $"{nameof(PrivacySceneCut_SyncedShowsNoRawFaceLiveLeaksAtTheCut)}_{latencyMode}");
        var (obs, client) = (run.Obs, run.Client);

        var recording = await DiagnosticScene.RecordAsync(client, TimeSpan.FromSeconds(8));
        var vendor = await FaceSwapStats.GetVendorStatsAsync(client);
        obs.EnsureRunning();
        var report = await analyzer.AnalyzeRecordingAsync(recording);
        await WriteArtifactsAsync(obs, report, vendor, await HostStatsAsync(obs));
        var summary = report.Summary(E2eContext.WarmUpSeconds);
        var filter = vendor.GetProperty("filters")[0];
        var rawClipFrames = report.Frames.Where(f => f.RawFace).Select(f => f.ClipIndex).ToList();
        var loops = report.Frames.Zip(report.Frames.Skip(1)).Count(p => p.Second.ClipIndex < p.First.ClipIndex);
        E2eContext.Log(output, summary);
        E2eContext.Log(output, $"{latencyMode}: {loops} clip loop(s) recorded; raw-face frames {rawClipFrames.Count} (clip frames {string.Join(',', rawClipFrames)}); "
            + $"latencyMode {filter.GetProperty("latencyMode").GetString()}, videoDelayFrames {filter.GetProperty("videoDelayFrames").GetInt64()}, "
            + $"videoDelayMs {filter.GetProperty("videoDelayMs").GetDouble():0.0}");

        Assert.True(loops >= 1, $"the recording holds no clip loop: {summary}");
        Assert.Equal(latencyMode, filter.GetProperty("latencyMode").GetString());
        Assert.True(report.FractionRestClose(E2eContext.WarmUpSeconds) >= 0.80, $"the rest of the picture is masked too often: {summary}");
        if (latencyMode == "synced")
        {
            Assert.InRange(filter.GetProperty("videoDelayFrames").GetInt64(), 1, 7);
            Assert.True(report.RawFaceFrames == 0, $"{report.RawFaceFrames} recorded frames show a raw face (clip frames {string.Join(',', rawClipFrames)}): {summary}");
        }
        else
        {
            Assert.Equal(0, filter.GetProperty("videoDelayFrames").GetInt64());
            Assert.True(rawClipFrames.Count > 0, $"live mode showed no raw face at the cut: the analyzer would not see a leak: {summary}");
            // Only at the cut: the clip's first frames, as many as the host's latency (a few frames; up
            // to 15, half a second, on a loaded machine) - never the 165 frames of the clip after them.
            Assert.All(rawClipFrames, i => Assert.InRange(i, 0, 15));
        }
    }

    /// <summary>
    /// SIGKILL the host mid-recording. With the default fail_closed_timeout_ms (1000) a new host
    /// usually answers before the timeout, so the held regions (growing) cover the faces; with
    /// 250 ms the whole frame is masked until the new host's first fresh result.
    /// </summary>
    [Theory]
    [InlineData(1000)]
    [InlineData(250)]
    public async Task PrivacyHostKilled_NoRawFaceEverRecorded(int failClosedTimeoutMs)
    {
        var analyzer = await AnalyzerAsync();
        var settings = PrivacyScene.Settings("pixelate");
        settings["fail_closed_timeout_ms"] = failClosedTimeoutMs;
        await using var run = await E2eContext.StartFilterAsync(output, settings, FirstResultBound, $"{nameof(PrivacyHostKilled_NoRawFaceEverRecorded)}_{failClosedTimeoutMs}ms");
        var (obs, client) = (run.Obs, run.Client);
        var oldHost = await HostProcessAsync(obs, client);
        E2eContext.Log(output, $"host pid {oldHost.Pid} ({oldHost.Command})");

        var recordingStarted = await DiagnosticScene.StartRecordingAsync(client);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var consumedAtKill = JsonCounters.Sum(await FaceSwapStats.GetVendorStatsAsync(client), "resultsConsumed");
        var (killed, newHost, recoveryWallMs) = await E2eContext.KillHostAsync(output, obs, client, oldHost, consumedAtKill, recordingStarted, RecoveryBound);

        await Task.Delay(TimeSpan.FromSeconds(2));
        var stopRequestedSeconds = Stopwatch.GetElapsedTime(recordingStarted).TotalSeconds;
        var recording = await DiagnosticScene.StopRecordingAsync(client);
        var recordedSeconds = Stopwatch.GetElapsedTime(recordingStarted).TotalSeconds;
        var vendor = await FaceSwapStats.GetVendorStatsAsync(client);
        var host = await HostStatsAsync(obs);
        obs.EnsureRunning();

        var report = await analyzer.AnalyzeRecordingAsync(recording);
        await WriteArtifactsAsync(obs, report, vendor, host);
        var summary = report.Summary(E2eContext.WarmUpSeconds);
        E2eContext.Log(output, summary);
        var killFrame = Stopwatch.GetElapsedTime(recordingStarted, killed).TotalSeconds * report.Fps;
        // The whole-frame mask the kill caused: a run that starts after the kill (fail_closed_timeout_ms later;
        // none if the new host answered sooner).
        var outage = report.WholeMaskedRuns().FirstOrDefault(r => r.FirstIndex >= killFrame - 3);
        var lastSecond = report.Frames.Where(f => f.TimeSeconds >= report.Frames[^1].TimeSeconds - 1).ToList();
        var figures = new PrivacyKillFigures(
            FailClosedTimeoutMs: failClosedTimeoutMs,
            KillAtSeconds: Math.Round(killFrame / report.Fps, 3),
            RecoveryWallMs: Math.Round(recoveryWallMs),
            WholeFrameMaskFromKillMs: outage is null ? null : Math.Round((outage.FirstIndex - killFrame) * 1000 / report.Fps),
            RecoveryInRecordingMs: outage is null ? null : Math.Round((outage.LastIndex + 1 - killFrame) * 1000 / report.Fps),
            WholeMaskedFramesAfterKill: report.Frames.Count(f => f.Index >= killFrame && f.WholeMasked),
            RestNotCloseFramesAfterKill: report.Frames.Count(f => f.Index >= killFrame && !f.RestClose),
            WholeMaskedFrames: report.WholeMaskedFrames,
            RawFaceFrames: report.RawFaceFrames,
            MinFaceMad: report.MinFaceMad,
            RestCloseInLastSecond: lastSecond.Count(f => f.RestClose),
            FramesInLastSecond: lastSecond.Count,
            RecordedFrames: report.Frames.Count,
            HostRestarts: (long)JsonCounters.Sum(vendor, "hostRestarts"),
            OldHostPid: oldHost.Pid,
            NewHostPid: newHost.Pid,
            Outage: outage,
            WholeMaskedRuns: report.WholeMaskedRuns());
        var figuresJson = JsonSerializer.Serialize(figures, Indented);
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "figures.json"), figuresJson);
        E2eContext.Log(output, $"figures ({Path.Combine(obs.ArtifactDirectory, "figures.json")}):\n{figuresJson}");

        Assert.True(report.RawFaceFrames == 0, $"{report.RawFaceFrames} recorded frames show a raw face: {summary}");
        // The recording ran at least until the stop request, at most until STOPPED (later on a loaded machine).
        Assert.InRange(report.Frames.Count, 0.85 * 30 * stopRequestedSeconds, 1.1 * 30 * recordedSeconds);
        Assert.True(figures.RestCloseInLastSecond >= 0.8 * figures.FramesInLastSecond, $"results did not come back after the restart: {figuresJson}");
        Assert.True(figures.RecoveryInRecordingMs is null || figures.RecoveryInRecordingMs <= RecoveryBound.TotalMilliseconds, figuresJson);
        // recoveryWallMs is when the test saw 4 fresh results (polled every 50 ms plus a vendor request
        // that a loaded machine answers late): up to a few hundred ms after the first fresh result
        // reached the recording. Only a recovery clearly past the timeout must show a whole-frame mask.
        if (recoveryWallMs > failClosedTimeoutMs + 600)
        {
            // The new host answered well after the timeout: the recording must show the whole frame masked.
            Assert.True(outage is not null, $"no whole-frame mask although results were back only {recoveryWallMs:0} ms after the kill: {figuresJson}");
        }
        if (host is { } stats)
        {
            Assert.True(PrivacyScene.StageCount(stats, "detect") > 0, $"the new host ran no detect stage: {stats.GetRawText()}");
        }
    }

    /// <summary>
    /// The control: privacy_faces selects a track id that never exists, so once fresh results
    /// arrive nothing is masked, and the analyzer must see the raw faces in the recording
    /// (it would see a leak).
    /// </summary>
    [Fact]
    public async Task PrivacyNoFaceSelected_AnalyzerSeesTheRawFaces()
    {
        var analyzer = await AnalyzerAsync();
        var settings = PrivacyScene.Settings("pixelate");
        settings["privacy_faces"] = "9999";
        await using var run = await E2eContext.StartFilterAsync(output, settings, FirstResultBound);
        var (obs, client) = (run.Obs, run.Client);

        var recording = await DiagnosticScene.RecordAsync(client, TimeSpan.FromSeconds(3));
        obs.EnsureRunning();
        var report = await analyzer.AnalyzeRecordingAsync(recording);
        await report.WriteJsonAsync(Path.Combine(obs.ArtifactDirectory, "privacy-analysis.json"));
        var summary = report.Summary(E2eContext.WarmUpSeconds);
        E2eContext.Log(output, summary);

        var afterWarmUp = report.From(E2eContext.WarmUpSeconds).ToList();
        Assert.True(afterWarmUp.Count(f => f.RawFace) >= 0.9 * afterWarmUp.Count, $"the analyzer missed raw faces: {summary}");
        Assert.True(report.FractionRestClose(E2eContext.WarmUpSeconds) >= 0.9, summary);
    }

    [Fact]
    public async Task PrivacyNoHost_WholeFrameMasked()
    {
        BuildOutputs.EnsureModuleBuilt();
        var analyzer = await AnalyzerAsync();
        var (clip, _) = await E2eContext.ClipAsync();
        var missingHost = Path.Combine(Path.GetTempPath(), "obs-faceswap-e2e-no-such-dir", "obs-faceswap-host");
        Assert.False(File.Exists(missingHost));
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true, hostPath: missingHost));
        await using var client = await obs.ConnectAsync();

        await DiagnosticScene.SetUpAsync(client, clip, PrivacyScene.Settings("pixelate"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var before = await client.GetStatsAsync();
        var recording = await DiagnosticScene.RecordTimedAsync(client, TimeSpan.FromSeconds(3));
        var after = await client.GetStatsAsync();
        obs.EnsureRunning();

        var report = await analyzer.AnalyzeRecordingAsync(recording.Path);
        await report.WriteJsonAsync(Path.Combine(obs.ArtifactDirectory, "privacy-analysis.json"));
        var summary = report.Summary(0);
        E2eContext.Log(output, summary);
        E2eContext.Log(output, $"OBS rendered {after.RenderTotalFrames - before.RenderTotalFrames} frames while recording; "
            + $"raw-face frames {report.RawFaceFrames}, masked as a whole {report.WholeMaskedFrames} of {report.Frames.Count}");

        Assert.True(after.RenderTotalFrames - before.RenderTotalFrames >= 60, "OBS stopped rendering");
        E2eContext.AssertFrameCount(report.Frames.Count, recording); // about 3 s at 30 fps
        Assert.True(report.RawFaceFrames == 0, $"{report.RawFaceFrames} recorded frames show a raw face: {summary}");
        Assert.True(report.WholeMaskedFrames == report.Frames.Count, $"only {report.WholeMaskedFrames} of {report.Frames.Count} frames are masked as a whole: {summary}");
        Assert.True(report.RestNotCloseFrames == report.Frames.Count, $"the picture outside the faces shows the source in {report.Frames.Count - report.RestNotCloseFrames} frames: {summary}");
        Assert.Empty(obs.FindHostProcesses());
    }

    private static async Task<PrivacyAnalyzer> AnalyzerAsync()
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        return new PrivacyAnalyzer(frames, clip.Spec);
    }

    private static bool IsFakeHost(HeadlessObs obs) => Path.GetFileName(obs.HostPath) == "ofs-fake-host";

    /// <summary>The host's stats, or null for the C fake host (it has no stats command).</summary>
    private static async Task<JsonElement?> HostStatsAsync(HeadlessObs obs) =>
        IsFakeHost(obs) ? null : await FaceSwapStats.GetHostStatsAsync(obs.HostPath, obs.ControlEndpoint);

    /// <summary>The host process (see <see cref="HostRestartTests.HostProcessAsync"/>); for the fake host, by the module's hostPid only.</summary>
    private static async Task<ProcessIdentity> HostProcessAsync(HeadlessObs obs, ObsWebSocketClient client)
    {
        if (!IsFakeHost(obs))
        {
            return await HostRestartTests.HostProcessAsync(obs, client);
        }

        var reported = JsonCounters.All(await FaceSwapStats.GetVendorStatsAsync(client), "hostPid").Select(pid => (int)pid).ToList();
        return obs.FindHostProcesses().Single(p => reported.Contains(p.Pid));
    }

    private static async Task WriteArtifactsAsync(HeadlessObs obs, PrivacyReport report, JsonElement vendor, JsonElement? host)
    {
        await report.WriteJsonAsync(Path.Combine(obs.ArtifactDirectory, "privacy-analysis.json"));
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "vendor-stats.json"), vendor.GetRawText());
        if (host is { } h)
        {
            await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "host-stats.json"), h.GetRawText());
        }
    }

    private sealed record PrivacyKillFigures(
        int FailClosedTimeoutMs,
        double KillAtSeconds,
        double RecoveryWallMs,
        double? WholeFrameMaskFromKillMs,
        double? RecoveryInRecordingMs,
        int WholeMaskedFramesAfterKill,
        int RestNotCloseFramesAfterKill,
        int WholeMaskedFrames,
        int RawFaceFrames,
        double MinFaceMad,
        int RestCloseInLastSecond,
        int FramesInLastSecond,
        int RecordedFrames,
        long HostRestarts,
        int OldHostPid,
        int NewHostPid,
        FrameRun? Outage,
        IReadOnlyList<FrameRun> WholeMaskedRuns);
}
