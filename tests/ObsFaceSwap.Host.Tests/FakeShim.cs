using System.Runtime.InteropServices;
using ObsFaceSwap.Channel;

namespace ObsFaceSwap.Host.Tests;

/// <summary>A copy of one result read by the fake shim.</summary>
internal sealed record ResultCopy(OfsResultSlot Header, OfsResultItem[] Items, byte[] Data)
{
    /// <summary>Row <paramref name="y"/> of item <paramref name="index"/>'s patch.</summary>
    public ReadOnlySpan<byte> PatchRow(int index, int y)
    {
        var item = Items[index];
        return Data.AsSpan((int)(item.PatchOffset + (item.PatchStride * (uint)y)), (int)item.PatchWidth * 4);
    }
}

/// <summary>
/// Plays the OBS module (whose real implementation is C inside OBS) against the real host:
/// a control connection through the production codec and shared-memory channels created with
/// the C# shim-side ring (<see cref="ShimChannel"/>).
/// </summary>
internal sealed class FakeShim : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Stream _stream;
    private readonly ControlStreamReader _reader;
    private readonly List<ShimChannel> _channels = [];
    private uint _nextRequestId = 1;

    private FakeShim(Stream stream)
    {
        _stream = stream;
        _reader = new ControlStreamReader(stream);
    }

    public static async Task<FakeShim> ConnectAsync(ControlEndpoint endpoint)
        => new(await endpoint.ConnectAsync(Timeout, CancellationToken.None));

    public static ShimChannelOptions BgraChannel(ulong id, int width, int height, int queueDepth = 1)
        => new(id, width * height * 4, (width * height * 4) + (64 * 128), queueDepth);

    public uint NextRequestId() => _nextRequestId++;

    public async Task HelloAsync()
    {
        var id = NextRequestId();
        await SendAsync(ControlCodec.EncodeHello(ControlMessageType.Hello, id, (uint)Environment.ProcessId));
        var ack = await ExpectAsync(ControlMessageType.HelloAck, id);
        Assert.Equal(Wire.WireVersion, ControlCodec.DecodeHello(ack.Payload.Span).WireVersion);
    }

    /// <summary>Creates the channel memory, announces it and waits for CHANNEL_OPENED.</summary>
    public async Task<ShimChannel> OpenChannelAsync(ShimChannelOptions options)
    {
        var channel = ShimChannel.Create($"/obs-faceswap-{Environment.ProcessId}-{options.ChannelId}-{Guid.NewGuid():N}"[..48], options);
        _channels.Add(channel);
        var id = NextRequestId();
        await SendAsync(ControlCodec.EncodeOpenChannel(id, new OpenChannelRequest(options.ChannelId, channel.Mapping.Length, channel.Mapping.Name, string.Empty)));
        var opened = await ExpectAsync(ControlMessageType.ChannelOpened, id);
        Assert.Equal(options.ChannelId, ControlCodec.DecodeChannelRef(opened.Payload.Span));
        return channel;
    }

    public Task SendSettingsAsync(ulong channelId, string json) => SendAsync(ControlCodec.EncodeSettings(0, channelId, json));

    public Task CloseChannelAsync(ulong channelId) => SendAsync(ControlCodec.EncodeChannelRef(ControlMessageType.CloseChannel, 0, channelId));

    /// <summary>STATS_REQUEST; returns the JSON. The round trip also proves every earlier message was handled.</summary>
    public async Task<string> StatsAsync(ulong channelId = 0)
    {
        var id = NextRequestId();
        await SendAsync(ControlCodec.EncodeChannelRef(ControlMessageType.StatsRequest, id, channelId));
        var reply = await ExpectAsync(ControlMessageType.StatsReply, id);
        return ControlCodec.DecodeUtf8(reply.Payload.Span);
    }

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads the next message (a copy), or null when the host closed the connection.</summary>
    public async Task<ControlMessage?> ReadAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            var m = await _reader.ReadAsync(cts.Token);
            return m is null ? null : m.Value with { Payload = m.Value.Payload.ToArray() };
        }
        catch (IOException)
        {
            return null; // connection reset by the host
        }
    }

    public async Task<ControlMessage> ExpectAsync(ControlMessageType type, uint requestId)
    {
        var m = await ReadAsync();
        Assert.NotNull(m);
        if (m.Value.Type == ControlMessageType.Error)
        {
            var e = ControlCodec.DecodeError(m.Value.Payload.Span);
            Assert.Fail($"expected {type}, got ERROR {(uint)e.Code}: {e.Text}");
        }

        Assert.Equal(type, m.Value.Type);
        Assert.Equal(requestId, m.Value.RequestId);
        return m.Value;
    }

    /// <summary>Expects an ERROR with <paramref name="code"/>; returns its text.</summary>
    public async Task<string> ExpectErrorAsync(ControlErrorCode code)
    {
        var m = await ReadAsync();
        Assert.NotNull(m);
        Assert.Equal(ControlMessageType.Error, m.Value.Type);
        var e = ControlCodec.DecodeError(m.Value.Payload.Span);
        Assert.Equal(code, e.Code);
        return e.Text;
    }

    /// <summary>True when the host closed the connection (the next read ends the stream).</summary>
    public async Task<bool> IsClosedByHostAsync() => await ReadAsync() is null;

    /// <summary>Waits (polling, bounded) for a result of a frame with id at least <paramref name="frameId"/>.</summary>
    public static async Task<ResultCopy> WaitForResultAsync(ShimChannel channel, ulong frameId)
    {
        var deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (TryRead(channel, out var copy) && copy.Header.FrameId >= frameId)
            {
                return copy;
            }

            await Task.Delay(1);
        }

        throw new TimeoutException($"no result for frame {frameId} within {Timeout.TotalSeconds} s (last reject: {channel.LastRejectReason})");
    }

    /// <summary>Publishes one frame and waits for its result.</summary>
    public static async Task<ResultCopy> RoundTripAsync(ShimChannel channel, FrameSpec spec, byte[] pixels)
    {
        Assert.True(channel.TryPublishFrame(spec, pixels, 1000, out var id));
        return await WaitForResultAsync(channel, id);
    }

    /// <summary>Closes the control connection only; the channel memory stays, as when OBS loses its host.</summary>
    public ValueTask DisconnectAsync() => _stream.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        foreach (var c in _channels)
        {
            c.Dispose();
        }
    }

    private static bool TryRead(ShimChannel channel, out ResultCopy copy)
    {
        copy = null!;
        if (!channel.TryBeginReadResult(out var lease))
        {
            return false;
        }

        var header = lease.Header;
        var items = lease.Items.ToArray();
        var data = lease.Data.ToArray();
        if (!lease.End())
        {
            return false;
        }

        copy = new ResultCopy(header, items, data);
        return true;
    }
}

/// <summary>Collects log events for assertions.</summary>
internal sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
{
    private readonly List<(Microsoft.Extensions.Logging.LogLevel Level, int EventId, string Message)> _events = [];

    public IReadOnlyList<(Microsoft.Extensions.Logging.LogLevel Level, int EventId, string Message)> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_events)
        {
            _events.Add((logLevel, eventId.Id, formatter(state, exception)));
        }
    }
}

/// <summary>Header access for async tests (which cannot hold pointers).</summary>
internal static unsafe class ShimHeader
{
    /// <summary>A volatile copy of the live channel header.</summary>
    public static OfsChannelHeader Read(ShimChannel channel)
    {
        Interlocked.MemoryBarrier();
        return *channel.Header;
    }

    /// <summary>Overwrites the header's <c>version</c> (to make it invalid).</summary>
    public static void SetVersion(ShimChannel channel, uint version) => channel.Header->Version = version;
}
