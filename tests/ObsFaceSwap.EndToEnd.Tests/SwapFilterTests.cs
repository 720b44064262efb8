using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Media;
using ObsFaceSwap.Models;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Testing;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Onnx;
using ObsFaceSwap.Testing.Processes;
using ObsFaceSwap.Testing.Scenario;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>
/// The filter in swap mode through the real module and host (real BlazeFace detector, tracker,
/// identity folder and swap engine) with synthetic swap and embedding models, whose output is
/// predictable: each swapped face pixel becomes <c>min(255, 0.5 * source + tint)</c>, the tint
/// computed from the identity's latent (<see cref="SwapTint"/>). So the recording shows where
/// a patch landed, which identity it carries, and where a face was masked instead.
/// </summary>
public sealed class SwapFilterTests(ITestOutputHelper output)
{
    /// <summary>The most of a window's frames that may show masked rather than swapped faces (see <see cref="Shares"/>); a filter that stops swapping shows far more.</summary>
    private const double MaskedAtMost = 0.25;

    private static readonly TimeSpan FirstResultBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Mapping "all" with identity #1 (astronaut): both faces of the clip carry its tint, the rest of the picture is the source.</summary>
    [Fact]
    public async Task SwapFilter_PatchLandsOnTheFacesAndNowhereElse()
    {
        using var models = SwapScene.Create(FaceImages.Astronaut);
        var tint = models.Tints[0];
        var analyzer = await AnalyzerAsync(models.Tints);
        E2eContext.Log(output, $"expected tint {tint}; models in {models.Directory}");
        await using var run = await E2eContext.StartFilterAsync(output, models.Settings(), FirstResultBound);
        var (obs, client) = (run.Obs, run.Client);
        E2eContext.Log(output, $"first result consumed {run.FirstResult.TotalMilliseconds:0} ms after set-up");

        var recording = await DiagnosticScene.RecordTimedAsync(client, TimeSpan.FromSeconds(4));
        var (report, vendor, host) = await AnalyzeAsync(obs, client, analyzer, recording.Path);
        var warm = E2eContext.WarmUpSeconds;
        var summary = report.Summary(warm);
        var (swapped, masked) = Shares(report, tint.Name, warm);
        var restClose = report.FractionRestClose(warm);
        E2eContext.Log(output, summary);
        E2eContext.Log(output, report.FaceFigures(warm));
        E2eContext.Log(output, HostSpeed(vendor, host));
        E2eContext.Log(output, $"vendor GetStats: {vendor.GetRawText()}");
        E2eContext.Log(output, $"host stages: swap {PrivacyScene.StageCount(host, "swap")}, detect {PrivacyScene.StageCount(host, "detect")}");

        Assert.Equal("h264", report.Probe.VideoCodec);
        E2eContext.AssertFrameCount(report.Frames.Count, recording); // about 4 s at 30 fps
        Assert.True(report.RawFaceFrames == 0, $"{report.RawFaceFrames} recorded frames show a raw face: {summary}");
        Assert.True(swapped >= 0.9, $"both faces carry the {tint.Name} tint in only {swapped:P1} of the frames after warm-up that show a swap: {summary}; {report.FaceFigures(warm)}");
        Assert.True(masked <= MaskedAtMost, $"{masked:P1} of the frames after warm-up show no swapped face: {summary}; {report.FaceFigures(warm)}");
        Assert.True(restClose >= 0.9, $"the picture outside the faces differs from the source in {1 - restClose:P1} of the frames after warm-up: {summary}");
        Assert.True(PrivacyScene.StageCount(host, "swap") > 0, $"the host ran no swap stage: {host.GetRawText()}");
    }

