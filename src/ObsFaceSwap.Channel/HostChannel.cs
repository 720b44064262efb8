using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ObsFaceSwap.Channel;

/// <summary>What <see cref="HostChannel.TryAcquireFrame"/> found.</summary>
public enum FrameAcquireStatus
{
    /// <summary>No frame is READY.</summary>
    None,

    /// <summary>A frame is held in READING; release it with <see cref="FrameLease.Release"/>.</summary>
    Acquired,

    /// <summary>A READY frame failed validation and was released unused; see <see cref="HostChannel.LastRejectReason"/>.</summary>
    Rejected,
}

/// <summary>What <see cref="HostChannel.TryPublishResult"/> did.</summary>
public enum ResultPublishStatus
{
    /// <summary>Published into a FREE slot.</summary>
    Published,

    /// <summary>Published by reclaiming the unread READY result (counted in <c>results_dropped</c>).</summary>
    PublishedReplacingUnread,

    /// <summary>No slot could be taken (every slot held by the shim or left WRITING); nothing was published.</summary>
    NoSlot,
}

/// <summary>A snapshot of a channel's counters (both header regions), read with relaxed loads.</summary>
/// <param name="QueueDepth">Header <c>queue_depth</c>.</param>
/// <param name="FrameSeq">Header <c>frame_seq</c>.</param>
/// <param name="FramesWritten">Shim: frames published.</param>
/// <param name="FramesDropped">Shim: READY frames reclaimed before the host read them.</param>
/// <param name="FramesSkipped">Shim: frames not sent, no slot free.</param>
/// <param name="ResultsConsumed">Shim: results accepted.</param>
/// <param name="ResultsRejected">Shim: results rejected.</param>
/// <param name="FramesRead">Host: frames taken.</param>
/// <param name="ResultsWritten">Host: results published.</param>
/// <param name="ResultsDropped">Host: READY results reclaimed before the shim read them.</param>
/// <param name="HostEpoch">Header <c>host_epoch</c>.</param>
public readonly record struct ChannelCounters(
    uint QueueDepth,
    uint FrameSeq,
    ulong FramesWritten,
    ulong FramesDropped,
    ulong FramesSkipped,
    ulong ResultsConsumed,
    ulong ResultsRejected,
    ulong FramesRead,
    ulong ResultsWritten,
    ulong ResultsDropped,
    uint HostEpoch);

/// <summary>
/// A frame held in READING by the host. The spans point into shared memory and are valid
/// until <see cref="Release"/>; the shim does not write a READING slot, and
/// <see cref="Release"/> reports whether it did anyway (a torn frame).
/// </summary>
public unsafe ref struct FrameLease
{
    private readonly HostChannel? _channel;
    private readonly int _slot;
    private readonly uint _generation;
    private bool _released;

    internal FrameLease(HostChannel channel, int slot, uint generation, OfsFrameSlot header, ReadOnlySpan<byte> data)
    {
        _channel = channel;
        _slot = slot;
        _generation = generation;
        Header = header;
        Data = data;
        _released = false;
    }

    /// <summary>The private copy of the slot header, validated.</summary>
    public readonly OfsFrameSlot Header { get; }

    /// <summary>The <c>data_size</c> pixel bytes after the slot header.</summary>
    public readonly ReadOnlySpan<byte> Data { get; }

    /// <summary>Frame format.</summary>
    public readonly PixelFormat Format => (PixelFormat)Header.PixelFormat;

    /// <summary>Plane 0 (BGRA, or NV12 Y): row y starts at <c>y * Header.Stride</c>; the span ends after the last pixel of the last row.</summary>
    public readonly ReadOnlySpan<byte> Plane0 =>
        Data[..(int)(((ulong)Header.Stride * (Header.Height - 1)) + (Header.Width * (Format == PixelFormat.Bgra ? 4u : 1u)))];

    /// <summary>NV12 interleaved UV plane (row y at <c>y * Header.UvStride</c>); empty for BGRA.</summary>
    public readonly ReadOnlySpan<byte> UvPlane => Format == PixelFormat.Nv12
        ? Data.Slice((int)Header.UvOffset, (int)(((ulong)Header.UvStride * ((Header.Height / 2) - 1)) + Header.Width))
        : default;

    /// <summary>
    /// Re-reads the slot's generation and stores FREE. Returns false when the generation
    /// changed while the frame was held: the frame was torn and anything computed from it
    /// must be discarded. Idempotent.
    /// </summary>
    public bool Release()
    {
        if (_released || _channel is null)
        {
            return true;
        }

        _released = true;
        return _channel.ReleaseFrame(_slot, _generation);
    }
}

