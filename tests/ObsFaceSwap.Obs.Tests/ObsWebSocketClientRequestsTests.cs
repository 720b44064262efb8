using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs.Tests;

/// <summary>The typed request methods: field names on the wire and response parsing.</summary>
#pragma warning disable CA1001 // xunit disposes the server through IAsyncLifetime.DisposeAsync.
public sealed class ObsWebSocketClientRequestsTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly FakeObsServer _server = new();
    private readonly Dictionary<string, JsonObject> _replies = new(StringComparer.Ordinal);
    private ObsWebSocketClient _client = null!;

    public async Task InitializeAsync()
    {
        _server.OnRequest = (type, _) =>
            Task.FromResult<FakeReply?>(FakeReply.Ok(_replies.TryGetValue(type, out var data) ? data : null));
        _client = await ObsWebSocketClient.ConnectAsync(new ObsWebSocketOptions { Uri = _server.Uri, Password = "fake-password" });
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private JsonElement LastRequestData(string requestType) =>
        _server.ReceivedOp(ObsOpCode.Request)
            .Select(m => m.GetProperty("d"))
            .Last(d => d.GetProperty("requestType").GetString() == requestType)
            .GetProperty("requestData");

    [Fact]
    public async Task SetSourceFilterSettings_overlays_by_default()
    {
        var settings = new JsonObject { ["mode"] = "diagnostic" };

        await _client.SetSourceFilterSettingsAsync("Clip", "FaceSwap", settings);
        await _client.SetSourceFilterSettingsAsync("Clip", "FaceSwap", settings, overlay: false);

        var requests = _server.ReceivedOp(ObsOpCode.Request).Select(m => m.GetProperty("d").GetProperty("requestData")).ToList();
        Assert.True(requests[0].GetProperty("overlay").GetBoolean());
        Assert.False(requests[1].GetProperty("overlay").GetBoolean());
        Assert.Equal("diagnostic", requests[0].GetProperty("filterSettings").GetProperty("mode").GetString());
        Assert.Equal("FaceSwap", requests[0].GetProperty("filterName").GetString());
    }

    [Fact]
    public async Task CreateInput_and_CreateSourceFilter_send_protocol_field_names()
    {
        _replies["CreateInput"] = new JsonObject { ["sceneItemId"] = 7 };

        var itemId = await _client.CreateInputAsync("Scene", "Clip", "ffmpeg_source", new JsonObject { ["local_file"] = "/c.mp4", ["looping"] = true });
        await _client.CreateSourceFilterAsync("Clip", "FaceSwap", "obs_faceswap_filter", new JsonObject { ["mode"] = "diagnostic" });

        Assert.Equal(7, itemId);
        var input = LastRequestData("CreateInput");
        Assert.Equal("Scene", input.GetProperty("sceneName").GetString());
        Assert.Equal("Clip", input.GetProperty("inputName").GetString());
        Assert.Equal("ffmpeg_source", input.GetProperty("inputKind").GetString());
        Assert.True(input.GetProperty("inputSettings").GetProperty("looping").GetBoolean());
        Assert.True(input.GetProperty("sceneItemEnabled").GetBoolean());
        var filter = LastRequestData("CreateSourceFilter");
        Assert.Equal("obs_faceswap_filter", filter.GetProperty("filterKind").GetString());
        Assert.Equal("diagnostic", filter.GetProperty("filterSettings").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Settings_objects_can_be_reused_across_requests()
    {
        var settings = new JsonObject { ["mode"] = "off" };

        await _client.CreateSourceFilterAsync("Clip", "A", "obs_faceswap_filter", settings);
        await _client.CreateSourceFilterAsync("Clip", "B", "obs_faceswap_filter", settings);

        Assert.Null(settings.Parent);
    }

    [Fact]
    public async Task GetStats_parses_counters()
    {
        _replies["GetStats"] = JsonNode.Parse("""
            {"cpuUsage":3.5,"memoryUsage":210.2,"availableDiskSpace":10000.0,"activeFps":30.0000003,
             "averageFrameRenderTime":1.2,"renderSkippedFrames":2,"renderTotalFrames":900,
             "outputSkippedFrames":0,"outputTotalFrames":880,"webSocketSessionIncomingMessages":4,
             "webSocketSessionOutgoingMessages":5}
            """)!.AsObject();

        var stats = await _client.GetStatsAsync();

        Assert.Equal(900, stats.RenderTotalFrames);
        Assert.Equal(2, stats.RenderSkippedFrames);
        Assert.Equal(30.0, stats.ActiveFps, 3);
    }

    [Fact]
    public async Task GetVersion_parses_versions()
    {
        _replies["GetVersion"] = JsonNode.Parse("""
            {"obsVersion":"29.0.2","obsWebSocketVersion":"5.1.0","rpcVersion":1,"availableRequests":["GetVersion"],
             "supportedImageFormats":["png","jpg"],"platform":"linux","platformDescription":"Debian"}
            """)!.AsObject();

        var version = await _client.GetVersionAsync();

        Assert.Equal("29.0.2", version.ObsVersion);
        Assert.Contains("png", version.SupportedImageFormats);
    }

    [Fact]
    public async Task CallVendorRequest_wraps_vendor_fields_and_returns_the_vendor_answer()
    {
        _replies["CallVendorRequest"] = JsonNode.Parse("""
            {"vendorName":"obs-faceswap","requestType":"GetStats","responseData":{"framesWritten":12}}
            """)!.AsObject();

        var answer = await _client.CallVendorRequestAsync("obs-faceswap", "GetStats");

        Assert.Equal(12, answer.ResponseData.GetProperty("framesWritten").GetInt32());
        var sent = LastRequestData("CallVendorRequest");
        Assert.Equal("obs-faceswap", sent.GetProperty("vendorName").GetString());
        Assert.Equal("GetStats", sent.GetProperty("requestType").GetString());
        Assert.False(sent.TryGetProperty("requestData", out _));
    }

    [Fact]
    public async Task CallVendorRequest_sends_vendor_request_data_when_given()
    {
        _replies["CallVendorRequest"] = JsonNode.Parse("""{"vendorName":"v","requestType":"T","responseData":{}}""")!.AsObject();

        await _client.CallVendorRequestAsync("v", "T", new JsonObject { ["channel"] = 3 });

        Assert.Equal(3, LastRequestData("CallVendorRequest").GetProperty("requestData").GetProperty("channel").GetInt32());
    }

    [Fact]
    public async Task Record_requests_parse_status_and_output_path()
    {
        _replies["StopRecord"] = new JsonObject { ["outputPath"] = "/rec/a.mkv" };
        _replies["GetRecordStatus"] = JsonNode.Parse("""
            {"outputActive":true,"outputPaused":false,"outputTimecode":"00:00:01.000","outputDuration":1000,"outputBytes":4096}
            """)!.AsObject();

        await _client.StartRecordAsync();
        var status = await _client.GetRecordStatusAsync();
        var path = await _client.StopRecordAsync();

        Assert.True(status.OutputActive);
        Assert.Equal(1000, status.OutputDuration);
        Assert.Equal("/rec/a.mkv", path);
    }

    [Fact]
    public async Task SetProfileParameter_and_scenes_send_protocol_field_names()
    {
        await _client.SetProfileParameterAsync("SimpleOutput", "VBitrate", "4000");
        await _client.CreateSceneAsync("E2E");
        await _client.SetCurrentProgramSceneAsync("E2E");

        var profile = LastRequestData("SetProfileParameter");
        Assert.Equal("SimpleOutput", profile.GetProperty("parameterCategory").GetString());
        Assert.Equal("VBitrate", profile.GetProperty("parameterName").GetString());
        Assert.Equal("4000", profile.GetProperty("parameterValue").GetString());
        Assert.Equal("E2E", LastRequestData("SetCurrentProgramScene").GetProperty("sceneName").GetString());
    }

    [Fact]
    public async Task GetSourceScreenshot_decodes_the_data_uri()
    {
        _replies["GetSourceScreenshot"] = new JsonObject { ["imageData"] = "data:image/png;base64," + Convert.ToBase64String([1, 2, 3]) };

        var shot = await _client.GetSourceScreenshotAsync("Scene", "png", 64, 36);

        Assert.Equal([1, 2, 3], shot.GetImageBytes());
        var sent = LastRequestData("GetSourceScreenshot");
        Assert.Equal(64, sent.GetProperty("imageWidth").GetInt32());
        Assert.False(sent.TryGetProperty("imageCompressionQuality", out _));
    }

    [Fact]
    public async Task GetSourceFilter_parses_the_filter()
    {
        _replies["GetSourceFilter"] = JsonNode.Parse("""
            {"filterEnabled":true,"filterIndex":0,"filterKind":"obs_faceswap_filter","filterSettings":{"mode":"diagnostic"}}
            """)!.AsObject();

        var filter = await _client.GetSourceFilterAsync("Clip", "FaceSwap");

        Assert.True(filter.FilterEnabled);
        Assert.Equal("diagnostic", filter.FilterSettings.GetProperty("mode").GetString());
    }

    private JsonElement? LastRequestDataOrNull(string requestType) =>
        _server.ReceivedOp(ObsOpCode.Request)
            .Select(m => m.GetProperty("d"))
            .Last(d => d.GetProperty("requestType").GetString() == requestType) is var d && d.TryGetProperty("requestData", out var data)
            ? data
            : null;

    private static readonly JsonObject OutputStatus = JsonNode.Parse("""
        {"outputActive":true,"outputReconnecting":false,"outputTimecode":"00:00:02.000","outputDuration":2000,
         "outputCongestion":0.25,"outputBytes":1234,"outputSkippedFrames":1,"outputTotalFrames":60}
        """)!.AsObject();

    [Fact]
    public async Task Stream_requests_send_protocol_names_and_parse_the_status()
    {
        _replies["GetStreamStatus"] = OutputStatus;
        _replies["ToggleStream"] = new JsonObject { ["outputActive"] = true };

        var status = await _client.GetStreamStatusAsync();
        var active = await _client.ToggleStreamAsync();
        await _client.StartStreamAsync();
        await _client.StopStreamAsync();
        await _client.SendStreamCaptionAsync("hello");

        Assert.True(status.OutputActive);
        Assert.Equal(0.25, status.OutputCongestion, 6);
        Assert.Equal(60, status.OutputTotalFrames);
        Assert.True(active);
        Assert.Null(LastRequestDataOrNull("StartStream"));
        Assert.Null(LastRequestDataOrNull("StopStream"));
        Assert.Equal("hello", LastRequestData("SendStreamCaption").GetProperty("captionText").GetString());
    }

    [Fact]
    public async Task Output_requests_send_protocol_names_and_parse_answers()
    {
        _replies["GetVirtualCamStatus"] = new JsonObject { ["outputActive"] = false };
        _replies["GetOutputList"] = JsonNode.Parse("""
            {"outputs":[{"outputName":"simple_file_output","outputKind":"ffmpeg_muxer","outputWidth":640,"outputHeight":360,
              "outputActive":false,"outputFlags":{"OBS_OUTPUT_VIDEO":true}}]}
            """)!.AsObject();
        _replies["GetOutputStatus"] = OutputStatus;
        _replies["GetOutputSettings"] = JsonNode.Parse("""{"outputSettings":{"path":"/rec/x.mkv"}}""")!.AsObject();

        Assert.False(await _client.GetVirtualCamStatusAsync());
        await _client.StartVirtualCamAsync();
        await _client.StopVirtualCamAsync();
        var outputs = await _client.GetOutputListAsync();
        var status = await _client.GetOutputStatusAsync("simple_file_output");
        await _client.StartOutputAsync("simple_file_output");
        await _client.StopOutputAsync("simple_file_output");
        var settings = await _client.GetOutputSettingsAsync("simple_file_output");
        await _client.SetOutputSettingsAsync("simple_file_output", new JsonObject { ["muxer_settings"] = "" });

        var output = Assert.Single(outputs);
        Assert.Equal(("simple_file_output", "ffmpeg_muxer", 640), (output.OutputName, output.OutputKind, output.OutputWidth));
        Assert.True(output.OutputFlags.GetProperty("OBS_OUTPUT_VIDEO").GetBoolean());
        Assert.Equal(2000, status.OutputDuration);
        Assert.Equal("/rec/x.mkv", settings.GetProperty("path").GetString());
        foreach (var type in new[] { "GetOutputStatus", "StartOutput", "StopOutput", "GetOutputSettings", "SetOutputSettings" })
        {
            Assert.Equal("simple_file_output", LastRequestData(type).GetProperty("outputName").GetString());
        }

        Assert.Equal("", LastRequestData("SetOutputSettings").GetProperty("outputSettings").GetProperty("muxer_settings").GetString());
    }

    [Fact]
    public async Task Pause_and_resume_record_are_sent_by_name()
    {
        await _client.PauseRecordAsync();
        await _client.ResumeRecordAsync();

        Assert.Equal(
            ["PauseRecord", "ResumeRecord"],
            _server.ReceivedOp(ObsOpCode.Request).Select(m => m.GetProperty("d").GetProperty("requestType").GetString()));
    }

    [Fact]
    public async Task Config_requests_send_protocol_names_and_parse_answers()
    {
        _replies["GetProfileParameter"] = new JsonObject { ["parameterValue"] = "4000", ["defaultParameterValue"] = null };
        _replies["GetRecordDirectory"] = new JsonObject { ["recordDirectory"] = "/rec" };
        _replies["GetStreamServiceSettings"] = JsonNode.Parse("""
            {"streamServiceType":"rtmp_custom","streamServiceSettings":{"server":"rtmp://127.0.0.1/live","key":"k"}}
            """)!.AsObject();
        _replies["GetVideoSettings"] = JsonNode.Parse("""
            {"fpsNumerator":30,"fpsDenominator":1,"baseWidth":640,"baseHeight":360,"outputWidth":320,"outputHeight":180}
            """)!.AsObject();

        var parameter = await _client.GetProfileParameterAsync("SimpleOutput", "VBitrate");
        var directory = await _client.GetRecordDirectoryAsync();
        await _client.SetRecordDirectoryAsync("/elsewhere");
        var service = await _client.GetStreamServiceSettingsAsync();
        await _client.SetStreamServiceSettingsAsync("rtmp_custom", new JsonObject { ["server"] = "rtmp://127.0.0.1/a", ["key"] = "b" });
        var video = await _client.GetVideoSettingsAsync();
        await _client.SetVideoSettingsAsync(outputWidth: 640, outputHeight: 360);

        Assert.Equal(new ObsProfileParameter("4000", null), parameter);
        Assert.Equal("/rec", directory);
        Assert.Equal("/elsewhere", LastRequestData("SetRecordDirectory").GetProperty("recordDirectory").GetString());
        Assert.Equal("rtmp_custom", service.StreamServiceType);
        Assert.Equal("k", service.StreamServiceSettings.GetProperty("key").GetString());
        var setService = LastRequestData("SetStreamServiceSettings");
        Assert.Equal("rtmp_custom", setService.GetProperty("streamServiceType").GetString());
        Assert.Equal("b", setService.GetProperty("streamServiceSettings").GetProperty("key").GetString());
        Assert.Equal(new ObsVideoSettings(30, 1, 640, 360, 320, 180), video);
        var setVideo = LastRequestData("SetVideoSettings");
        Assert.Equal(["outputWidth", "outputHeight"], setVideo.EnumerateObject().Select(p => p.Name));
        var getParameter = LastRequestData("GetProfileParameter");
        Assert.Equal("SimpleOutput", getParameter.GetProperty("parameterCategory").GetString());
        Assert.Equal("VBitrate", getParameter.GetProperty("parameterName").GetString());
    }

    [Fact]
    public async Task Transition_requests_send_protocol_names_and_parse_the_list()
    {
        _replies["GetSceneTransitionList"] = JsonNode.Parse("""
            {"currentSceneTransitionName":"Fade","currentSceneTransitionKind":"fade_transition","transitions":[
              {"transitionName":"Cut","transitionKind":"cut_transition","transitionFixed":true,"transitionConfigurable":false},
              {"transitionName":"Fade","transitionKind":"fade_transition","transitionFixed":false,"transitionConfigurable":false}]}
            """)!.AsObject();

        var list = await _client.GetSceneTransitionListAsync();
        await _client.SetCurrentSceneTransitionAsync("Cut");
        await _client.SetCurrentSceneTransitionDurationAsync(TimeSpan.FromMilliseconds(300));
        await _client.TriggerStudioModeTransitionAsync();

        Assert.Equal("Fade", list.CurrentSceneTransitionName);
        Assert.Equal(["Cut", "Fade"], list.Transitions.Select(t => t.TransitionName));
        Assert.True(list.Transitions[0].TransitionFixed);
        Assert.Equal("Cut", LastRequestData("SetCurrentSceneTransition").GetProperty("transitionName").GetString());
        Assert.Equal(300, LastRequestData("SetCurrentSceneTransitionDuration").GetProperty("transitionDuration").GetInt32());
    }

    [Fact]
    public async Task Scene_and_scene_item_requests_send_protocol_names_and_parse_answers()
    {
        _replies["CreateSceneItem"] = new JsonObject { ["sceneItemId"] = 3 };
        _replies["GetSceneItemId"] = new JsonObject { ["sceneItemId"] = 3 };
        _replies["GetCurrentProgramScene"] = new JsonObject { ["currentProgramSceneName"] = "Live" };
        var transform = """
            {"positionX":10,"positionY":20,"rotation":0,"scaleX":0.5,"scaleY":0.5,"width":320,"height":180,"sourceWidth":640,
             "sourceHeight":360,"alignment":5,"boundsType":"OBS_BOUNDS_NONE","boundsAlignment":0,"boundsWidth":0,"boundsHeight":0,
             "cropLeft":1,"cropRight":2,"cropTop":3,"cropBottom":4}
            """;
        _replies["GetSceneItemTransform"] = JsonNode.Parse($$"""{"sceneItemTransform":{{transform}}}""")!.AsObject();
        _replies["GetSceneItemList"] = JsonNode.Parse($$"""
            {"sceneItems":[{"sceneItemId":3,"sceneItemIndex":0,"sourceName":"Clip","sourceType":"OBS_SOURCE_TYPE_INPUT",
              "inputKind":"ffmpeg_source","isGroup":null,"sceneItemEnabled":true,"sceneItemLocked":false,
              "sceneItemBlendMode":"OBS_BLEND_NORMAL","sceneItemTransform":{{transform}}}]}
            """)!.AsObject();

        await _client.RemoveSceneAsync("Old");
        var program = await _client.GetCurrentProgramSceneAsync();
        var items = await _client.GetSceneItemListAsync("Live");
        var created = await _client.CreateSceneItemAsync("Live", "Clip", sceneItemEnabled: false);
        var found = await _client.GetSceneItemIdAsync("Live", "Clip", searchOffset: -1);
        var got = await _client.GetSceneItemTransformAsync("Live", 3);
        await _client.SetSceneItemTransformAsync("Live", 3, new JsonObject { ["positionX"] = 100.0 });
        await _client.SetSceneItemEnabledAsync("Live", 3, false);
        await _client.SetSceneItemIndexAsync("Live", 3, 1);

        Assert.Equal("Old", LastRequestData("RemoveScene").GetProperty("sceneName").GetString());
        Assert.Equal("Live", program);
        var item = Assert.Single(items);
        Assert.Equal((3L, "Clip", "ffmpeg_source", true), (item.SceneItemId, item.SourceName, item.InputKind, item.SceneItemEnabled));
        Assert.Equal(0.5, item.SceneItemTransform!.ScaleX);
        Assert.Equal(3, created);
        Assert.False(LastRequestData("CreateSceneItem").GetProperty("sceneItemEnabled").GetBoolean());
        Assert.Equal(3, found);
        Assert.Equal(-1, LastRequestData("GetSceneItemId").GetProperty("searchOffset").GetInt32());
        Assert.Equal((10.0, 4), (got.PositionX, got.CropBottom));
        var setTransform = LastRequestData("SetSceneItemTransform");
        Assert.Equal(3, setTransform.GetProperty("sceneItemId").GetInt64());
        Assert.Equal(100.0, setTransform.GetProperty("sceneItemTransform").GetProperty("positionX").GetDouble());
        Assert.False(LastRequestData("SetSceneItemEnabled").GetProperty("sceneItemEnabled").GetBoolean());
        Assert.Equal(1, LastRequestData("SetSceneItemIndex").GetProperty("sceneItemIndex").GetInt32());
    }

    [Fact]
    public async Task Input_requests_send_protocol_names_and_SetInputSettings_overlays_by_default()
    {
        _replies["GetInputSettings"] = JsonNode.Parse("""{"inputKind":"ffmpeg_source","inputSettings":{"looping":true}}""")!.AsObject();
        _replies["GetInputList"] = JsonNode.Parse("""
            {"inputs":[{"inputName":"Clip","inputKind":"ffmpeg_source","unversionedInputKind":"ffmpeg_source"}]}
            """)!.AsObject();

        await _client.RemoveInputAsync("Gone");
        var settings = await _client.GetInputSettingsAsync("Clip");
        await _client.SetInputSettingsAsync("Clip", new JsonObject { ["looping"] = false });
        var firstSet = LastRequestData("SetInputSettings");
        await _client.SetInputSettingsAsync("Clip", new JsonObject { ["looping"] = false }, overlay: false);
        var inputs = await _client.GetInputListAsync("ffmpeg_source");
        await _client.SetInputAudioSyncOffsetAsync("Clip", TimeSpan.FromMilliseconds(-120));

        Assert.Equal("Gone", LastRequestData("RemoveInput").GetProperty("inputName").GetString());
        Assert.Equal("ffmpeg_source", settings.InputKind);
        Assert.True(settings.InputSettings.GetProperty("looping").GetBoolean());
        Assert.True(firstSet.GetProperty("overlay").GetBoolean());
        Assert.False(LastRequestData("SetInputSettings").GetProperty("overlay").GetBoolean());
        Assert.Equal("Clip", Assert.Single(inputs).InputName);
        Assert.Equal("ffmpeg_source", LastRequestData("GetInputList").GetProperty("inputKind").GetString());
        Assert.Equal(-120, LastRequestData("SetInputAudioSyncOffset").GetProperty("inputAudioSyncOffset").GetInt32());
    }

    [Fact]
    public async Task Filter_list_and_remove_send_protocol_names()
    {
        _replies["GetSourceFilterList"] = JsonNode.Parse("""
            {"filters":[{"filterName":"FaceSwap","filterEnabled":true,"filterIndex":0,"filterKind":"obs_faceswap_filter","filterSettings":{}}]}
            """)!.AsObject();

        var filters = await _client.GetSourceFilterListAsync("Clip");
        await _client.RemoveSourceFilterAsync("Clip", "FaceSwap");

        Assert.Equal("FaceSwap", Assert.Single(filters).FilterName);
        var removed = LastRequestData("RemoveSourceFilter");
        Assert.Equal(("Clip", "FaceSwap"), (removed.GetProperty("sourceName").GetString(), removed.GetProperty("filterName").GetString()));
    }

    [Fact]
    public async Task A_failure_status_from_a_typed_request_keeps_its_code()
    {
        _server.OnRequest = (_, _) => Task.FromResult<FakeReply?>(FakeReply.Fail(604, "VirtualCam is not available."));

        var ex = await Assert.ThrowsAsync<ObsRequestException>(() => _client.GetVirtualCamStatusAsync());

        Assert.Equal(ObsRequestStatusCode.InvalidResourceState, ex.Code);
        Assert.Equal("GetVirtualCamStatus", ex.RequestType);
    }
}
