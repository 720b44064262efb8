using System.Text.Json;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Control;
using ObsFaceSwap.Host.Tests.Pipeline;

namespace ObsFaceSwap.Host.Tests.Control;

/// <summary>The real control server against fake shims over a real Unix socket and real shared memory.</summary>
public sealed class ControlServerTests
{
    private const int W = 64;
    private const int H = 48;

    [Fact]
    public async Task A_BGRA_frame_gets_the_diagnostic_patch_the_inverted_centre()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var channel = await shim.OpenChannelAsync(FakeShim.BgraChannel(11, W, H));
        var frame = Images.GradientBgra(W, H);

        var result = await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(W, H), frame);

        Assert.Equal(1UL, result.Header.FrameId);
        Assert.Equal(1000UL, result.Header.TimestampNs);
        Assert.Equal((uint)W, result.Header.FrameWidth);
        Assert.Equal((uint)H, result.Header.FrameHeight);
        Assert.Equal((uint)ResultStatus.Ok, result.Header.Status);
        Assert.True(result.Header.PipelineNs > 0);
        Assert.Single(result.Items);
        var item = result.Items[0];
        Assert.Equal((uint)ItemKind.Patch, item.Kind);
        Assert.Equal((uint)PatchFormat.Bgra, item.PatchFormat);
        Assert.Equal(1f, item.Opacity);
        Assert.Equal((uint)(W / 2), item.PatchWidth);
        Assert.Equal((uint)(H / 2), item.PatchHeight);
        Assert.Equal(new float[] { 1, 0, W / 4, 0, 1, H / 4 }, Images.Affine(item));
        for (var y = 0; y < H / 2; y++)
        {
            Assert.Equal(Images.InvertedRow(frame, W, (W / 4) + 0, (H / 4) + y, W / 2), result.PatchRow(0, y).ToArray());
        }
    }

    [Fact]
    public async Task An_NV12_frame_gets_the_inverted_centre_converted_with_BT709_limited_range()
    {
        const int stride = W + 16;
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var spec = FrameSpec.Nv12(W, H, stride);
        var channel = await shim.OpenChannelAsync(new ShimChannelOptions(12, spec.DataSize, W * H * 4));
        var frame = Images.Nv12(W, H, stride);

        var result = await FakeShim.RoundTripAsync(channel, spec, frame);

        Assert.Single(result.Items);
        for (var y = 0; y < H / 2; y++)
        {
            var row = result.PatchRow(0, y);
            for (var x = 0; x < W / 2; x++)
            {
                var (b, g, r) = Images.ReferenceBt709(frame, stride, spec.UvOffset, stride, (W / 4) + x, (H / 4) + y);
                Assert.InRange(row[(4 * x) + 0], 255 - b - 1, 255 - b + 1);
                Assert.InRange(row[(4 * x) + 1], 255 - g - 1, 255 - g + 1);
                Assert.InRange(row[(4 * x) + 2], 255 - r - 1, 255 - r + 1);
                Assert.Equal(255, row[(4 * x) + 3]);
            }
        }
    }

    [Fact]
    public async Task Mode_off_publishes_results_with_no_items_and_diagnostic_brings_the_patch_back()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var channel = await shim.OpenChannelAsync(FakeShim.BgraChannel(13, W, H));
        var frame = Images.GradientBgra(W, H);

        await shim.SendSettingsAsync(13, "{\"mode\":\"off\",\"queue_depth\":1,\"pixel_format\":\"bgra\"}");
        var stats = await shim.StatsAsync(); // the round trip proves SETTINGS was handled
        Assert.Equal("off", Channel(stats, 0).GetProperty("mode").GetString());
        var off = await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(W, H), frame);
        Assert.Empty(off.Items);
        Assert.Equal(0u, off.Header.DataSize);
        Assert.Equal((uint)ResultStatus.Ok, off.Header.Status);

        await shim.SendSettingsAsync(13, "{\"mode\":\"diagnostic\"}");
        await shim.StatsAsync();
        var on = await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(W, H), frame);
        Assert.Single(on.Items);
    }

    [Theory]
    [InlineData("{\"mode\":\"sideways\"}", "sideways")]
    [InlineData("{\"mode\":3}", "must be a string")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "JSON object")]
    public async Task Invalid_settings_are_logged_and_the_previous_settings_kept(string json, string reason)
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var channel = await shim.OpenChannelAsync(FakeShim.BgraChannel(14, W, H));
        await shim.SendSettingsAsync(14, "{\"mode\":\"off\"}");
        await shim.SendSettingsAsync(14, json);

        var stats = await shim.StatsAsync();
        Assert.Equal("off", Channel(stats, 0).GetProperty("mode").GetString());
        Assert.Contains(server.Logger.Events, e => e.EventId == 304 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains(reason, StringComparison.Ordinal));
        Assert.Empty((await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(W, H), Images.GradientBgra(W, H))).Items);
    }

    [Fact]
    public async Task Stats_report_counters_stage_times_and_the_pipeline_time()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var channel = await shim.OpenChannelAsync(FakeShim.BgraChannel(15, W, H, queueDepth: 2));
        for (var i = 0; i < 5; i++)
        {
            await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(W, H), Images.GradientBgra(W, H));
        }

        using var doc = JsonDocument.Parse(await shim.StatsAsync());
        var root = doc.RootElement;
        Assert.Equal(Environment.ProcessId, root.GetProperty("hostPid").GetInt32());
        Assert.True(root.GetProperty("uptimeSeconds").GetDouble() >= 0);
        var ch = root.GetProperty("channels")[0];
        Assert.Equal(15UL, ch.GetProperty("channelId").GetUInt64());
        Assert.Equal(5UL, ch.GetProperty("framesIn").GetUInt64());
        Assert.Equal(5UL, ch.GetProperty("resultsOut").GetUInt64());
        Assert.Equal(0UL, ch.GetProperty("framesDroppedByShim").GetUInt64());
        Assert.Equal(0UL, ch.GetProperty("resultsDropped").GetUInt64());
        Assert.Equal(2u, ch.GetProperty("queueDepth").GetUInt32());
        Assert.Equal("diagnostic", ch.GetProperty("mode").GetString());
        var pipeline = ch.GetProperty("pipelineMs");
        Assert.True(pipeline.GetProperty("mean").GetDouble() > 0);
        Assert.True(pipeline.GetProperty("p95").GetDouble() >= 0);
        Assert.True(pipeline.GetProperty("max").GetDouble() >= pipeline.GetProperty("mean").GetDouble());
        var stage = ch.GetProperty("stages")[0];
        Assert.Equal("diagnostic", stage.GetProperty("name").GetString());
        Assert.Equal(5, stage.GetProperty("count").GetInt64());
        Assert.True(stage.GetProperty("meanMs").GetDouble() > 0);
        Assert.True(stage.GetProperty("p95Ms").GetDouble() > 0);
        Assert.True(stage.GetProperty("maxMs").GetDouble() > 0);

        // A stats request for one channel; an unknown one is ERROR 203 and the connection stays.
        using var one = JsonDocument.Parse(await shim.StatsAsync(15));
        Assert.Equal(1, one.RootElement.GetProperty("channels").GetArrayLength());
        await shim.SendAsync(ControlCodec.EncodeChannelRef(ControlMessageType.StatsRequest, 77, 999));
        Assert.Contains("999", await shim.ExpectErrorAsync(ControlErrorCode.UnknownChannel), StringComparison.Ordinal);
        Assert.NotEmpty(await shim.StatsAsync());

        // The periodic log line carries the same counters.
        server.Server.LogStats();
        Assert.Contains(server.Logger.Events, e => e.EventId == 400 && e.Message.Contains("5 frames in", StringComparison.Ordinal));
        Assert.Contains(server.Logger.Events, e => e.EventId == 401 && e.Message.Contains("diagnostic", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_shims_are_served_at_once_and_each_shims_stats_see_its_own_channels()
    {
        await using var server = TestServer.Start();
        await using var a = await server.ConnectWithHelloAsync();
        await using var b = await server.ConnectWithHelloAsync();
        await using var monitor = await server.ConnectWithHelloAsync();
        var ca = await a.OpenChannelAsync(FakeShim.BgraChannel(21, W, H));
        var cb = await b.OpenChannelAsync(FakeShim.BgraChannel(22, 32, 16));
        Assert.Single((await FakeShim.RoundTripAsync(ca, FrameSpec.Bgra(W, H), Images.GradientBgra(W, H))).Items);
        Assert.Equal(16u, (await FakeShim.RoundTripAsync(cb, FrameSpec.Bgra(32, 16), Images.GradientBgra(32, 16))).Items[0].PatchWidth);

        static async Task<ulong[]> Ids(FakeShim shim)
        {
            using var doc = JsonDocument.Parse(await shim.StatsAsync());
            return [.. doc.RootElement.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channelId").GetUInt64())];
        }

        // Channel ids are per module (two OBS instances both have a channel 1): a module's stats are
        // its own channels; a connection without channels (obs-faceswap-host stats) sees them all.
        Assert.Equal(new ulong[] { 21 }, await Ids(a));
        Assert.Equal(new ulong[] { 22 }, await Ids(b));
        Assert.Equal(new ulong[] { 21, 22 }, await Ids(monitor));
        await b.SendAsync(ControlCodec.EncodeChannelRef(ControlMessageType.StatsRequest, 78, 21));
        await b.ExpectErrorAsync(ControlErrorCode.UnknownChannel);
    }

    [Fact]
    public async Task Close_channel_and_disconnect_detach_the_channel_and_stop_touching_its_memory()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var first = await shim.OpenChannelAsync(FakeShim.BgraChannel(31, W, H));
        await FakeShim.RoundTripAsync(first, FrameSpec.Bgra(W, H), Images.GradientBgra(W, H));

        await shim.CloseChannelAsync(31);
        using (var doc = JsonDocument.Parse(await shim.StatsAsync()))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("channels").GetArrayLength());
        }

        // The session's thread has ended before the reply: a new frame stays READY, unread.
        var read = ShimHeader.Read(first).FramesRead;
        Assert.True(first.TryPublishFrame(FrameSpec.Bgra(W, H), Images.GradientBgra(W, H), 1, out _));
        Assert.Equal(read, ShimHeader.Read(first).FramesRead);
        Assert.Equal(0, server.Server.Registry.Count);

        // CLOSE_CHANNEL of an unknown channel: ERROR 203, connection kept.
        await shim.CloseChannelAsync(31);
        await shim.ExpectErrorAsync(ControlErrorCode.UnknownChannel);

        // Disconnect: every channel of the connection is detached.
        var second = await shim.OpenChannelAsync(FakeShim.BgraChannel(32, W, H));
        await FakeShim.RoundTripAsync(second, FrameSpec.Bgra(W, H), Images.GradientBgra(W, H));
        Assert.Equal(1, server.Server.Registry.Count);
        await using var other = await server.ConnectWithHelloAsync();
        await shim.DisconnectAsync();
        // Event 301 is logged once the session's thread has ended and the memory is unmapped.
        await TestServer.WaitUntilAsync(() => server.Logger.Events.Any(e => e.EventId == 301 && e.Message.Contains("connection closed", StringComparison.Ordinal)), "the channel to be detached");
        Assert.Equal(0, server.Server.Registry.Count);
        read = ShimHeader.Read(second).FramesRead;
        Assert.True(second.TryPublishFrame(FrameSpec.Bgra(W, H), Images.GradientBgra(W, H), 1, out _));
        Assert.Equal(read, ShimHeader.Read(second).FramesRead);
        Assert.NotEmpty(await other.StatsAsync());
    }

    [Fact]
    public async Task A_host_that_reattaches_takes_the_next_epoch()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var channel = await shim.OpenChannelAsync(FakeShim.BgraChannel(41, W, H));
        Assert.Equal(1u, ShimHeader.Read(channel).HostEpoch);
        Assert.Equal((uint)Environment.ProcessId, ShimHeader.Read(channel).HostPid);

        // Re-opening the same id on the connection detaches and re-attaches.
        var id = shim.NextRequestId();
        await shim.SendAsync(ControlCodec.EncodeOpenChannel(id, new OpenChannelRequest(41, channel.Mapping.Length, channel.Mapping.Name, string.Empty)));
        await shim.ExpectAsync(ControlMessageType.ChannelOpened, id);
        Assert.Equal(2u, ShimHeader.Read(channel).HostEpoch);
        Assert.Single((await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(W, H), Images.GradientBgra(W, H))).Items);
    }

    [Fact]
    public async Task The_heartbeat_advances_while_a_channel_is_idle()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var channel = await shim.OpenChannelAsync(FakeShim.BgraChannel(42, W, H));
        var first = ShimHeader.Read(channel).HostHeartbeatNs;
        await TestServer.WaitUntilAsync(() => ShimHeader.Read(channel).HostHeartbeatNs > first, "a heartbeat");
        Assert.True(ShimHeader.Read(channel).HostHeartbeatNs > first);
    }

    public static TheoryData<string, ControlErrorCode> FatalMessages => new()
    {
        { "bad_magic", ControlErrorCode.Malformed },
        { "bad_version", ControlErrorCode.VersionMismatch },
        { "unknown_type", ControlErrorCode.UnknownType },
        { "too_long", ControlErrorCode.BadLength },
        { "wrong_size_for_type", ControlErrorCode.BadLength },
        { "hello_wire_version", ControlErrorCode.VersionMismatch },
        { "open_before_hello", ControlErrorCode.Malformed },
        { "host_only_type", ControlErrorCode.UnknownType },
        { "unterminated_name", ControlErrorCode.Malformed },
    };

    [Theory]
    [MemberData(nameof(FatalMessages))]
    public async Task A_malformed_message_gets_ERROR_and_a_closed_connection_while_others_are_still_served(string kind, ControlErrorCode code)
    {
        await using var server = TestServer.Start();
        await using var good = await server.ConnectWithHelloAsync();
        var channel = await good.OpenChannelAsync(FakeShim.BgraChannel(51, W, H));
        await using var bad = await server.ConnectAsync();

        var header = new byte[16];
        byte[] message;
        switch (kind)
        {
            case "bad_magic":
                ControlCodec.WriteHeader(header, ControlMessageType.Hello, 1, 8, magic: 0x11223344);
                message = [.. header, .. new byte[8]];
                break;
            case "bad_version":
                ControlCodec.WriteHeader(header, ControlMessageType.Hello, 1, 8, version: 7);
                message = [.. header, .. new byte[8]];
                break;
            case "unknown_type":
                ControlCodec.WriteHeader(header, (ControlMessageType)42, 1, 0);
                message = header;
                break;
            case "too_long":
                ControlCodec.WriteHeader(header, ControlMessageType.Settings, 1, Wire.ControlMaxPayload + 1);
                message = header;
                break;
            case "wrong_size_for_type":
                ControlCodec.WriteHeader(header, ControlMessageType.Hello, 1, 4);
                message = [.. header, .. new byte[4]];
                break;
            case "hello_wire_version":
                message = ControlCodec.EncodeHello(ControlMessageType.Hello, 1, 1, wireVersion: 2);
                break;
            case "open_before_hello":
                message = ControlCodec.EncodeOpenChannel(1, new OpenChannelRequest(1, 4096, "/x", string.Empty));
                break;
            case "host_only_type":
                message = ControlCodec.EncodeHello(ControlMessageType.HelloAck, 1, 1);
                break;
            case "unterminated_name":
                await bad.HelloAsync();
                message = ControlCodec.EncodeOpenChannel(1, new OpenChannelRequest(1, 4096, "/x", string.Empty));
                message.AsSpan(16 + 16, 128).Fill((byte)'a');
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        await bad.SendAsync(message);
        Assert.False(string.IsNullOrEmpty(await bad.ExpectErrorAsync(code)));
        Assert.True(await bad.IsClosedByHostAsync());

        // The other shim's connection and channel are unaffected.
        Assert.Single((await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(W, H), Images.GradientBgra(W, H))).Items);
        Assert.NotEmpty(await good.StatsAsync());
        await using var again = await server.ConnectWithHelloAsync();
        Assert.NotEmpty(await again.StatsAsync());
    }

    [Fact]
    public async Task Garbage_bytes_and_a_peer_vanishing_mid_message_do_not_hurt_the_server()
    {
        await using var server = TestServer.Start();
        await using (var garbage = await server.ConnectAsync())
        {
            await garbage.SendAsync(new byte[64].Select((_, i) => (byte)(i * 37)).ToArray());
            await garbage.ExpectErrorAsync(ControlErrorCode.Malformed);
        }

        await using (var half = await server.ConnectAsync())
        {
            await half.SendAsync(ControlCodec.EncodeHello(ControlMessageType.Hello, 1, 1)[..10]);
        }

        await using var good = await server.ConnectWithHelloAsync();
        Assert.NotEmpty(await good.StatsAsync());
        await TestServer.WaitUntilAsync(() => server.Server.ActiveConnections == 1, "the broken connections to close");
        Assert.False(server.Run.IsCompleted);
    }

    [Fact]
    public async Task Channel_errors_are_answered_with_ERROR_2xx_and_the_connection_stays_open()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();

        // 201: nothing to map.
        await shim.SendAsync(ControlCodec.EncodeOpenChannel(5, new OpenChannelRequest(61, 4096, "/obs-faceswap-does-not-exist-61", string.Empty)));
        Assert.Contains("cannot map", await shim.ExpectErrorAsync(ControlErrorCode.CannotMap), StringComparison.Ordinal);

        // 201: a name that would leave /dev/shm.
        await shim.SendAsync(ControlCodec.EncodeOpenChannel(6, new OpenChannelRequest(61, 4096, "/../../etc/passwd", string.Empty)));
        await shim.ExpectErrorAsync(ControlErrorCode.CannotMap);

        // 202: a header that fails validation, naming the field.
        using (var bad = ShimChannel.Create($"/obs-faceswap-test-{Guid.NewGuid():N}", FakeShim.BgraChannel(62, W, H)))
        {
            ShimHeader.SetVersion(bad, 9);
            await shim.SendAsync(ControlCodec.EncodeOpenChannel(7, new OpenChannelRequest(62, bad.Mapping.Length, bad.Mapping.Name, string.Empty)));
            Assert.Contains("'version'", await shim.ExpectErrorAsync(ControlErrorCode.HeaderInvalid), StringComparison.Ordinal);

            // 202: the announced id differs from the header's.
            ShimHeader.SetVersion(bad, Wire.WireVersion);
            await shim.SendAsync(ControlCodec.EncodeOpenChannel(8, new OpenChannelRequest(63, bad.Mapping.Length, bad.Mapping.Name, string.Empty)));
            Assert.Contains("'channel_id'", await shim.ExpectErrorAsync(ControlErrorCode.HeaderInvalid), StringComparison.Ordinal);

            // 202: total_size disagrees with the announced size.
            await shim.SendAsync(ControlCodec.EncodeOpenChannel(9, new OpenChannelRequest(62, bad.Mapping.Length - 64, bad.Mapping.Name, string.Empty)));
            Assert.Contains("'total_size'", await shim.ExpectErrorAsync(ControlErrorCode.HeaderInvalid), StringComparison.Ordinal);
        }

        // 203: settings for a channel that is not open.
        await shim.SendSettingsAsync(64, "{}");
        await shim.ExpectErrorAsync(ControlErrorCode.UnknownChannel);

        Assert.NotEmpty(await shim.StatsAsync());
        Assert.Equal(0, server.Server.Registry.Count);
    }

    [Fact]
    public async Task Malicious_frame_headers_are_rejected_and_counted_and_the_channel_keeps_working()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var channel = await shim.OpenChannelAsync(FakeShim.BgraChannel(71, W, H));
        Assert.True(channel.TryPublishFrame(FrameSpec.Bgra(W, H), Images.GradientBgra(W, H), 1, out _));

        // A frame whose stride the slot cannot hold (a buggy shim): rejected, counted, released.
        var spec = new FrameSpec(PixelFormat.Bgra, W, H, int.MaxValue / H, 0, 0, W * H * 4);
        Assert.True(channel.TryPublishFrame(spec, Images.GradientBgra(W, H), 2, out _));
        var deadline = Environment.TickCount64 + 10_000;
        long rejected = 0;
        while (rejected == 0 && Environment.TickCount64 < deadline)
        {
            rejected = Channel(await shim.StatsAsync(), 0).GetProperty("framesRejected").GetInt64();
            if (rejected == 0)
            {
                await Task.Delay(5);
            }
        }

        Assert.Equal(1, rejected);

        // The session counts the rejection before it logs it: wait (bounded) for the log line.
        static bool Logged((Microsoft.Extensions.Logging.LogLevel Level, int EventId, string Message) e) => e.EventId == 500 && e.Message.Contains("'data_size'", StringComparison.Ordinal);
        while (!server.Logger.Events.Any(Logged) && Environment.TickCount64 < deadline)
        {
            await Task.Delay(5);
        }

        Assert.Contains(server.Logger.Events, Logged);

        var ok = await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(W, H), Images.GradientBgra(W, H));
        Assert.Single(ok.Items);
    }

    [Fact]
    public async Task The_server_exits_after_the_idle_time_without_connections_but_not_while_one_is_open()
    {
        await using var server = TestServer.Start(idleExit: TimeSpan.FromSeconds(1));
        var shim = await server.ConnectWithHelloAsync();
        var finished = await Task.WhenAny(server.Run, Task.Delay(2500));
        Assert.NotSame(server.Run, finished);

        await shim.DisposeAsync();
        Assert.Equal(ServerExitReason.Idle, await server.Run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(server.Logger.Events, e => e.EventId == 101);
    }

    private static JsonElement Channel(string statsJson, int index)
        => JsonDocument.Parse(statsJson).RootElement.GetProperty("channels")[index].Clone();
}