/// <summary>
/// The host's side of one channel: consumer of frames, producer of results, writer of the host
/// header region (docs/frame-channel.md). Not thread-safe: one thread (the channel's pipeline
/// thread) calls the ring methods; <see cref="ReadCounters"/> may be called from any thread.
/// </summary>
public sealed unsafe class HostChannel : IDisposable
{
    private readonly ChannelMapping _mapping;
    private readonly bool _ownsMapping;
    private readonly SlotRing _frames;
    private readonly SlotRing _results;
    private ulong _lastFrameId;
    private int _disposed;

    private HostChannel(ChannelMapping mapping, bool ownsMapping, ChannelGeometry geometry)
    {
        _mapping = mapping;
        _ownsMapping = ownsMapping;
        Geometry = geometry;
        var p = mapping.Pointer;
        _frames = new SlotRing(p, geometry.FrameSlotsOffset, geometry.FrameSlotCount, geometry.FrameSlotSize);
        _results = new SlotRing(p, geometry.ResultSlotsOffset, geometry.ResultSlotCount, geometry.ResultSlotSize);
    }

    /// <summary>The validated geometry (read once at attach).</summary>
    public ChannelGeometry Geometry { get; }

    /// <summary>Why the last <see cref="FrameAcquireStatus.Rejected"/> frame was rejected.</summary>
    public string? LastRejectReason { get; private set; }

    /// <summary>Address of <c>frame_seq</c>, the futex word.</summary>
    internal uint* FrameSeqAddress => &Header->FrameSeq;

    private OfsChannelHeader* Header => (OfsChannelHeader*)_mapping.Pointer;

    /// <summary>
    /// Validates the channel header against the mapping and attaches as its host:
    /// <c>host_pid</c>, <c>host_epoch</c> + 1, first heartbeat.
    /// </summary>
    /// <param name="mapping">The channel memory.</param>
    /// <param name="ownsMapping">Dispose <paramref name="mapping"/> with the channel.</param>
    /// <returns>The attached channel.</returns>
    /// <exception cref="ChannelHeaderException">The header is invalid.</exception>
    public static HostChannel Attach(ChannelMapping mapping, bool ownsMapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);

