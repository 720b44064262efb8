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
}
