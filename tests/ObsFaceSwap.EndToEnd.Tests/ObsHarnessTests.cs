using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Scenario;
using ObsFaceSwap.Testing.Video;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>The harness and the obs-websocket client against a real OBS, without the module.</summary>
public sealed class ObsHarnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Obs_starts_headless_and_answers_over_websocket()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        await using var client = await obs.ConnectAsync();

        var version = await client.GetVersionAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var before = await client.GetStatsAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = await client.GetStatsAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        var batch = await client.RequestBatchAsync(
            [new ObsBatchRequest("GetVersion"), ObsBatchRequest.Sleep(TimeSpan.FromMilliseconds(50)), new ObsBatchRequest("NoSuchRequest")]);

        E2eContext.Log(output, $"OBS {version.ObsVersion}, obs-websocket {version.ObsWebSocketVersion}, rpc {client.NegotiatedRpcVersion}, {version.Platform}");
        Assert.StartsWith("29.", version.ObsVersion, StringComparison.Ordinal);
        Assert.StartsWith("5.", version.ObsWebSocketVersion, StringComparison.Ordinal);
        Assert.Contains("CallVendorRequest", version.AvailableRequests);
        // OBS renders about 30 frames a second (software rendering, 640x360). The two GetStats were
        // taken at least the 1 s delay apart and at most the clock's time (more than 1 s on a loaded
        // machine, which answers requests later): a stalled or double-counting renderer falls outside.
        Assert.InRange(after.RenderTotalFrames - before.RenderTotalFrames, 0.65 * 30 * 1.0, (30 * seconds) + 1);
        Assert.Equal(3, batch.Count);
        Assert.True(batch[0].Status.Result);
        Assert.True(batch[1].Status.Result);
        Assert.Equal(ObsRequestStatusCode.UnknownRequestType, batch[2].Status.Code);
        var ex = await Assert.ThrowsAsync<ObsRequestException>(() => client.GetSourceFilterAsync("NoSuchSource", "NoSuchFilter"));
        Assert.Equal(ObsRequestStatusCode.ResourceNotFound, ex.Code);
        E2eContext.Log(output, $"expected failure: {ex.Message}");
    }

    [Fact]
    public async Task Wrong_password_is_refused_with_close_code_4009()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));

        var ex = await Assert.ThrowsAsync<ObsConnectionClosedException>(
            () => ObsWebSocketClient.ConnectAsync(obs.WebSocketOptions() with { Password = "not-the-password" }));

        Assert.Equal(ObsCloseCode.AuthenticationFailed, ex.ObsCloseCode);
        E2eContext.Log(output, ex.Message);
    }

    [Fact]
    public async Task Media_source_recording_matches_the_clip()
    {
        var analyzer = await E2eContext.AnalyzerAsync();
        var (clip, _) = await E2eContext.ClipAsync();
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        await using var client = await obs.ConnectAsync();
        await DiagnosticScene.SetUpAsync(client, clip, filterSettings: null);
        await Task.Delay(500);

        var recording = await DiagnosticScene.RecordTimedAsync(client, TimeSpan.FromSeconds(3));

        var report = await analyzer.AnalyzeRecordingAsync(recording.Path);
        await report.WriteJsonAsync(Path.Combine(obs.ArtifactDirectory, "analysis.json"));
        E2eContext.Log(output, report.Summary(E2eContext.WarmUpSeconds));
        Assert.Equal("h264", report.Probe.VideoCodec);
        Assert.Equal((640, 360), (report.Probe.Width, report.Probe.Height));
        Assert.Equal(30, report.Fps, 1);
        Assert.Equal("aac", report.Probe.AudioCodec);
        E2eContext.AssertFrameCount(report.Frames.Count, recording);
        // Without the filter the centre is the source and nothing is inverted.
        Assert.True(report.Fraction(CentreState.Source, E2eContext.WarmUpSeconds) >= 0.95, report.Summary(E2eContext.WarmUpSeconds));
        Assert.True(report.FractionOutsideMatching(E2eContext.WarmUpSeconds) >= 0.95, report.Summary(E2eContext.WarmUpSeconds));
        Assert.Equal(0, report.Fraction(CentreState.Inverted));
    }

    [Fact]
    public async Task Typed_requests_work_against_real_obs()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        await using var client = await obs.ConnectAsync();

        await client.CreateSceneAsync("Typed");
        var itemId = await client.CreateInputAsync("Typed", "Red", "color_source_v3", new JsonObject
        {
            ["color"] = 0xFF0000FF,
            ["width"] = 640,
            ["height"] = 360,
        });
        await client.CreateSourceFilterAsync("Red", "Grade", "color_filter_v2", new JsonObject { ["brightness"] = 0.1 });
        await client.SetSourceFilterSettingsAsync("Red", "Grade", new JsonObject { ["contrast"] = 0.2 });
        var overlaid = await client.GetSourceFilterAsync("Red", "Grade");
        await client.SetSourceFilterSettingsAsync("Red", "Grade", new JsonObject { ["saturation"] = 0.3 }, overlay: false);
        var replaced = await client.GetSourceFilterAsync("Red", "Grade");
        await client.SetCurrentProgramSceneAsync("Typed");
        await client.SetProfileParameterAsync("SimpleOutput", "VBitrate", "4000");
        var profile = await client.RequestAsync("GetProfileParameter", new JsonObject
        {
            ["parameterCategory"] = "SimpleOutput",
            ["parameterName"] = "VBitrate",
        });
        var shot = await client.GetSourceScreenshotAsync("Typed", "png", 320, 180);
        var unknownVendor = await Assert.ThrowsAsync<ObsRequestException>(() => client.CallVendorRequestAsync("no-such-vendor", "GetStats"));

        Assert.True(itemId > 0);
        Assert.Equal("color_filter_v2", overlaid.FilterKind);
        // Overlay (the default) merges: both keys are set.
        Assert.Equal(0.1, overlaid.FilterSettings.GetProperty("brightness").GetDouble(), 6);
        Assert.Equal(0.2, overlaid.FilterSettings.GetProperty("contrast").GetDouble(), 6);
        // overlay: false replaces: the earlier keys are gone.
        Assert.False(replaced.FilterSettings.TryGetProperty("brightness", out _));
        Assert.Equal(0.3, replaced.FilterSettings.GetProperty("saturation").GetDouble(), 6);
        Assert.Equal("4000", profile.ResponseData!.Value.GetProperty("parameterValue").GetString());
        var png = shot.GetImageBytes();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        await File.WriteAllBytesAsync(Path.Combine(obs.ArtifactDirectory, "screenshot.png"), png);
        Assert.Equal(ObsRequestStatusCode.ResourceNotFound, unknownVendor.Code);
    }

    [Fact]
    public async Task Record_status_and_events_follow_a_recording()
    {
        var (clip, _) = await E2eContext.ClipAsync();
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.Outputs);
        var states = new List<string>();
        using var registration = client.AddEventHandler(async (evt, ct) =>
        {
            if (evt.EventType == "RecordStateChanged")
            {
                // A request from inside a handler, against the real server.
                var status = await client.GetRecordStatusAsync(ct);
                lock (states)
                {
                    states.Add($"{evt.GetString("outputState")}:{status.OutputActive}");
                }
            }
        });
        await DiagnosticScene.SetUpAsync(client, clip, filterSettings: null);

        await DiagnosticScene.StartRecordingAsync(client);
        await Task.Delay(1000);
        var during = await client.GetRecordStatusAsync();
        var path = await DiagnosticScene.StopRecordingAsync(client);
        // The handler asks GetRecordStatus before it notes the state: wait (bounded) for the fourth.
        await E2eContext.WaitAsync(
            () =>
            {
                lock (states)
                {
                    return states.Count >= 4;
                }
            },
            TimeSpan.FromSeconds(10),
            throwOnTimeout: false);

        Assert.True(during.OutputActive);
        Assert.True(during.OutputDuration > 500, $"duration {during.OutputDuration} ms");
        Assert.True(File.Exists(path), path);
        Assert.StartsWith(obs.RecordingDirectory, path, StringComparison.Ordinal);
        lock (states)
        {
            E2eContext.Log(output, string.Join(", ", states));
            Assert.Equal(
                ["OBS_WEBSOCKET_OUTPUT_STARTING", "OBS_WEBSOCKET_OUTPUT_STARTED", "OBS_WEBSOCKET_OUTPUT_STOPPING", "OBS_WEBSOCKET_OUTPUT_STOPPED"],
                states.Select(s => s.Split(':')[0]));
        }
    }
}