        // One private copy of the header, validated; geometry is never re-read.
        var copy = *(OfsChannelHeader*)mapping.Pointer;
        var geometry = ChannelGeometry.Validate(copy, mapping.Length);
        var channel = new HostChannel(mapping, ownsMapping, geometry);
        var header = channel.Header;
        Volatile.Write(ref header->HostPid, (uint)Environment.ProcessId);
        Interlocked.Increment(ref header->HostEpoch);
        channel.Heartbeat();
        return channel;
    }

    /// <summary>The host's monotonic clock in nanoseconds.</summary>
    public static ulong MonotonicNs()
    {
        var ticks = Stopwatch.GetTimestamp();
        return (ulong)((UInt128)(ulong)ticks * 1_000_000_000UL / (ulong)Stopwatch.Frequency);
    }

    /// <summary>Stores the current monotonic time in <c>host_heartbeat_ns</c>.</summary>
    public void Heartbeat() => Volatile.Write(ref Header->HostHeartbeatNs, MonotonicNs());

    /// <summary>Acquire load of <c>frame_seq</c> (read it before <see cref="TryAcquireFrame"/>, then wait on it).</summary>
    public uint ReadFrameSeq() => Volatile.Read(ref Header->FrameSeq);

    /// <summary>
    /// Consumer steps 1-3 for frames: takes the oldest READY frame (READY -> READING), copies and
    /// validates its header (generation even, frame_id above the last one taken, known format,
    /// sizes within the slot). A frame that fails is released at once and reported as
    /// <see cref="FrameAcquireStatus.Rejected"/>.
    /// </summary>
    public FrameAcquireStatus TryAcquireFrame(out FrameLease lease)
    {
        lease = default;
        var slot = _frames.BeginRead(oldest: true);
        if (slot < 0)
        {
            return FrameAcquireStatus.None;
        }

        BumpHost(ref Header->FramesRead);
        var header = *(OfsFrameSlot*)_frames.Slot(slot);
        var reason = (header.Generation & 1) != 0
            ? $"frame slot {slot}: field 'generation' is odd ({header.Generation}): the payload is being written"
            : header.FrameId <= _lastFrameId
                ? $"frame slot {slot}: field 'frame_id' is {header.FrameId}, expected > {_lastFrameId} (ids strictly increase)"
                : ValidateFrame(header, Geometry.FrameDataCapacity);
        if (reason is not null)
        {
            LastRejectReason = reason;
            _frames.Store(slot, SlotState.Free);
            return FrameAcquireStatus.Rejected;
        }

        _lastFrameId = header.FrameId;
        var data = new ReadOnlySpan<byte>(_frames.Payload(slot), (int)header.DataSize);
        lease = new FrameLease(this, slot, header.Generation, header, data);
        return FrameAcquireStatus.Acquired;
    }

    /// <summary>
    /// Result producer: reclaims the unread READY result if there is one (<c>results_dropped</c>),
    /// else takes a FREE slot; writes the header, item table and patches inside an odd
    /// generation; publishes READY; counts <c>results_written</c>.
    /// </summary>
    /// <param name="result">The staged result.</param>
    /// <param name="frameId">Id of the frame the result was computed from.</param>
    /// <param name="timestampNs">That frame's timestamp.</param>
    /// <param name="frameWidth">That frame's analysis width.</param>
    /// <param name="frameHeight">That frame's analysis height.</param>
    /// <param name="pipelineNs">Time from frame taken to now.</param>
    /// <returns>What was done.</returns>
    public ResultPublishStatus TryPublishResult(ResultBuilder result, ulong frameId, ulong timestampNs, uint frameWidth, uint frameHeight, ulong pipelineNs)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.DataSize > Geometry.ResultDataCapacity)
        {
            throw new ResultCapacityException($"the result needs {result.DataSize} bytes but a result slot holds {Geometry.ResultDataCapacity}");
        }

        // Results: queue depth is always 1 (newest wins).
        var slot = _results.BeginWrite(queueDepth: 1, out var reclaimed);
        if (slot < 0)
        {
            return ResultPublishStatus.NoSlot;
        }

        var header = (OfsResultSlot*)_results.Slot(slot);
        header->FrameId = frameId;
        header->TimestampNs = timestampNs;
        header->FrameWidth = frameWidth;
        header->FrameHeight = frameHeight;
        header->ItemCount = (uint)result.ItemCount;
        header->DataSize = (uint)result.DataSize;
        header->PipelineNs = pipelineNs;
        header->Status = (uint)result.Status;
        header->SettingsGeneration = result.SettingsGeneration;
        result.CopyTo(new Span<byte>(_results.Payload(slot), result.DataSize));
        _results.Publish(slot);

        if (reclaimed)
        {
            BumpHost(ref Header->ResultsDropped);
        }

        BumpHost(ref Header->ResultsWritten);
        Volatile.Write(ref Header->LastPipelineNs, pipelineNs);
        return reclaimed ? ResultPublishStatus.PublishedReplacingUnread : ResultPublishStatus.Published;
    }

    /// <summary>Reads every counter of both header regions.</summary>
    public ChannelCounters ReadCounters()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var h = Header;
        return new ChannelCounters(
            Volatile.Read(ref h->QueueDepth),
            Volatile.Read(ref h->FrameSeq),
            Volatile.Read(ref h->FramesWritten),
            Volatile.Read(ref h->FramesDropped),
            Volatile.Read(ref h->FramesSkipped),
            Volatile.Read(ref h->ResultsConsumed),
            Volatile.Read(ref h->ResultsRejected),
            Volatile.Read(ref h->FramesRead),
            Volatile.Read(ref h->ResultsWritten),
            Volatile.Read(ref h->ResultsDropped),
            Volatile.Read(ref h->HostEpoch));
    }

    /// <summary>Detaches: the memory is not touched again (unmapped when owned).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsMapping)
        {
            _mapping.Dispose();
        }
    }

    /// <summary>
    /// Checks a frame slot header copy. Returns null when valid, else a reason naming the
    /// field. All extents are computed in 64 bits.
    /// </summary>
    /// <param name="h">The private copy.</param>
    /// <param name="dataCapacity">frame_slot_size - 64.</param>
    public static string? ValidateFrame(in OfsFrameSlot h, int dataCapacity)
    {
        if (h.PixelFormat is not ((uint)PixelFormat.Bgra or (uint)PixelFormat.Nv12))
        {
            return $"field 'pixel_format' is {h.PixelFormat}, expected {(uint)PixelFormat.Bgra} (BGRA) or {(uint)PixelFormat.Nv12} (NV12)";
        }

        if (h.Width is < 1 or > Wire.MaxWidth)
        {
            return $"field 'width' is {h.Width}, expected 1..{Wire.MaxWidth}";
        }

        if (h.Height is < 1 or > Wire.MaxHeight)
        {
            return $"field 'height' is {h.Height}, expected 1..{Wire.MaxHeight}";
        }

        if (h.DataSize > (uint)dataCapacity)
        {
            return $"field 'data_size' is {h.DataSize}, expected <= {dataCapacity} (frame_slot_size - 64)";
        }

        ulong w = h.Width, height = h.Height;
        if (h.PixelFormat == (uint)PixelFormat.Bgra)
        {
            if (h.Stride < 4 * w)
            {
                return $"field 'stride' is {h.Stride}, expected >= {4 * w} (4 * width)";
            }

            if (h.UvOffset != 0 || h.UvStride != 0)
            {
                return $"fields 'uv_offset'/'uv_stride' are {h.UvOffset}/{h.UvStride}, expected 0 for BGRA";
            }

            var end = ((ulong)h.Stride * (height - 1)) + (4 * w);
            return end <= h.DataSize ? null : $"field 'data_size' is {h.DataSize}, expected >= {end} (stride * (height - 1) + 4 * width)";
        }

        if (w % 2 != 0 || height % 2 != 0)
        {
            return $"fields 'width'/'height' are {w}x{height}, expected both even for NV12";
        }

        if (h.Stride < w)
        {
            return $"field 'stride' is {h.Stride}, expected >= {w} (width) for NV12";
        }

        if (h.UvStride < w)
        {
            return $"field 'uv_stride' is {h.UvStride}, expected >= {w} (width) for NV12";
        }

        var yEnd = ((ulong)h.Stride * (height - 1)) + w;
        if (h.UvOffset < yEnd)
        {
            return $"field 'uv_offset' is {h.UvOffset}, expected >= {yEnd} (after the Y plane)";
        }

        var uvEnd = h.UvOffset + ((ulong)h.UvStride * ((height / 2) - 1)) + w;
        return uvEnd <= h.DataSize ? null : $"field 'data_size' is {h.DataSize}, expected >= {uvEnd} (uv_offset + uv_stride * (height / 2 - 1) + width)";
    }

    internal bool ReleaseFrame(int slot, uint generation)
    {
        var intact = _frames.ReloadGeneration(slot) == generation;
        _frames.Store(slot, SlotState.Free);
        return intact;
    }

    /// <summary>Relaxed increment of a counter only the host writes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BumpHost(ref ulong counter) => Volatile.Write(ref counter, Volatile.Read(ref counter) + 1);
}