    /// <summary>
    /// The start: recording from before the filter exists, through the host's start, model
    /// loading and first results, no frame may show a raw face (fail closed until swaps arrive).
    /// </summary>
    [Fact]
    public async Task SwapFilter_StartUp_NoRawFace()
    {
        BuildOutputs.EnsureModuleBuilt();
        BuildOutputs.EnsureHostBuilt();
        using var models = SwapScene.Create(FaceImages.Astronaut);
        var tint = models.Tints[0];
        var analyzer = await AnalyzerAsync(models.Tints);
        var (clip, _) = await E2eContext.ClipAsync();
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true));
        await using var client = await obs.ConnectAsync();
        await DiagnosticScene.SetUpAsync(client, clip, null);
        var started = await DiagnosticScene.StartRecordingAsync(client);
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        var created = Stopwatch.GetElapsedTime(started).TotalSeconds;
        (await client.RequestAsync("CreateSourceFilter", new JsonObject
        {
            ["sourceName"] = DiagnosticScene.InputName,
            ["filterName"] = DiagnosticScene.FilterName,
            ["filterKind"] = DiagnosticScene.FilterKind,
            ["filterSettings"] = models.Settings(),
        })).EnsureSuccess();
        var (_, firstResult) = await FaceSwapStats.WaitForVendorCounterAsync(client, "resultsConsumed", 0, FirstResultBound);
        var firstSeconds = created + firstResult.TotalSeconds;
        // The shares are taken from 1.5 s after the first result (see below): 2 s of frames after that.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var recording = await DiagnosticScene.StopRecordingAsync(client);
        var (report, vendor, host) = await AnalyzeAsync(obs, client, analyzer, recording);
        // firstSeconds counts from when the test saw STARTED, after the recording's first frame (later
        // on a loaded machine): 1.5 s after it the swaps are steady in the recording too.
        const double steady = 1.5;
        var summary = report.Summary(firstSeconds + steady);
        // The filter fails closed from its first frame (no result yet: the whole frame masked);
        // the frames before it are the unfiltered source.
        var filtered = report.Frames.FirstOrDefault(f => f.Privacy.WholeMasked);
        var fromFilter = filtered is null ? [] : report.Frames.Where(f => f.Index >= filtered.Index).ToList();
        var raw = fromFilter.Where(f => f.Privacy.RawFace).Select(f => $"{f.Index} ({f.TimeSeconds:0.000} s, {f.Privacy.RawFaceName}, MAD {f.Privacy.MinFaceMad:0.0})").ToList();
        var wholeMaskedRun = fromFilter.TakeWhile(f => f.Privacy.WholeMasked).Count();
        E2eContext.Log(output, $"filter created {created:0.000} s into the recording; its first frame {filtered?.Index} ({filtered?.TimeSeconds:0.000} s); "
            + $"whole frame masked for {wholeMaskedRun} frames; first result consumed at {firstSeconds:0.000} s (wall clock)");
        E2eContext.Log(output, summary);
        E2eContext.Log(output, $"raw-face frames from the filter's first frame on: {raw.Count} [{string.Join(", ", raw)}]; "
            + $"raw-face frames before it (no filter yet): {report.Frames.Count(f => f.Privacy.RawFace && (filtered is null || f.Index < filtered.Index))}");
        E2eContext.Log(output, HostSpeed(vendor, host));
        E2eContext.Log(output, $"frames with some face not swapped, after the whole-frame mask: {string.Join(", ", fromFilter.Skip(wholeMaskedRun).Where(f => !f.AllSwappedWith(tint.Name)).Select(f => f.Index))}");

        Assert.True(filtered is not null, $"no frame shows the filter failing closed at its start: {summary}");
        Assert.True(raw.Count == 0, $"{raw.Count} recorded frames from the filter's first frame on show a raw face ({string.Join(", ", raw)}): {summary}");
        // The swaps arrive and stay (see Shares for the frames a late host leaves masked).
        var (swapped, masked) = Shares(report, tint.Name, firstSeconds + steady);
        Assert.True(swapped >= 0.9 && masked <= MaskedAtMost, $"swapped {swapped:P1} of the frames that show a swap, masked {masked:P1}: {summary}");
    }

    /// <summary>
    /// Two identities; the recording starts with #1 (astronaut) and the vendor request
    /// SetIdentity switches to grace_hopper halfway: the frames before show the first tint,
    /// the frames from shortly after the request the second.
    /// </summary>
    [Fact]
    public async Task SwapFilter_SetIdentity_SwitchesTheTint()
    {
        using var models = SwapScene.Create(FaceImages.Astronaut, FaceImages.GraceHopper);
        var (first, second) = (models.Tints[0], models.Tints[1]);
        var analyzer = await AnalyzerAsync(models.Tints);
        E2eContext.Log(output, $"tints: #1 {first}, #2 {second}");
        await using var run = await E2eContext.StartFilterAsync(output, models.Settings(), FirstResultBound);
        var (obs, client) = (run.Obs, run.Client);

        var started = await DiagnosticScene.StartRecordingAsync(client);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var requested = Stopwatch.GetTimestamp();
        var response = await client.CallVendorRequestAsync(FaceSwapStats.VendorName, "SetIdentity", new JsonObject
        {
            ["sourceName"] = DiagnosticScene.InputName,
            ["identity"] = second.Name,
        });
        var switchSeconds = Stopwatch.GetElapsedTime(started, requested).TotalSeconds;
        E2eContext.Log(output, $"SetIdentity {second.Name} at {switchSeconds:0.000} s into the recording: {response.ResponseData.GetRawText()}");
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var recording = await DiagnosticScene.StopRecordingAsync(client);
        var (report, vendor, host) = await AnalyzeAsync(obs, client, analyzer, recording);
        var warm = E2eContext.WarmUpSeconds;
        var summary = report.Summary(warm);
        // switchSeconds counts from when the test saw STARTED, which comes after the recording's first
        // frame (later on a loaded machine), so in the recording the request lies a little later than
        // switchSeconds; 1.5 s covers that and the host's synced delay (up to 7 frames) with room,
        // and still leaves 2 s of frames that must all show the second identity.
        const double settle = 1.5;
        var (before, maskedBefore) = Shares(report, first.Name, warm, switchSeconds - 0.2);
        var (after, maskedAfter) = Shares(report, second.Name, switchSeconds + settle);
        // The first frame from which every later frame carries the second tint.
        var lastNotSecond = report.Frames.LastOrDefault(f => !f.AllSwappedWith(second.Name));
        var firstOfSecond = lastNotSecond is null ? 0 : lastNotSecond.Index + 1;
        var switchedAfterMs = ((firstOfSecond / report.Fps) - switchSeconds) * 1000;
        var filterSettings = await client.RequestAsync("GetSourceFilter", new JsonObject
        {
            ["sourceName"] = DiagnosticScene.InputName,
            ["filterName"] = DiagnosticScene.FilterName,
        });
        E2eContext.Log(output, summary);
        E2eContext.Log(output, $"before the request: {report.FaceFigures(warm, switchSeconds - 0.2)}");
        E2eContext.Log(output, $"from {settle:0.0} s after it: {report.FaceFigures(switchSeconds + settle)}");
        E2eContext.Log(output, $"{first.Name} in {before:P1} of the frames before the request; {second.Name} in {after:P1} from {settle:0.0} s after it; "
            + $"every frame from {firstOfSecond} ({switchedAfterMs:0} ms after the request) on shows {second.Name}");
        E2eContext.Log(output, $"filter after the request: {filterSettings.ResponseData?.GetRawText()}");
        E2eContext.Log(output, HostSpeed(vendor, host));

        Assert.True(response.ResponseData.GetProperty("success").GetBoolean(), response.ResponseData.GetRawText());
        Assert.Equal(1, response.ResponseData.GetProperty("filtersUpdated").GetInt32());
        Assert.True(report.RawFaceFrames == 0, $"{report.RawFaceFrames} recorded frames show a raw face: {summary}");
        Assert.True(before >= 0.9, $"before the request both faces carry {first.Name} in only {before:P1} of the frames that show a swap: {report.FaceFigures(warm, switchSeconds - 0.2)}");
        Assert.True(after >= 0.9, $"from {settle:0.0} s after the request both faces carry {second.Name} in only {after:P1} of the frames that show a swap: {report.FaceFigures(switchSeconds + settle)}");
        Assert.True(maskedBefore <= MaskedAtMost && maskedAfter <= MaskedAtMost, $"frames with no swapped face: {maskedBefore:P1} before the request, {maskedAfter:P1} after it");
        Assert.True(report.FractionRestClose(warm) >= 0.9, summary);
    }

    /// <summary>
    /// A swap model whose output is faulty (NaN everywhere, or flat), given as a path, so with
    /// no fp32 fallback: every face is flagged unswapped and the shim masks it with the privacy
    /// style (solid green here, which neither a NaN patch (black) nor the flat tint can be).
    /// </summary>
    /// <param name="fault">How the model misbehaves.</param>
    [Theory]
    [InlineData(InswapperFault.NaN)]
    [InlineData(InswapperFault.Flat)]
    public async Task SwapFilter_FaultyModel_MasksTheFaces(InswapperFault fault)
    {
        using var models = SwapScene.Create([FaceImages.Astronaut], fault);
        var analyzer = await AnalyzerAsync(models.Tints);
        var settings = models.Settings();
        settings["privacy_style"] = "solid";
        settings["privacy_color"] = 0xFF00FF00L; // opaque green in OBS's ABGR
        await using var run = await E2eContext.StartFilterAsync(output, settings, FirstResultBound, $"{nameof(SwapFilter_FaultyModel_MasksTheFaces)}_{fault}");
        var (obs, client) = (run.Obs, run.Client);

        var recording = await DiagnosticScene.RecordTimedAsync(client, TimeSpan.FromSeconds(3));
        var (report, vendor, host) = await AnalyzeAsync(obs, client, analyzer, recording.Path);
        var warm = E2eContext.WarmUpSeconds;
        var summary = report.Summary(warm);
        var afterWarmUp = report.Between(warm);
        var green = afterWarmUp.Count(f => f.Faces.All(IsGreen)) / (double)afterWarmUp.Count;
        E2eContext.Log(output, summary);
        E2eContext.Log(output, report.FaceFigures(warm));
        E2eContext.Log(output, $"{fault}: both faces masked green in {green:P1} of the frames after warm-up; raw-face frames {report.RawFaceFrames} "
            + $"[{string.Join(", ", report.Frames.Where(f => f.Privacy.RawFace).Select(f => $"{f.Index} (clip frame {f.Privacy.ClipIndex}, {f.Privacy.RawFaceName}, MAD {f.Privacy.MinFaceMad:0.0})"))}]");
        E2eContext.Log(output, HostSpeed(vendor, host));
        E2eContext.Log(output, $"vendor GetStats: {vendor.GetRawText()}");

        E2eContext.AssertFrameCount(report.Frames.Count, recording); // about 3 s at 30 fps
        Assert.True(report.RawFaceFrames == 0, $"{report.RawFaceFrames} recorded frames show a raw face: {summary}");
        Assert.True(green >= 0.9, $"both faces carry the privacy mask in only {green:P1} of the frames after warm-up: {summary}; {report.FaceFigures(warm)}");
        Assert.True(report.FractionRestClose(warm) >= 0.8, $"the rest of the picture is masked too often: {summary}");
        Assert.True(PrivacyScene.StageCount(host, "swap") > 0, $"the host ran no swap stage: {host.GetRawText()}");

        static bool IsGreen(SwapFaceVerdict face) =>
            face.Recorded.Length == 3 && face.Recorded[0] < 40 && face.Recorded[1] > 215 && face.Recorded[2] < 40;
    }

    /// <summary>
    /// SIGKILL the host mid-recording in swap mode: no recorded frame shows a raw face (the
    /// shim masks every face once results are stale, then the whole frame after
    /// fail_closed_timeout_ms), and the new host swaps again.
    /// </summary>
    [Fact]
    public async Task SwapFilter_HostKilled_NoRawFace()
    {
        using var models = SwapScene.Create(FaceImages.Astronaut);
        var tint = models.Tints[0];
        var analyzer = await AnalyzerAsync(models.Tints);
        await using var run = await E2eContext.StartFilterAsync(output, models.Settings(), FirstResultBound);
        var (obs, client) = (run.Obs, run.Client);
        var oldHost = await HostRestartTests.HostProcessAsync(obs, client);
        E2eContext.Log(output, $"host pid {oldHost.Pid} ({oldHost.Command})");

        var recordingStarted = await DiagnosticScene.StartRecordingAsync(client);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var consumedAtKill = JsonCounters.Sum(await FaceSwapStats.GetVendorStatsAsync(client), "resultsConsumed");
        var (killed, newHost, recoveryWallMs) = await E2eContext.KillHostAsync(output, obs, client, oldHost, consumedAtKill, recordingStarted, RecoveryBound);
        var killSeconds = Stopwatch.GetElapsedTime(recordingStarted, killed).TotalSeconds;

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var recording = await DiagnosticScene.StopRecordingAsync(client);
        var (report, vendor, host) = await AnalyzeAsync(obs, client, analyzer, recording);
        var summary = report.Summary(E2eContext.WarmUpSeconds);
        var end = report.Frames[^1].TimeSeconds;
        var beforeKill = Shares(report, tint.Name, E2eContext.WarmUpSeconds, killSeconds - 0.2);
        var lastSecond = Shares(report, tint.Name, end - 1);
        var figures = new SwapKillFigures(
            KillAtSeconds: Math.Round(killSeconds, 3),
            RecoveryWallMs: Math.Round(recoveryWallMs),
            RawFaceFrames: report.RawFaceFrames,
            MinFaceMad: report.MinFaceMad,
            SwappedBeforeKill: Math.Round(beforeKill.Swapped, 3),
            MaskedBeforeKill: Math.Round(beforeKill.Masked, 3),
            NoFaceSwappedFramesAfterKill: report.Between(killSeconds).Count(f => f.NoneSwapped),
            WholeMaskedFramesAfterKill: report.Between(killSeconds).Count(f => f.Privacy.WholeMasked),
            SwappedInLastSecond: Math.Round(lastSecond.Swapped, 3),
            MaskedInLastSecond: Math.Round(lastSecond.Masked, 3),
            RecordedFrames: report.Frames.Count,
            HostRestarts: (long)JsonCounters.Sum(vendor, "hostRestarts"),
            OldHostPid: oldHost.Pid,
            NewHostPid: JsonCounters.All(vendor, "hostPid") is [var pid, ..] ? (int)pid : 0,
            RawFrames: [.. report.Frames.Where(f => f.Privacy.RawFace).Select(f => $"{f.Index} ({f.TimeSeconds:0.000} s, clip frame {f.Privacy.ClipIndex}, {f.Privacy.RawFaceName}, MAD {f.Privacy.MinFaceMad:0.0})")]);
        var figuresJson = JsonSerializer.Serialize(figures, Indented);
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "figures.json"), figuresJson);
        E2eContext.Log(output, summary);
        E2eContext.Log(output, $"figures:\n{figuresJson}");
        E2eContext.Log(output, HostSpeed(vendor, host));

        Assert.True(report.RawFaceFrames == 0, $"{report.RawFaceFrames} recorded frames show a raw face: {summary}");
        Assert.True(figures.SwappedBeforeKill >= 0.9 && figures.MaskedBeforeKill <= MaskedAtMost, $"the faces were not swapped before the kill: {figuresJson}");
        Assert.True(figures.SwappedInLastSecond >= 0.8 && figures.MaskedInLastSecond <= MaskedAtMost, $"the new host does not swap: {figuresJson}");
        Assert.True(PrivacyScene.StageCount(host, "swap") > 0, $"the new host ran no swap stage: {host.GetRawText()}");
    }

    /// <summary>
    /// How well the host kept up: when its latency passes the synced window (videoDelayFrames
    /// at its cap, 7), frames are shown with older results and faces are masked rather than
    /// swapped (fail closed), so the swapped shares drop on a loaded machine.
    /// </summary>
    private static string HostSpeed(JsonElement vendor, JsonElement host)
    {
        var filter = vendor.GetProperty("filters")[0];
        var channel = host.GetProperty("channels")[0];
        var pipeline = channel.GetProperty("pipelineMs");
        return $"host speed: videoDelayFrames {filter.GetProperty("videoDelayFrames").GetInt64()} (cap 7), frames written {filter.GetProperty("framesWritten").GetInt64()}, "
            + $"dropped by the shim {filter.GetProperty("framesDropped").GetInt64()}, host frames in {channel.GetProperty("framesIn").GetInt64()}, "
            + $"pipeline mean {pipeline.GetProperty("mean").GetDouble():0.0} ms, p95 {pipeline.GetProperty("p95").GetDouble():0.0} ms";
    }

    /// <summary>
    /// The swap shares of a window. Swapped: of the frames in which some face is swapped, the share
    /// whose faces are all swapped with <paramref name="tint"/> (patches on the faces, with that
    /// identity). Masked: the share of frames with no face swapped; the shim masks the faces when
    /// the host falls behind the synced window (fail closed), which a loaded machine makes more
    /// frequent (see <see cref="HostSpeed"/>); a raw face there fails the RawFaceFrames check.
    /// </summary>
    private static (double Swapped, double Masked) Shares(SwapReport report, string tint, double fromSeconds, double toSeconds = double.PositiveInfinity)
    {
        var frames = report.Between(fromSeconds, toSeconds);
        var withSwaps = frames.Where(f => !f.NoneSwapped).ToList();
        return (
            withSwaps.Count == 0 ? 0 : withSwaps.Count(f => f.AllSwappedWith(tint)) / (double)withSwaps.Count,
            frames.Count == 0 ? 1 : frames.Count(f => f.NoneSwapped) / (double)frames.Count);
    }

    private static async Task<SwapAnalyzer> AnalyzerAsync(IReadOnlyList<SwapTint> tints)
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        return new SwapAnalyzer(frames, clip.Spec, tints);
    }

    /// <summary>
    /// After a recording: the module's and the host's stats, OBS still running, the recording
    /// analysed; all three written to the artifacts.
    /// </summary>
    private static async Task<(SwapReport Report, JsonElement Vendor, JsonElement Host)> AnalyzeAsync(
        HeadlessObs obs, ObsWebSocketClient client, SwapAnalyzer analyzer, string recordingPath)
    {
        var vendor = await FaceSwapStats.GetVendorStatsAsync(client);
        var host = await FaceSwapStats.GetHostStatsAsync(obs.HostPath, obs.ControlEndpoint);
        obs.EnsureRunning();
        var report = await analyzer.AnalyzeRecordingAsync(recordingPath);
        await report.WriteJsonAsync(Path.Combine(obs.ArtifactDirectory, "swap-analysis.json"));
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "vendor-stats.json"), vendor.GetRawText());
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "host-stats.json"), host.GetRawText());
        return (report, vendor, host);
    }

    private sealed record SwapKillFigures(
        double KillAtSeconds,
        double RecoveryWallMs,
        int RawFaceFrames,
        double MinFaceMad,
        double SwappedBeforeKill,
        double MaskedBeforeKill,
        int NoFaceSwappedFramesAfterKill,
        int WholeMaskedFramesAfterKill,
        double SwappedInLastSecond,
        double MaskedInLastSecond,
        int RecordedFrames,
        long HostRestarts,
        int OldHostPid,
        int NewHostPid,
        IReadOnlyList<string> RawFrames);

    /// <summary>
    /// A temporary folder with an identity folder (copies of fixture faces, one identity each)
    /// and the synthetic models, and the tint each identity gives, computed with the swap
    /// library the host uses (same detector, alignment, embedding and latent code).
    /// </summary>
    /// <remarks>
    /// The models make identities differ by tens of units per channel, where the stand-ins'
    /// defaults differ by about 2: the embedder's projection is <c>[I3 | 0]</c>, so the
    /// embedding is the face crop's mean colour (ArcFace-normalised, then L2-normalised); the
    /// emap is the identity except its top-left 3 x 3 block, <c>I - 0.9 d dT</c> with
    /// <c>d = (1, 0, -1) / sqrt 2</c>, which flattens the warm-cool axis every skin tone shares.
    /// The latent's first three values, and so the tints, then follow how the faces' colours
    /// differ.
    /// </remarks>
}
