using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Processes;
using ObsFaceSwap.Testing.Rtmp;
using ObsFaceSwap.Testing.Scenario;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>
/// Stream targets (vendor requests AddStreamTarget ... StopStreamTargets) on a real OBS, with a
/// local nginx-rtmp standing in for the platforms: several targets at once on shared encoders,
/// an ingest outage and reconnect, a stalled ingest that must not hold back the others, and the
/// stream keys never leaving the 0600 store.
/// </summary>
public sealed class StreamTargetTests(ITestOutputHelper output)
{
    private const string Vendor = FaceSwapStats.VendorName;
    private static readonly TimeSpan ActiveBound = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StallBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ThreeTargets_WithTheMainStream_EachReceivesH264AndAac()
    {
        await using var run = await Run.StartAsync(output, ["twitch", "youtube", "facebook", "main"]);
        var targets = new[] { ("Twitch", "twitch"), ("YouTube", "youtube"), ("Facebook", "facebook") };
        foreach (var (name, platform) in targets)
        {
            // Shared encoders (the default) and autoStart (the default): they follow the main stream.
            var answer = await run.CallAsync("AddStreamTarget", new JsonObject
            {
                ["name"] = name,
                ["platform"] = platform,
                ["server"] = run.Nginx.Url(platform),
                ["key"] = run.NewKey(),
            });
            Assert.True(answer.GetProperty("success").GetBoolean(), answer.GetRawText());
            var target = answer.GetProperty("target");
            Assert.Equal("shared", target.GetProperty("encoder").GetString());
            Assert.True(target.GetProperty("autoStart").GetBoolean());
            Assert.Equal("rtmp", target.GetProperty("protocol").GetString());
        }

        // A limit, named in the error.
        var refused = await run.CallAsync("AddStreamTarget", new JsonObject
        {
            ["name"] = "too fast",
            ["platform"] = "twitch",
            ["key"] = run.NewKey(),
            ["encoder"] = new JsonObject { ["width"] = 1920, ["height"] = 1080, ["bitrateKbps"] = 8000, ["keyintSec"] = 2 },
        });
        Assert.False(refused.GetProperty("success").GetBoolean());
        Assert.Contains("encoder.bitrateKbps", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("6000", refused.GetProperty("error").GetString(), StringComparison.Ordinal);

        await run.Client.RequestAsync("SetStreamServiceSettings", new JsonObject
        {
            ["streamServiceType"] = "rtmp_custom",
            ["streamServiceSettings"] = new JsonObject { ["server"] = run.Nginx.Url("main"), ["key"] = "main" },
        });
        var started = run.Client.WaitForEventAsync("StreamStateChanged", e => e.GetString("outputState") == "OBS_WEBSOCKET_OUTPUT_STARTED", TimeSpan.FromSeconds(20));
        await run.Client.RequestAsync("StartStream");
        await started;
        var clock = Stopwatch.StartNew();
        var list = await run.WaitForStatesAsync(["Twitch", "YouTube", "Facebook"], "active", ActiveBound);
        run.Log($"main stream live; targets active {clock.ElapsedMilliseconds} ms later");

        await Task.Delay(TimeSpan.FromSeconds(6));
        list = await run.ListAsync();
        run.Log($"ListStreamTargets while streaming: {list.GetRawText()}");
        foreach (var target in list.GetProperty("targets").EnumerateArray())
        {
            Assert.Equal("active", target.GetProperty("state").GetString());
            Assert.True(target.GetProperty("bitrateKbps").GetInt64() > 100, target.GetRawText());
            Assert.True(target.GetProperty("totalFrames").GetInt64() > 100, target.GetRawText());
        }

        // The main stream stops: autoStart targets stop with it.
        var stopped = run.Client.WaitForEventAsync("StreamStateChanged", e => e.GetString("outputState") == "OBS_WEBSOCKET_OUTPUT_STOPPED", TimeSpan.FromSeconds(30));
        await run.Client.RequestAsync("StopStream");
        await stopped;
        await run.WaitForStatesAsync(["Twitch", "YouTube", "Facebook"], "stopped", TimeSpan.FromSeconds(15));

        foreach (var (_, platform) in targets)
        {
            var files = run.Nginx.Recordings(platform);
            Assert.NotEmpty(files);
            var codecs = await ProbeCodecsAsync(files[^1].FullName);
            run.Log($"{platform}: {files[^1].Name} {files[^1].Length} bytes, streams {string.Join(", ", codecs)}");
            Assert.Contains("video:h264", codecs);
            Assert.Contains("audio:aac", codecs);
            Assert.True(files[^1].Length > 100_000, $"{platform}: only {files[^1].Length} bytes recorded");
        }

        // ListStreamTargets can show a state before its vendor event arrives: wait (bounded) for the events.
        await E2eContext.WaitAsync(() => run.StateEvents.Count(e => e.State == "stopped") >= 3, TimeSpan.FromSeconds(10), throwOnTimeout: false);
        Assert.True(run.StateEvents.Count(e => e.State == "active") >= 3, string.Join("\n", run.StateEvents));
        Assert.True(run.StateEvents.Count(e => e.State == "stopped") >= 3, string.Join("\n", run.StateEvents));

        // The targets survive a restart of OBS (loaded from the store at module load, stopped).
        await run.RestartObsAsync();
        var reloaded = (await run.ListAsync()).GetProperty("targets").EnumerateArray().ToList();
        run.Log($"after the restart: {string.Join(", ", reloaded.Select(t => $"{t.GetProperty("name").GetString()} {t.GetProperty("state").GetString()}"))}");
        Assert.Equal(["Facebook", "Twitch", "YouTube"], reloaded.Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(reloaded, t => Assert.Equal("stopped", t.GetProperty("state").GetString()));
        Assert.Equal("rtmp", reloaded.Single(t => t.GetProperty("name").GetString() == "Facebook").GetProperty("protocol").GetString());
        await run.AssertKeysNeverLeakedAsync();
    }

    [Fact]
    public async Task IngestOutage_EveryTargetReconnects_AndDataFlowsAgain()
    {
        await using var run = await Run.StartAsync(output, ["a", "b", "c"]);
        // No main stream: the targets run alone. Two on the main stream's encoders, one with its own.
        await run.AddAsync("A", "a");
        await run.AddAsync("B", "b");
        await run.AddAsync("C", "c", new JsonObject { ["width"] = 426, ["height"] = 240, ["bitrateKbps"] = 600, ["keyintSec"] = 2 });
        var all = new[] { "A", "B", "C" };
        Assert.Equal(3, (await run.CallAsync("StartStreamTargets", null)).GetProperty("targets").GetInt32());
        await run.WaitForStatesAsync(all, "active", ActiveBound);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var before = run.Nginx.Applications.ToDictionary(a => a, a => run.Nginx.Recordings(a).Count);

        var outage = Stopwatch.StartNew();
        await run.Nginx.StopAsync();
        await run.WaitUntilAsync(all, t => t.GetProperty("reconnects").GetInt64() >= 1 && t.GetProperty("state").GetString() != "active",
            TimeSpan.FromSeconds(15), "every target noticed the outage");
        run.Log($"every target reconnecting {outage.ElapsedMilliseconds} ms after nginx stopped");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await run.Nginx.RestartAsync();
        var restarted = Stopwatch.StartNew();
        var list = await run.WaitUntilAsync(all, t => t.GetProperty("state").GetString() == "active" && t.GetProperty("reconnects").GetInt64() >= 1,
            TimeSpan.FromSeconds(30), "every target active again");
        run.Log($"every target active again {restarted.ElapsedMilliseconds} ms after nginx restarted (outage {outage.ElapsedMilliseconds} ms)");
        // Shared encoders keep running through the outage: a reconnected target gets data from
        // their next keyframe on (up to 250 frames with the encoders' defaults).
        await run.WaitUntilAsync(all, t => t.GetProperty("bitrateKbps").GetInt64() > 300, TimeSpan.FromSeconds(15), "data flowing again");
        run.Log($"data flowing to every target again {restarted.ElapsedMilliseconds} ms after nginx restarted");
        await Task.Delay(TimeSpan.FromSeconds(2));
        foreach (var application in run.Nginx.Applications)
        {
            var files = run.Nginx.Recordings(application);
            Assert.True(files.Count > before[application], $"{application}: no new recording after the restart");
            var fresh = files[^1];
            fresh.Refresh();
            run.Log($"{application}: {files.Count} recordings, the one after the restart {fresh.Length} bytes");
            Assert.True(fresh.Length > 20_000, $"{application}: only {fresh.Length} bytes after the restart");
            Assert.Contains("video:h264", await ProbeCodecsAsync(fresh.FullName));
        }

        list = await run.ListAsync();
        run.Log($"ListStreamTargets after the outage: {list.GetRawText()}");
        foreach (var name in all)
        {
            Assert.Contains(run.StateEvents, e => e.Name == name && e.State == "reconnecting");
            Assert.Contains(run.StateEvents, e => e.Name == name && e.State == "active" && e.Reconnects >= 1);
        }

        // Replacing a running target (same name, new key) keeps it running: the old output
        // stops before the new one connects.
        var replaced = Stopwatch.StartNew();
        await run.AddAsync("C", "c", new JsonObject { ["width"] = 426, ["height"] = 240, ["bitrateKbps"] = 600, ["keyintSec"] = 2 });
        await run.WaitUntilAsync(["C"], t => t.GetProperty("state").GetString() == "active" && t.GetProperty("reconnects").GetInt64() == 0
            && t.GetProperty("bitrateKbps").GetInt64() > 100, TimeSpan.FromSeconds(15), "the replacement active with data");
        run.Log($"C replaced while running: the new one active with data {replaced.ElapsedMilliseconds} ms later");

        await run.CallAsync("StopStreamTargets", null);
        await run.WaitForStatesAsync(all, "stopped", TimeSpan.FromSeconds(15));
        Assert.Equal(2, run.Nginx.Recordings("c").Select(f => f.Name[..f.Name.LastIndexOf('-')]).Distinct().Count()); // the old key and the new
        Assert.True((await run.CallAsync("RemoveStreamTarget", new JsonObject { ["name"] = "C" })).GetProperty("success").GetBoolean());
        Assert.False((await run.CallAsync("RemoveStreamTarget", new JsonObject { ["name"] = "C" })).GetProperty("success").GetBoolean());
        Assert.Equal(["A", "B"], (await run.ListAsync()).GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
        await run.AssertKeysNeverLeakedAsync();
    }

    [Fact]
    public async Task StalledIngest_OtherTargetsKeepFlowing_ObsDoesNotLag()
    {
        await using var run = await Run.StartAsync(output, ["a", "b", "c"]);
        await using var proxy = StallingTcpProxy.Start(run.Nginx.Port);
        await run.AddAsync("A", "a");
        await run.AddAsync("B", "b");
        await run.AddAsync("Stalled", "c", server: $"rtmp://127.0.0.1:{proxy.Port}/c");
        var all = new[] { "A", "B", "Stalled" };
        await run.CallAsync("StartStreamTargets", null);
        await run.WaitForStatesAsync(all, "active", ActiveBound);
        // A target that joins running shared encoders gets data from their next keyframe on
        // (keyint 250 frames: the encoders' defaults before the main stream ever started).
        await run.WaitUntilAsync(all, t => t.GetProperty("bitrateKbps").GetInt64() > 300, TimeSpan.FromSeconds(15), "data flowing to every target");

        var statsBefore = await run.Client.GetStatsAsync();
        var bytesBefore = run.Nginx.Applications.ToDictionary(a => a, run.Nginx.RecordedBytes);
        proxy.Stall();
        var stallClock = Stopwatch.StartNew();
        var proxyBytesAtStall = proxy.BytesFromClients;
        var samples = new List<string>();
        JsonElement list = default;
        var minOtherKbps = long.MaxValue;
        // Until the stalled target's socket buffers are full (the kernel's send buffer grows to
        // tcp_wmem's maximum, 4 MiB here: about 13 s at the profile's bitrate) and rtmp_output
        // starts dropping frames, or StallBound.
        for (var i = 0; stallClock.Elapsed < StallBound; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            list = await run.ListAsync();
            var byName = list.GetProperty("targets").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t);
            samples.Add($"{stallClock.Elapsed.TotalSeconds,5:0.0} s  " + string.Join("  ", all.Select(n =>
                $"{n}: {byName[n].GetProperty("state").GetString()} {byName[n].GetProperty("bitrateKbps").GetInt64()} kbps dropped {byName[n].GetProperty("droppedFrames").GetInt64()}")));
            if (i >= 1)
            {
                minOtherKbps = Math.Min(minOtherKbps, Math.Min(byName["A"].GetProperty("bitrateKbps").GetInt64(), byName["B"].GetProperty("bitrateKbps").GetInt64()));
            }

            if (byName["Stalled"].GetProperty("droppedFrames").GetInt64() > 30 && stallClock.Elapsed > TimeSpan.FromSeconds(5))
            {
                break;
            }
        }

        var statsAfter = await run.Client.GetStatsAsync();
        var seconds = stallClock.Elapsed.TotalSeconds;
        var rendered = statsAfter.RenderTotalFrames - statsBefore.RenderTotalFrames;
        var renderSkipped = statsAfter.RenderSkippedFrames - statsBefore.RenderSkippedFrames;
        var outputFrames = statsAfter.OutputTotalFrames - statsBefore.OutputTotalFrames;
        var outputSkipped = statsAfter.OutputSkippedFrames - statsBefore.OutputSkippedFrames;
        var stalled = list.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "Stalled");
        run.Log("per second during the stall:\n  " + string.Join("\n  ", samples));
        run.Log($"during {seconds:0.0} s of stall: OBS rendered {rendered} frames, {renderSkipped} skipped (render lag); outputs {outputFrames} frames, "
            + $"{outputSkipped} skipped (encoder lag); A +{run.Nginx.RecordedBytes("a") - bytesBefore["a"]} B +{run.Nginx.RecordedBytes("b") - bytesBefore["b"]} bytes recorded; "
            + $"the stalled ingest read {proxy.BytesFromClients - proxyBytesAtStall} bytes after the stall; stalled target: {stalled.GetRawText()}");

        // The others kept flowing at their rate, and OBS neither lagged nor skipped encodes.
        Assert.True(minOtherKbps > 300, $"a healthy target fell to {minOtherKbps} kbps while another stalled");
        Assert.True(run.Nginx.RecordedBytes("a") - bytesBefore["a"] > 200_000 && run.Nginx.RecordedBytes("b") - bytesBefore["b"] > 200_000, "the healthy targets' recordings stopped growing");
        Assert.True(rendered >= 0.8 * 30 * seconds, $"OBS rendered only {rendered} frames in {seconds:0.0} s");
        Assert.True(renderSkipped <= 0.02 * rendered + 2, $"render skipped {renderSkipped} of {rendered} frames");
        Assert.True(outputSkipped <= 0.02 * Math.Max(outputFrames, rendered) + 2, $"outputs skipped {outputSkipped} of {outputFrames} frames");
        // The stalled one carries (almost) nothing once its socket buffers are full, and drops frames.
        Assert.True(stalled.GetProperty("droppedFrames").GetInt64() > 30, stalled.GetRawText());
        Assert.True(stalled.GetProperty("bitrateKbps").GetInt64() < 300, stalled.GetRawText());
        Assert.True(proxy.BytesFromClients - proxyBytesAtStall < 100_000, "the stalled ingest kept reading");

        // Stopping does not wait on the stalled target.
        var stopClock = Stopwatch.StartNew();
        await run.CallAsync("StopStreamTargets", null);
        await run.WaitForStatesAsync(["A", "B"], "stopped", TimeSpan.FromSeconds(10));
        run.Log($"A and B stopped {stopClock.ElapsedMilliseconds} ms after StopStreamTargets, the stalled target is {(await run.StateOfAsync("Stalled"))}");
        await proxy.DisposeAsync();
        await run.WaitForStatesAsync(["Stalled"], "stopped", TimeSpan.FromSeconds(15));
        await run.AssertKeysNeverLeakedAsync();
    }

    [Fact]
    public async Task ThrottledIngest_OwnEncoderLowersItsBitrate_OthersKeepTheirs()
    {
        await using var run = await Run.StartAsync(output, ["a", "b"]);
        // A real-sized MSS: on loopback's 64 KiB one the kernel would buffer 4 MiB (16 s here)
        // before rtmp_output saw any congestion.
        await using var proxy = StallingTcpProxy.Start(run.Nginx.Port, maxSegmentBytes: 1400);
        // An ingest that reads about 400 kbit/s behind a target that sends 2000 kbps.
        proxy.Throttle(400_000);
        await run.AddAsync("Free", "a", new JsonObject { ["width"] = 426, ["height"] = 240, ["bitrateKbps"] = 600, ["keyintSec"] = 2 });
        await run.AddAsync("Throttled", "b", new JsonObject { ["width"] = 640, ["height"] = 360, ["bitrateKbps"] = 2000, ["keyintSec"] = 2 },
            server: $"rtmp://127.0.0.1:{proxy.Port}/b");
        // Never started: only its description is checked (shared encoders do not adapt).
        await run.AddAsync("Shared", "a");

        var before = (await run.ListAsync()).GetProperty("targets").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t);
        Assert.Equal(600, before["Free"].GetProperty("adaptedBitrateKbps").GetInt64());
        Assert.Equal(2000, before["Throttled"].GetProperty("adaptedBitrateKbps").GetInt64());
        Assert.False(before["Shared"].TryGetProperty("adaptedBitrateKbps", out _), before["Shared"].GetRawText());
        Assert.Equal(0.0, before["Shared"].GetProperty("congestion").GetDouble());

        await run.CallAsync("StartStreamTarget", new JsonObject { ["name"] = "Free" });
        await run.CallAsync("StartStreamTarget", new JsonObject { ["name"] = "Throttled" });
        var both = new[] { "Free", "Throttled" };
        await run.WaitForStatesAsync(both, "active", ActiveBound);
        var clock = Stopwatch.StartNew();
        var samples = new List<string>();
        TimeSpan? loweredAt = null;
        long freeMinAdapted = long.MaxValue, freeMaxAdapted = 0, freeMinKbps = long.MaxValue;
        double freeMaxCongestion = 0;
        Dictionary<string, JsonElement> byName;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            run.Obs.EnsureRunning();
            byName = (await run.ListAsync()).GetProperty("targets").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t);
            samples.Add($"{clock.Elapsed.TotalSeconds,5:0.0} s  " + string.Join("  ", both.Select(n =>
                $"{n}: {byName[n].GetProperty("state").GetString()} adapted {byName[n].GetProperty("adaptedBitrateKbps").GetInt64()} kbps, "
                + $"congestion {byName[n].GetProperty("congestion").GetDouble():0.00}, sent {byName[n].GetProperty("bitrateKbps").GetInt64()} kbps, "
                + $"dropped {byName[n].GetProperty("droppedFrames").GetInt64()}")));
            var free = byName["Free"];
            freeMinAdapted = Math.Min(freeMinAdapted, free.GetProperty("adaptedBitrateKbps").GetInt64());
            freeMaxAdapted = Math.Max(freeMaxAdapted, free.GetProperty("adaptedBitrateKbps").GetInt64());
            freeMaxCongestion = Math.Max(freeMaxCongestion, free.GetProperty("congestion").GetDouble());
            if (clock.Elapsed > TimeSpan.FromSeconds(2))
            {
                freeMinKbps = Math.Min(freeMinKbps, free.GetProperty("bitrateKbps").GetInt64());
            }

