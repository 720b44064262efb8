using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Obs.Events;
using ObsFaceSwap.Testing.Obs;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>The obs-websocket client against a real OBS: reconnecting, authentication, typed requests and events.</summary>
public sealed class ObsClientTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Every request type the typed methods send, as obs-websocket 5.1 names them.</summary>
    private static readonly string[] TypedRequests =
    [
        "GetVersion", "GetStats", "CallVendorRequest",
        "GetProfileParameter", "SetProfileParameter", "GetRecordDirectory", "GetStreamServiceSettings",
        "SetStreamServiceSettings", "GetVideoSettings", "SetVideoSettings",
        "GetStreamStatus", "ToggleStream", "StartStream", "StopStream", "SendStreamCaption",
        "GetVirtualCamStatus", "ToggleVirtualCam", "StartVirtualCam", "StopVirtualCam", "GetOutputList", "GetOutputStatus",
        "ToggleOutput", "StartOutput", "StopOutput", "GetOutputSettings", "SetOutputSettings",
        "GetRecordStatus", "StartRecord", "StopRecord", "PauseRecord", "ResumeRecord",
        "GetSceneTransitionList", "SetCurrentSceneTransition", "SetCurrentSceneTransitionDuration", "TriggerStudioModeTransition",
        "CreateScene", "RemoveScene", "SetCurrentProgramScene", "GetCurrentProgramScene",
        "GetSceneItemList", "CreateSceneItem", "GetSceneItemId", "GetSceneItemTransform", "SetSceneItemTransform",
        "SetSceneItemEnabled", "SetSceneItemIndex",
        "CreateInput", "RemoveInput", "GetInputSettings", "SetInputSettings", "GetInputList", "SetInputAudioSyncOffset",
        "CreateSourceFilter", "SetSourceFilterSettings", "GetSourceFilter", "GetSourceFilterList", "RemoveSourceFilter",
        "GetSourceScreenshot",
    ];

    [Fact]
    public async Task The_client_reconnects_after_obs_is_killed_and_after_it_exits_cleanly()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        var options = obs.WebSocketOptions() with
        {
            Reconnect = new ObsReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(1) },
        };
        await using var client = await ObsWebSocketClient.ConnectAsync(options);
        var notifications = new ConcurrentQueue<string>();
        var reconnects = new ConcurrentQueue<ObsReconnectedEventArgs>();
        client.Disconnected += (_, e) => notifications.Enqueue($"Disconnected:{e.WillReconnect}");
        client.Reconnected += (_, e) =>
        {
            notifications.Enqueue("Reconnected");
            reconnects.Enqueue(e);
        };
        using var exit = client.AddEventHandler<ExitStarted>((_, _) =>
        {
            notifications.Enqueue("ExitStarted");
            return ValueTask.CompletedTask;
        });

        // 1. A crash (SIGKILL): the request in flight (a 5 s Sleep batch) fails at once, not after its timeout.
        var inFlight = client.RequestBatchAsync([ObsBatchRequest.Sleep(TimeSpan.FromSeconds(5))], timeout: TimeSpan.FromSeconds(20));
        await Task.Delay(300);
        var clock = Stopwatch.StartNew();
        var restart = obs.RestartAsync(crash: true, downtime: TimeSpan.FromMilliseconds(500));
        var failed = await Assert.ThrowsAsync<ObsConnectionClosedException>(() => inFlight.WaitAsync(Bound));
        var failedAfter = clock.ElapsedMilliseconds;
        // Issued while OBS is down: it waits for the new session (within its 15 s timeout).
        await WaitUntilAsync(() => client.State == ObsConnectionState.Reconnecting);
        var whileDown = client.GetStatsAsync();
        await restart.WaitAsync(Bound);
        var stats = await whileDown.WaitAsync(Bound);
        await client.CreateSceneAsync("AfterCrash");
        var scenes = await client.RequestAsync("GetSceneList");
        E2eContext.Log(output, $"in-flight batch failed after {failedAfter} ms: {failed.Message}");

        // "At once" against the alternative, the 20 s request timeout; the bound includes OBS's
        // death and the client noticing the drop, which a loaded machine may take seconds over.
        Assert.InRange(failedAfter, 0, 8000);
        Assert.True(stats.RenderTotalFrames >= 0);
        Assert.Contains("AfterCrash", scenes.ResponseData!.Value.GetRawText(), StringComparison.Ordinal);

        // 2. A clean exit (SIGINT): ExitStarted arrives before the drop, then the client reconnects again.
        await obs.RestartAsync(crash: false).WaitAsync(Bound);
        await WaitUntilAsync(() => reconnects.Count == 2);
        var version = await client.GetVersionAsync();

        var log = string.Join(", ", notifications);
        E2eContext.Log(output, $"notifications: {log}; reconnects: {string.Join(", ", reconnects.Select(r => $"{r.Attempts} attempts in {r.Downtime.TotalMilliseconds:0} ms"))}");
        Assert.Equal(["Disconnected:True", "Reconnected", "ExitStarted", "Disconnected:True", "Reconnected"], notifications);
        Assert.StartsWith("5.", version.ObsWebSocketVersion, StringComparison.Ordinal);
        Assert.Equal(ObsConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_close_code_4009_and_not_retried()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        var options = obs.WebSocketOptions() with
        {
            Password = "not-the-password",
            Reconnect = new ObsReconnectOptions(),
        };

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ObsConnectionClosedException>(() => ObsWebSocketClient.ConnectAsync(options).WaitAsync(Bound));

        E2eContext.Log(output, $"{ex.Message} after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(4009, ex.CloseCode);
        Assert.Equal(ObsCloseCode.AuthenticationFailed, ex.ObsCloseCode);
        Assert.InRange(clock.ElapsedMilliseconds, 0, 5000);
        // A password with non-ASCII characters is hashed as UTF-8, as the server does: still refused the same way (not a crash).
        var unicode = await Assert.ThrowsAsync<ObsConnectionClosedException>(
            () => ObsWebSocketClient.ConnectAsync(options with { Password = "pässwörd-ß" }).WaitAsync(Bound));
        Assert.Equal(4009, unicode.CloseCode);
    }

    [Fact]
    public async Task Typed_stream_record_and_output_requests_work_against_real_obs()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        // Reconnecting, so that the client outlives the restart below.
        await using var client = await ObsWebSocketClient.ConnectAsync(obs.WebSocketOptions() with { Reconnect = new ObsReconnectOptions() });
        // The harness's profile records with the stream's encoder, and OBS cannot pause a recording
        // whose encoder is shared: give the recording its own encoder ("Small") and restart OBS so
        // that its simple output picks that up.
        await client.SetProfileParameterAsync("SimpleOutput", "RecQuality", "Small");
        await obs.RestartAsync(crash: false);
        await client.WaitUntilConnectedAsync(Bound);
        Assert.Equal("Small", (await client.GetProfileParameterAsync("SimpleOutput", "RecQuality")).ParameterValue);

        var version = await client.GetVersionAsync();
        var missing = TypedRequests.Where(r => !version.AvailableRequests.Contains(r)).ToList();
        Assert.Empty(missing);
        // SetRecordDirectory is newer than obs-websocket 5.1: the server says so with status 204.
        Assert.DoesNotContain("SetRecordDirectory", version.AvailableRequests);
        var newer = await Assert.ThrowsAsync<ObsRequestException>(() => client.SetRecordDirectoryAsync(obs.RecordingDirectory));
        Assert.Equal(ObsRequestStatusCode.UnknownRequestType, newer.Code);

        // Stream: status, destination, and the errors of a stream that is not running.
        var stream = await client.GetStreamStatusAsync();
        await client.SetStreamServiceSettingsAsync("rtmp_custom", new JsonObject { ["server"] = "rtmp://127.0.0.1:1/live", ["key"] = "e2e" });
        var service = await client.GetStreamServiceSettingsAsync();
        var caption = await Assert.ThrowsAsync<ObsRequestException>(() => client.SendStreamCaptionAsync("hello"));
        var stop = await Assert.ThrowsAsync<ObsRequestException>(() => client.StopStreamAsync());
        Assert.False(stream.OutputActive);
        Assert.Equal("00:00:00.000", stream.OutputTimecode);
        Assert.Equal("rtmp_custom", service.StreamServiceType);
        Assert.Equal("rtmp://127.0.0.1:1/live", service.StreamServiceSettings.GetProperty("server").GetString());
        Assert.Equal(ObsRequestStatusCode.OutputNotRunning, caption.Code);
        Assert.Equal(ObsRequestStatusCode.OutputNotRunning, stop.Code);

        // Outputs and config.
        var outputs = await client.GetOutputListAsync();
        E2eContext.Log(output, "outputs: " + string.Join(", ", outputs.Select(o => $"{o.OutputName} ({o.OutputKind})")));
        var fileOutput = Assert.Single(outputs, o => o.OutputKind == "ffmpeg_muxer");
        var fileStatus = await client.GetOutputStatusAsync(fileOutput.OutputName);
        var fileSettings = await client.GetOutputSettingsAsync(fileOutput.OutputName);
        var directory = await client.GetRecordDirectoryAsync();
        var video = await client.GetVideoSettingsAsync();
        var bitrate = await client.GetProfileParameterAsync("SimpleOutput", "VBitrate");
        Assert.False(fileStatus.OutputActive);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, fileSettings.ValueKind);
        Assert.Equal(Path.GetFullPath(obs.RecordingDirectory), Path.GetFullPath(directory));
        Assert.Equal(new ObsVideoSettings(30, 1, 640, 360, 640, 360), video);
        Assert.Equal("4000", bitrate.ParameterValue);
        try
        {
            var vcam = await client.GetVirtualCamStatusAsync();
            E2eContext.Log(output, $"virtual camera available, active {vcam}");
            Assert.False(vcam);
        }
        catch (ObsRequestException ex)
        {
            // No v4l2loopback here: obs-websocket says the virtual camera is not available.
            E2eContext.Log(output, ex.Message);
            Assert.Equal(ObsRequestStatusCode.InvalidResourceState, ex.Code);
        }

        // Record: start, pause, resume, stop, with typed events and a request from inside their handler.
        var states = new ConcurrentQueue<string>();
        using var registration = client.AddEventHandler<RecordStateChanged>(async (evt, ct) =>
        {
            var status = await client.GetRecordStatusAsync(ct);
            states.Enqueue($"{evt.State}:{status.OutputPaused}");
        });
        var started = client.WaitForEventAsync<RecordStateChanged>(e => e.State == ObsOutputState.Started, Bound);
        await client.StartRecordAsync();
        await started;
        await Task.Delay(500);
        var paused = client.WaitForEventAsync<RecordStateChanged>(e => e.State == ObsOutputState.Paused, Bound);
        await client.PauseRecordAsync();
        await paused;
        // libobs pauses and resumes on frame boundaries: a pause shorter than a few frames can
        // leave the muxer waiting for a stop timestamp that never comes (stop then hangs).
        await Task.Delay(500);
        var whilePaused = await client.GetRecordStatusAsync();
        var pausedAgain = await Assert.ThrowsAsync<ObsRequestException>(() => client.PauseRecordAsync());
        var resumed = client.WaitForEventAsync<RecordStateChanged>(e => e.State == ObsOutputState.Resumed, Bound);
        await client.ResumeRecordAsync();
        await resumed;
        // The muxer reports bytes once the encoder's first packets reach it: later on a loaded machine.
        var recording = await client.GetOutputStatusAsync(fileOutput.OutputName);
        await WaitUntilAsync(async () => (recording = await client.GetOutputStatusAsync(fileOutput.OutputName)).OutputBytes > 0);
        var stopped = client.WaitForEventAsync<RecordStateChanged>(e => e.State == ObsOutputState.Stopped, Bound);
        var path = await client.StopRecordAsync();
        var stoppedEvent = await stopped;
        await WaitUntilAsync(() => states.Count >= 6);

        E2eContext.Log(output, $"record states: {string.Join(", ", states)}; file {path}");
        Assert.True(whilePaused.OutputPaused);
        Assert.Equal(ObsRequestStatusCode.OutputPaused, pausedAgain.Code);
        Assert.True(recording.OutputActive);
        Assert.True(recording.OutputBytes > 0);
        Assert.True(File.Exists(path), path);
        Assert.StartsWith(Path.GetFullPath(obs.RecordingDirectory), path, StringComparison.Ordinal);
        Assert.Equal(path, stoppedEvent.OutputPath);
        Assert.Equal(
            [ObsOutputState.Starting, ObsOutputState.Started, ObsOutputState.Paused, ObsOutputState.Resumed, ObsOutputState.Stopping, ObsOutputState.Stopped],
            states.Select(s => Enum.Parse<ObsOutputState>(s.Split(':')[0])));
    }

    [Fact]
    public async Task Typed_scene_item_input_filter_and_transition_requests_work_against_real_obs()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.All);

        await client.CreateSceneAsync("Typed");
        await client.CreateSceneAsync("Other");
        var itemId = await client.CreateInputAsync("Typed", "Red", "color_source_v3", new JsonObject { ["color"] = 0xFF0000FF, ["width"] = 320, ["height"] = 180 });
        var copyId = await client.CreateSceneItemAsync("Other", "Red", sceneItemEnabled: false);
        var foundId = await client.GetSceneItemIdAsync("Typed", "Red");
        await client.SetSceneItemTransformAsync("Typed", itemId, new JsonObject { ["positionX"] = 40.0, ["positionY"] = 30.0, ["cropLeft"] = 8 });
        var transform = await client.GetSceneItemTransformAsync("Typed", itemId);
        await client.SetSceneItemEnabledAsync("Typed", itemId, false);
        var items = await client.GetSceneItemListAsync("Typed");
        await client.CreateInputAsync("Typed", "Blue", "color_source_v3", new JsonObject { ["color"] = 0xFFFF0000 });
        await client.SetSceneItemIndexAsync("Typed", itemId, 1);
        var reordered = await client.GetSceneItemListAsync("Typed");

        Assert.Equal(itemId, foundId);
        Assert.True(copyId > 0);
        Assert.Equal((40.0, 30.0, 8), (transform.PositionX, transform.PositionY, transform.CropLeft));
        Assert.Equal(320.0, transform.SourceWidth);
        var item = Assert.Single(items);
        Assert.Equal(("Red", "color_source_v3", false), (item.SourceName, item.InputKind, item.SceneItemEnabled));
        Assert.Equal(["Blue", "Red"], reordered.Select(i => i.SourceName));

        // Inputs: settings overlay (the default) merges, overlay: false replaces; list; audio sync offset.
        await client.SetInputSettingsAsync("Red", new JsonObject { ["width"] = 200 });
        var merged = await client.GetInputSettingsAsync("Red");
        await client.SetInputSettingsAsync("Red", new JsonObject { ["height"] = 100 }, overlay: false);
        var replaced = await client.GetInputSettingsAsync("Red");
        var colorInputs = await client.GetInputListAsync("color_source_v3");
        // A colour source has no audio (status 604); a media source has.
        var noAudio = await Assert.ThrowsAsync<ObsRequestException>(() => client.SetInputAudioSyncOffsetAsync("Red", TimeSpan.FromMilliseconds(120)));
        await client.CreateInputAsync("Other", "Media", "ffmpeg_source");
        await client.SetInputAudioSyncOffsetAsync("Media", TimeSpan.FromMilliseconds(120));
        var offset = await client.RequestAsync("GetInputAudioSyncOffset", new JsonObject { ["inputName"] = "Media" });
        Assert.Equal(ObsRequestStatusCode.InvalidResourceState, noAudio.Code);
        Assert.Equal((200, 180), (merged.InputSettings.GetProperty("width").GetInt32(), merged.InputSettings.GetProperty("height").GetInt32()));
        Assert.False(replaced.InputSettings.TryGetProperty("width", out _));
        Assert.Equal(["Blue", "Red"], colorInputs.Select(i => i.InputName).Order());
        Assert.Equal(120, offset.ResponseData!.Value.GetProperty("inputAudioSyncOffset").GetInt32());

        // Filters.
        await client.CreateSourceFilterAsync("Red", "Grade", "color_filter_v2", new JsonObject { ["brightness"] = 0.1 });
        await client.CreateSourceFilterAsync("Red", "Crop", "crop_filter");
        var filters = await client.GetSourceFilterListAsync("Red");
        await client.RemoveSourceFilterAsync("Red", "Grade");
        var left = await client.GetSourceFilterListAsync("Red");
        Assert.Equal(["Grade", "Crop"], filters.Select(f => f.FilterName));
        Assert.Equal(0.1, filters[0].FilterSettings.GetProperty("brightness").GetDouble(), 6);
        Assert.Equal(["Crop"], left.Select(f => f.FilterName));

        // Transitions and the program scene (typed event, request from its handler).
        var transitions = await client.GetSceneTransitionListAsync();
        await client.SetCurrentSceneTransitionAsync("Cut");
        await client.SetCurrentSceneTransitionDurationAsync(TimeSpan.FromMilliseconds(150));
        var studio = await Assert.ThrowsAsync<ObsRequestException>(() => client.TriggerStudioModeTransitionAsync());
        var seenProgram = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sceneHandler = client.AddEventHandler<CurrentProgramSceneChanged>(async (evt, ct) =>
            seenProgram.TrySetResult($"{evt.SceneName}={await client.GetCurrentProgramSceneAsync(ct)}"));
        await client.SetCurrentProgramSceneAsync("Other");
        var program = await seenProgram.Task.WaitAsync(Bound);
        var after = await client.GetSceneTransitionListAsync();
        E2eContext.Log(output, $"transitions: {string.Join(", ", transitions.Transitions.Select(t => t.TransitionName))}; program {program}");
        Assert.Contains(transitions.Transitions, t => t.TransitionName == "Cut");
        Assert.Equal("Cut", after.CurrentSceneTransitionName);
        Assert.Equal(ObsRequestStatusCode.StudioModeNotActive, studio.Code);
        Assert.Equal("Other=Other", program);

        // Removing. OBS releases a removed source on its own schedule: its name may resolve for a
        // moment after the request returns, so wait (bounded) until it no longer does.
        await client.RemoveInputAsync("Blue");
        await client.RemoveSceneAsync("Typed");
        ObsRequestException? gone = null;
        await WaitUntilAsync(async () =>
        {
            try
            {
                await client.GetSceneItemListAsync("Typed");
                return false;
            }
            catch (ObsRequestException ex)
            {
                gone = ex;
                return true;
            }
        });
        Assert.Equal(ObsRequestStatusCode.ResourceNotFound, gone!.Code);
        await WaitUntilAsync(async () => (await client.GetInputListAsync("color_source_v3")).All(i => i.InputName != "Blue"));
        Assert.Equal(["Red"], (await client.GetInputListAsync("color_source_v3")).Select(i => i.InputName));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Bound, "condition not met in time");
            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Bound, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
