using System.Text.Json.Nodes;
using ObsFaceSwap.Controller.Status;
using ObsFaceSwap.Controller.Streaming;
using ObsFaceSwap.Obs;

namespace ObsFaceSwap.Controller.Tests;

public sealed class StreamTargetTests
{
    [Theory]
    [InlineData("1280x720@30:3000", 1280, 720, 30, 3000)]
    [InlineData("1920x1080:6000", 1920, 1080, null, 6000)]
    public void Encoders_parse(string text, int w, int h, int? fps, int kbps)
    {
        Assert.Equal(new TargetEncoder(w, h, fps, kbps), TargetEncoder.Parse(text));
        Assert.Null(TargetEncoder.Parse("shared"));
    }

    [Theory]
    [InlineData("1280x720")]
    [InlineData("1281x720:3000")]
    [InlineData("1280x720@0:3000")]
    [InlineData("1280x720:50")]
    [InlineData("big")]
    public void Bad_encoders_are_refused(string text) => Assert.Throws<FormatException>(() => TargetEncoder.Parse(text));

    [Fact]
    public void The_request_carries_the_key_and_encoder()
    {
        var own = new StreamTargetSpec("yt", "youtube", null, "abcd-1234", new TargetEncoder(1280, 720, 30, 3000), 2, false).ToRequest();
        var shared = new StreamTargetSpec("c", "custom", "rtmp://127.0.0.1/live", "k", null, null, true).ToRequest();

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"name":"yt","platform":"youtube","key":"abcd-1234","autoStart":false,"encoder":{"width":1280,"height":720,"bitrateKbps":3000,"keyintSec":2,"fps":30}}"""),
            own));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"name":"c","platform":"custom","key":"k","autoStart":true,"server":"rtmp://127.0.0.1/live","encoder":"shared"}"""),
            shared));
    }

    [Theory]
    [InlineData("c", "custom", null, "k", "needs --server")]
    [InlineData("c", "myspace", null, "k", "unknown platform")]
    [InlineData("c", "custom", "http://x", "k", "not an rtmp")]
    [InlineData("c", "twitch", null, "a b", "whitespace")]
    [InlineData("", "twitch", null, "k", "name")]
    public void Invalid_targets_are_refused(string name, string platform, string? server, string key, string problem)
    {
        var e = Assert.Throws<ArgumentException>(() => new StreamTargetSpec(name, platform, server, key, null, null, true).Validate());

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keyint_needs_an_own_encoder() =>
        Assert.Throws<ArgumentException>(() => new StreamTargetSpec("t", "twitch", null, "k", null, 2, true).Validate());

    [Fact]
    public void Secrets_come_from_a_file_or_stdin_without_the_line_end()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "live_123\n");
            Assert.Equal("live_123", StreamTargetSpec.ReadSecret(path, TextReader.Null, "key"));
            Assert.Equal("from-stdin", StreamTargetSpec.ReadSecret("-", new StringReader("from-stdin\r\nmore"), "key"));
            File.WriteAllText(path, "\n");
            Assert.Throws<ArgumentException>(() => StreamTargetSpec.ReadSecret(path, TextReader.Null, "key"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_failure_in_the_vendor_answer_is_an_error_without_the_key()
    {
        var obs = new FakeObs().On("CallVendorRequest", """{"vendorName":"obs-faceswap","requestType":"AddStreamTarget","responseData":{"success":false,"error":"name: already exists"}}""");
        var spec = new StreamTargetSpec("t", "twitch", null, "secret-key", null, null, true);

        var e = await Assert.ThrowsAsync<ControllerException>(() => new StreamController(obs).VendorAsync("AddStreamTarget", spec.ToRequest()));

        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key", e.Message, StringComparison.Ordinal);
        Assert.Equal("obs-faceswap", obs.Requests[0].Data!["vendorName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_start_starts_the_backup_recording_when_configured_and_stop_stops_it()
    {
        var parameters = new Dictionary<string, string?> { ["BackupWhileStreaming"] = "true" };
        var recording = false;
        var obs = new FakeObs()
            .On("GetProfileParameter", d => new JsonObject { ["parameterValue"] = parameters.GetValueOrDefault(d!["parameterName"]!.GetValue<string>()) })
            .On("SetProfileParameter", d => { parameters[d!["parameterName"]!.GetValue<string>()] = d["parameterValue"]?.GetValue<string>(); return null; })
            .On("GetRecordStatus", _ => new JsonObject { ["outputActive"] = recording })
            .On("StartRecord", _ => { recording = true; return null; })
            .On("StopRecord", _ => { recording = false; return JsonNode.Parse("""{"outputPath":"/rec/b.mkv"}"""); });
        var controller = new StreamController(obs);

        var started = await controller.StartAsync(null);
        var stopped = await controller.StopAsync(null);

        Assert.Equal("stream started, backup recording started", started);
        Assert.Equal("stream stopped, backup recording /rec/b.mkv", stopped);
        Assert.Equal(["StartStream", "StartRecord", "StopStream", "StopRecord"], obs.Types.Where(t => t.StartsWith("Start", StringComparison.Ordinal) || t.StartsWith("Stop", StringComparison.Ordinal)));
        Assert.Null(parameters["BackupRecordingActive"]);
    }
}

public sealed class StatusReaderTests
{
    [Fact]
    public async Task Status_has_obs_stats_outputs_and_module_parts_and_tolerates_a_missing_module()
    {
        var obs = new FakeObs()
            .On("GetStats", """{"activeFps":29.97,"averageFrameRenderTime":3.5,"renderSkippedFrames":2,"renderTotalFrames":900,"outputSkippedFrames":1,"outputTotalFrames":800,"cpuUsage":12.5,"memoryUsage":300,"availableDiskSpace":1000}""")
            .On("GetStreamStatus", """{"outputActive":true,"outputTimecode":"00:01:00.000","outputBytes":1000000}""")
            .On("GetRecordStatus", """{"outputActive":false}""")
            .On("GetSceneList", """{"currentProgramSceneName":"Live","scenes":[]}""")
            .Fail("CallVendorRequest", ObsRequestStatusCode.ResourceNotFound)
            .Fail("GetVirtualCamStatus", ObsRequestStatusCode.ResourceNotFound);

        var status = await StatusReader.ReadAsync(obs);
        var text = StatusReader.Format(status);

        Assert.Equal(29.97, status["obs"]!["activeFps"]!.GetValue<double>());
        Assert.Equal(2, status["obs"]!["renderSkippedFrames"]!.GetValue<long>());
        Assert.Equal(1, status["obs"]!["outputSkippedFrames"]!.GetValue<long>());
        Assert.Equal(12.5, status["obs"]!["cpuUsage"]!.GetValue<double>());
        Assert.True(status["stream"]!["active"]!.GetValue<bool>());
        Assert.False(status["record"]!["active"]!.GetValue<bool>());
        Assert.Null(status["faceswap"]);
        Assert.Null(status["streamTargets"]);
        Assert.Null(status["virtualCam"]);
        Assert.Equal(2, status["notes"]!.AsArray().Count);
        Assert.Contains("30.0 fps", text, StringComparison.Ordinal);
        Assert.Contains("stream     active 00:01:00.000", text, StringComparison.Ordinal);
        Assert.Contains("virtualcam unavailable", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Module_stats_and_targets_are_included()
    {
        var obs = new FakeObs()
            .On("GetVirtualCamStatus", """{"outputActive":false}""")
            .On("CallVendorRequest", d => d!["requestType"]!.GetValue<string>() == "GetStats"
                ? JsonNode.Parse("""{"responseData":{"hostConnected":true,"hostPid":7,"hostRestarts":0,"host":{"hostPid":7,"channels":[{"channelId":3,"stages":[{"name":"diagnostic","count":0,"meanMs":0,"p95Ms":0,"maxMs":0},{"name":"detect","count":9,"meanMs":4.2,"p95Ms":6.5,"maxMs":9},{"name":"swap","count":9,"meanMs":31,"p95Ms":40.04,"maxMs":44}]},{"channelId":4,"stages":[{"name":"other","count":1,"meanMs":1,"p95Ms":1,"maxMs":1}]}]},"filters":[{"sourceName":"Cam","filterName":"Swap","channelId":3,"faces":2,"framesWritten":10,"framesDropped":0,"framesSkipped":1,"resultsConsumed":9,"resultsRejected":0,"lastPipelineUs":12000,"latencyMode":"synced","videoDelayMs":66.7}]}}""")
                : JsonNode.Parse("""{"responseData":{"targets":[{"name":"yt","platform":"youtube","state":"active"}]}}"""));

        var status = await StatusReader.ReadAsync(obs);
        var text = StatusReader.Format(status);

        Assert.Equal(66.7, status["faceswap"]!["filters"]![0]!["videoDelayMs"]!.GetValue<double>());
        Assert.Equal("yt", status["streamTargets"]![0]!["name"]!.GetValue<string>());
        Assert.Empty(status["notes"]!.AsArray());
        Assert.Contains("Cam/Swap", text, StringComparison.Ordinal);
        Assert.Contains("video delay 67 ms", text, StringComparison.Ordinal);
        Assert.Contains("Cam/Swap: 2 face(s);", text, StringComparison.Ordinal);
        Assert.Contains("    stages detect 4.2/6.5 ms, swap 31.0/40.0 ms (mean/p95)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("other", text, StringComparison.Ordinal); // another channel's stages are not this filter's
        Assert.Equal(2, status["faceswap"]!["filters"]![0]!["faces"]!.GetValue<int>());
        Assert.Contains("yt (youtube): active", text, StringComparison.Ordinal);
        // obs-websocket refuses an empty requestData (403): requests without data leave it out.
        Assert.All(obs.Requests.Where(r => r.Type == "CallVendorRequest"), r => Assert.False(r.Data!.ContainsKey("requestData")));
    }
}