            if (loweredAt is null && byName["Throttled"].GetProperty("adaptedBitrateKbps").GetInt64() < 2000)
            {
                loweredAt = clock.Elapsed;
            }
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(15) && (loweredAt is null || clock.Elapsed < loweredAt.Value + TimeSpan.FromSeconds(5)));

        var throttled = byName["Throttled"];
        run.Log("per second since both were active:\n  " + string.Join("\n  ", samples));
        run.Log($"the throttled target's bitrate was first lowered {loweredAt?.TotalSeconds:0.0} s after both were active; "
            + $"bitrate events: {string.Join("; ", run.BitrateEvents)}");
        Assert.True(loweredAt is not null, "the throttled target's bitrate was not lowered within 15 s");
        Assert.True(throttled.GetProperty("adaptedBitrateKbps").GetInt64() < 2000, throttled.GetRawText());
        Assert.True(throttled.GetProperty("adaptedBitrateKbps").GetInt64() >= 500, $"below the 25 % floor: {throttled.GetRawText()}");
        Assert.Contains(run.BitrateEvents, e => e.Name == "Throttled" && e.AdaptedKbps < 2000 && e.ConfiguredKbps == 2000);
        // The other target, on its own encoders and an unthrottled ingest, kept its bitrate.
        Assert.Equal(600, freeMinAdapted);
        Assert.Equal(600, freeMaxAdapted);
        Assert.True(freeMaxCongestion < 0.5, $"the free target's congestion reached {freeMaxCongestion}");
        Assert.True(freeMinKbps > 300, $"the free target fell to {freeMinKbps} kbps");
        Assert.DoesNotContain(run.BitrateEvents, e => e.Name == "Free");

        // Once stopped, the throttled target is back at its configured bitrate for its next start.
        await run.CallAsync("StopStreamTargets", null);
        await run.WaitForStatesAsync(both, "stopped", TimeSpan.FromSeconds(15));
        await run.WaitUntilAsync(["Throttled"], t => t.GetProperty("adaptedBitrateKbps").GetInt64() == 2000, TimeSpan.FromSeconds(5), "back at 2000 kbps once stopped");
        await run.AssertKeysNeverLeakedAsync();
    }

    [Fact]
    public async Task SrtTarget_ReachesAnSrtListener()
    {
        await using var run = await Run.StartAsync(output, ["unused"]);
        int port;
        using (var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp))
        {
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            port = ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
        }

        // ffmpeg as the SRT ingest (listener), remuxing what it receives to a file.
        var received = Path.Combine(run.Obs.ArtifactDirectory, "srt-received.ts");
        await using var listener = ManagedProcess.Start(
            "ffmpeg-srt",
            "ffmpeg",
            ["-hide_banner", "-nostdin", "-y", "-analyzeduration", "1000000", "-probesize", "1000000",
             "-i", $"srt://127.0.0.1:{port}?mode=listener", "-c", "copy", "-f", "mpegts", received],
            new Dictionary<string, string?>(),
            Path.Combine(run.Obs.ArtifactDirectory, "ffmpeg-srt.log"));
        // Until ffmpeg listens (its UDP socket is bound): a fixed wait may be too short on a loaded machine.
        var bound = $":{port:X4}";
        await E2eContext.WaitAsync(
            () => File.ReadLines("/proc/net/udp").Skip(1).Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].EndsWith(bound, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15));
        var answer = await run.CallAsync("AddStreamTarget", new JsonObject
        {
            ["name"] = "SRT",
            ["platform"] = "custom",
            ["server"] = $"srt://127.0.0.1:{port}",
            ["key"] = run.NewKey(),
            ["autoStart"] = false,
            ["encoder"] = new JsonObject { ["width"] = 640, ["height"] = 360, ["bitrateKbps"] = 1500, ["keyintSec"] = 1 },
        });
        Assert.True(answer.GetProperty("success").GetBoolean(), answer.GetRawText());
        Assert.Equal("srt", answer.GetProperty("target").GetProperty("protocol").GetString());
        await run.CallAsync("StartStreamTarget", new JsonObject { ["name"] = "SRT" });
        await run.WaitUntilAsync(["SRT"], t => t.GetProperty("state").GetString() == "active" && t.GetProperty("bitrateKbps").GetInt64() > 300,
            TimeSpan.FromSeconds(15), "SRT target active with data");
        await Task.Delay(TimeSpan.FromSeconds(4));
        run.Log($"SRT target: {(await run.ListAsync()).GetRawText()}");
        var stopAnswer = await run.CallAsync("StopStreamTarget", new JsonObject { ["name"] = "SRT" });
        Assert.True(stopAnswer.GetProperty("success").GetBoolean(), stopAnswer.GetRawText());
        await run.WaitForStatesAsync(["SRT"], "stopped", TimeSpan.FromSeconds(15));
        await listener.StopAsync(Posix.SigInt, TimeSpan.FromSeconds(5));
        var codecs = await ProbeCodecsAsync(received);
        run.Log($"SRT listener received {new FileInfo(received).Length} bytes: {string.Join(", ", codecs)}");
        Assert.Contains("video:h264", codecs);
        Assert.Contains("audio:aac", codecs);
        await run.AssertKeysNeverLeakedAsync();
    }

    private static async Task<IReadOnlyList<string>> ProbeCodecsAsync(string file)
    {
        var json = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "json", file], TimeSpan.FromSeconds(30));
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("streams").EnumerateArray()
            .Select(s => $"{s.GetProperty("codec_type").GetString()}:{s.GetProperty("codec_name").GetString()}")
            .ToList();
    }

    internal sealed record StateEvent(string Name, string State, long Reconnects, string? Error);

    internal sealed record BitrateEvent(string Name, long AdaptedKbps, long ConfiguredKbps, double Congestion);

    /// <summary>One test's OBS, nginx, client, the keys it made and everything OBS said to it.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly ITestOutputHelper _output;
        private readonly List<string> _transcript = [];
        private readonly Lock _lock = new();
        private readonly List<StateEvent> _events = [];
        private readonly List<BitrateEvent> _bitrateEvents = [];
        private IDisposable? _subscription;

        private Run(ITestOutputHelper output, HeadlessObs obs, NginxRtmpServer nginx, ObsWebSocketClient client)
        {
            _output = output;
            Obs = obs;
            Nginx = nginx;
            Client = client;
        }

        public HeadlessObs Obs { get; }

        public NginxRtmpServer Nginx { get; }

        public ObsWebSocketClient Client { get; private set; }

        public List<string> Keys { get; } = [];

        public IReadOnlyList<StateEvent> StateEvents
        {
            get
            {
                lock (_lock)
                {
                    return _events.ToList();
                }
            }
        }

        public IReadOnlyList<BitrateEvent> BitrateEvents
        {
            get
            {
                lock (_lock)
                {
                    return _bitrateEvents.ToList();
                }
            }
        }

        public static async Task<Run> StartAsync(ITestOutputHelper output, IReadOnlyList<string> applications, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
        {
            BuildOutputs.EnsureModuleBuilt();
            var (clip, _) = await E2eContext.ClipAsync();
            var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true, name: name));
            NginxRtmpServer? nginx = null;
            ObsWebSocketClient? client = null;
            try
            {
                nginx = await NginxRtmpServer.StartAsync(Path.Combine(obs.ArtifactDirectory, "nginx"), applications, line => E2eContext.Log(output, line));
                client = await obs.ConnectAsync();
                var run = new Run(output, obs, nginx, client);
                run._subscription = client.AddEventHandler(run.OnEventAsync);
                await DiagnosticScene.SetUpAsync(client, clip, filterSettings: null);
                return run;
            }
            catch
            {
                if (client is not null)
                {
                    await client.DisposeAsync();
                }

                if (nginx is not null)
                {
                    await nginx.DisposeAsync();
                }

                await obs.DisposeAsync();
                throw;
            }
        }

        public void Log(string line) => E2eContext.Log(_output, line);

        /// <summary>Restarts OBS cleanly with the same profile and connects a new client.</summary>
        public async Task RestartObsAsync()
        {
            _subscription?.Dispose();
            await Client.DisposeAsync();
            await Obs.RestartAsync(crash: false);
            Client = await Obs.ConnectAsync();
            _subscription = Client.AddEventHandler(OnEventAsync);
        }

        /// <summary>A random stream key, remembered for the leak checks.</summary>
        public string NewKey()
        {
            var key = "live_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant() + "_SeCrEt";
            Keys.Add(key);
            return key;
        }

        public async Task<JsonElement> CallAsync(string requestType, JsonObject? data)
        {
            var response = await Client.CallVendorRequestAsync(Vendor, requestType, data);
            lock (_lock)
            {
                _transcript.Add($"{DateTime.Now:HH:mm:ss.fff} {requestType} {(data is null ? "" : RedactKeys(data.ToJsonString()))} -> {response.ResponseData.GetRawText()}");
            }

            return response.ResponseData;
        }

        public async Task AddAsync(string name, string application, JsonObject? encoder = null, string? server = null)
        {
            var data = new JsonObject
            {
                ["name"] = name,
                ["platform"] = "custom",
                ["server"] = server ?? Nginx.Url(application),
                ["key"] = NewKey(),
                ["autoStart"] = false,
            };
            if (encoder is not null)
            {
                data["encoder"] = encoder;
            }

            var answer = await CallAsync("AddStreamTarget", data);
            Assert.True(answer.GetProperty("success").GetBoolean(), answer.GetRawText());
        }

        private string RedactKeys(string text) => Keys.Aggregate(text, (t, k) => t.Replace(k, "<key>", StringComparison.Ordinal));

        public Task<JsonElement> ListAsync() => CallAsync("ListStreamTargets", null);

        public async Task<string> StateOfAsync(string name) =>
            (await ListAsync()).GetProperty("targets").EnumerateArray()
                .Single(t => t.GetProperty("name").GetString() == name).GetProperty("state").GetString()!;

        public Task<JsonElement> WaitForStatesAsync(IReadOnlyList<string> names, string state, TimeSpan bound) =>
            WaitUntilAsync(names, t => t.GetProperty("state").GetString() == state, bound, $"state {state}");

        /// <summary>Polls ListStreamTargets until every named target satisfies the condition.</summary>
        public async Task<JsonElement> WaitUntilAsync(IReadOnlyList<string> names, Func<JsonElement, bool> condition, TimeSpan bound, string what)
        {
            var clock = Stopwatch.StartNew();
            JsonElement list;
            do
            {
                Obs.EnsureRunning();
                list = await ListAsync();
                var targets = list.GetProperty("targets").EnumerateArray().Where(t => names.Contains(t.GetProperty("name").GetString())).ToList();
                if (targets.Count == names.Count && targets.All(condition))
                {
                    return list;
                }

                await Task.Delay(100);
            }
            while (clock.Elapsed < bound);
            throw new TimeoutException($"Not {what} within {bound.TotalSeconds:0} s: {list.GetRawText()}\nevents:\n{string.Join("\n", StateEvents)}");
        }

        /// <summary>
        /// (4) No key in OBS's log or output, any vendor answer, any event (vendor or not), or what
        /// obs-websocket says about the outputs; the store holds them with mode 0600.
        /// </summary>
        public async Task AssertKeysNeverLeakedAsync()
        {
            Assert.NotEmpty(Keys);
            var outputs = await Client.RequestAsync("GetOutputList");
            var texts = new List<(string Where, string Text)> { ("GetOutputList", outputs.ResponseData?.GetRawText() ?? "") };
            foreach (var item in outputs.ResponseData!.Value.GetProperty("outputs").EnumerateArray())
            {
                var outputName = item.GetProperty("outputName").GetString()!;
                if (outputName.StartsWith("obs-faceswap target", StringComparison.Ordinal))
                {
                    var settings = await Client.RequestAsync("GetOutputSettings", new JsonObject { ["outputName"] = outputName });
                    texts.Add(($"GetOutputSettings {outputName}", settings.ResponseData?.GetRawText() ?? ""));
                }
            }

            lock (_lock)
            {
                texts.AddRange(_transcript.Select(t => ("vendor answer or event", t)));
            }

            foreach (var log in Directory.GetFiles(Path.Combine(Obs.ObsConfigDirectory, "logs"), "*.txt"))
            {
                using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                texts.Add(($"OBS log {Path.GetFileName(log)}", await reader.ReadToEndAsync()));
            }

            var stdout = Path.Combine(Obs.ArtifactDirectory, "obs.log");
            if (File.Exists(stdout))
            {
                using var stream = new FileStream(stdout, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                texts.Add(("OBS stdout/stderr", await reader.ReadToEndAsync()));
            }

            foreach (var key in Keys)
            {
                foreach (var (where, text) in texts)
                {
                    Assert.False(text.Contains(key, StringComparison.Ordinal), $"a stream key appears in {where}");
                    Assert.False(text.Contains(key[5..^7], StringComparison.OrdinalIgnoreCase), $"part of a stream key appears in {where}");
                }
            }

            var store = Path.Combine(Obs.ObsConfigDirectory, "plugin_config", "obs-faceswap", "stream-targets.conf");
            Assert.True(File.Exists(store), $"no store at {store}");
            var mode = OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(store);
            Log($"store {store}: mode {Convert.ToString((int)mode, 8)}; {texts.Count} texts checked for {Keys.Count} keys");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
            var stored = await File.ReadAllTextAsync(store);
            // Every key of a target still configured is in the store (targets survive restarts).
            var listed = (await ListAsync()).GetProperty("targets").GetArrayLength();
            Assert.Equal(listed, Keys.Count(stored.Contains));
        }

        public async ValueTask DisposeAsync()
        {
            string[] transcript;
            lock (_lock)
            {
                transcript = [.. _transcript];
            }

            // What OBS answered and sent (no keys: AssertKeysNeverLeakedAsync checks this text).
            await File.WriteAllLinesAsync(Path.Combine(Obs.ArtifactDirectory, "vendor-transcript.txt"), transcript);
            _subscription?.Dispose();
            await Client.DisposeAsync();
            await Obs.DisposeAsync();
            await Nginx.DisposeAsync();
        }

        private ValueTask OnEventAsync(ObsEvent evt, CancellationToken cancellationToken)
        {
            var raw = evt.EventData?.GetRawText() ?? "";
            lock (_lock)
            {
                _transcript.Add($"{DateTime.Now:HH:mm:ss.fff} event {evt.EventType} {raw}");
                if (evt.EventType == "VendorEvent" && evt.GetString("vendorName") == Vendor && evt.GetString("eventType") == "StreamTargetStateChanged"
                    && evt.EventData!.Value.TryGetProperty("eventData", out var data))
                {
                    _events.Add(new StateEvent(
                        data.GetProperty("name").GetString()!,
                        data.GetProperty("state").GetString()!,
                        data.GetProperty("reconnects").GetInt64(),
                        data.TryGetProperty("error", out var error) ? error.GetString() : null));
                }

                if (evt.EventType == "VendorEvent" && evt.GetString("vendorName") == Vendor && evt.GetString("eventType") == "StreamTargetBitrateChanged"
                    && evt.EventData!.Value.TryGetProperty("eventData", out var bitrate))
                {
                    _bitrateEvents.Add(new BitrateEvent(
                        bitrate.GetProperty("name").GetString()!,
                        bitrate.GetProperty("adaptedBitrateKbps").GetInt64(),
                        bitrate.GetProperty("configuredBitrateKbps").GetInt64(),
                        bitrate.GetProperty("congestion").GetDouble()));
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
