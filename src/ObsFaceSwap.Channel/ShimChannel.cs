using System.Runtime.InteropServices;

namespace ObsFaceSwap.Channel;

/// <summary>Geometry of a channel the shim side creates.</summary>
/// <param name="ChannelId">Header <c>channel_id</c>.</param>
/// <param name="FrameDataCapacity">Pixel bytes per frame slot (rounded up so the slot is 64-aligned).</param>
/// <param name="ResultDataCapacity">Item + patch bytes per result slot (rounded up likewise).</param>
/// <param name="QueueDepth">1 or 2.</param>
/// <param name="FrameSlotCount">3..8.</param>
/// <param name="ResultSlotCount">3..8.</param>
internal sealed record ShimChannelOptions(
    ulong ChannelId,
    int FrameDataCapacity,
    int ResultDataCapacity,
    int QueueDepth = 1,
    int FrameSlotCount = 3,
    int ResultSlotCount = 3);

/// <summary>The geometry of one frame the shim publishes.</summary>
internal readonly record struct FrameSpec(
    PixelFormat Format,
    int Width,
    int Height,
    int Stride,
    int UvOffset,
    int UvStride,
    int DataSize)
{
    /// <summary>Tightly packed BGRA.</summary>
    public static FrameSpec Bgra(int width, int height) => new(PixelFormat.Bgra, width, height, width * 4, 0, 0, width * height * 4);

    /// <summary>NV12 with <paramref name="stride"/> bytes per Y row and the same per UV row, UV right after Y.</summary>
    public static FrameSpec Nv12(int width, int height, int stride)
        => new(PixelFormat.Nv12, width, height, stride, stride * height, stride, (stride * height) + (stride * height / 2));
}

/// <summary>
/// The shim's side of a channel, in C#: creator of the memory, producer of frames, consumer
/// and validator of results, exactly as docs/frame-channel.md describes the C module. It
/// exists so tests can play the shim (the real one is C inside OBS); it is not used by the host.
/// </summary>
internal sealed unsafe class ShimChannel : IDisposable
{
    private readonly SlotRing _frames;
    private readonly SlotRing _results;
    private ulong _nextFrameId = 1;

    private ShimChannel(ChannelMapping mapping, ChannelGeometry geometry)
    {
        Mapping = mapping;
        Geometry = geometry;
        _frames = new SlotRing(mapping.Pointer, geometry.FrameSlotsOffset, geometry.FrameSlotCount, geometry.FrameSlotSize);
        _results = new SlotRing(mapping.Pointer, geometry.ResultSlotsOffset, geometry.ResultSlotCount, geometry.ResultSlotSize);
    }

    public ChannelMapping Mapping { get; }

    public ChannelGeometry Geometry { get; }

    /// <summary>The live header in shared memory.</summary>
    public OfsChannelHeader* Header => (OfsChannelHeader*)Mapping.Pointer;

    /// <summary>Why the last result was rejected.</summary>
    public string? LastRejectReason { get; private set; }

    /// <summary>The id the next published frame gets.</summary>
    public ulong NextFrameId => _nextFrameId;

    /// <summary>Creates a new channel memory object named <paramref name="name"/> and writes its header.</summary>
    public static ShimChannel Create(string name, ShimChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var frameSlotSize = AlignUp(Wire.SlotHeaderSize + (ulong)options.FrameDataCapacity);
        var resultSlotSize = AlignUp(Wire.SlotHeaderSize + (ulong)options.ResultDataCapacity);
        var framesOffset = (ulong)Wire.ChannelHeaderSize;
        var resultsOffset = framesOffset + ((ulong)options.FrameSlotCount * frameSlotSize);
        var total = resultsOffset + ((ulong)options.ResultSlotCount * resultSlotSize);

        var mapping = ChannelMapping.CreateNew(name, total);
        var h = (OfsChannelHeader*)mapping.Pointer;
        *h = default;
        h->Magic = Wire.WireMagic;
        h->Version = Wire.WireVersion;
        h->HeaderSize = Wire.ChannelHeaderSize;
        h->TotalSize = total;
        h->ChannelId = options.ChannelId;
        h->FrameSlotsOffset = framesOffset;
        h->ResultSlotsOffset = resultsOffset;
        h->FrameSlotCount = (uint)options.FrameSlotCount;
        h->FrameSlotSize = (uint)frameSlotSize;
        h->ResultSlotCount = (uint)options.ResultSlotCount;
        h->ResultSlotSize = (uint)resultSlotSize;
        h->QueueDepth = (uint)options.QueueDepth;
        h->ShimPid = (uint)Environment.ProcessId;
        var geometry = ChannelGeometry.Validate(*h, mapping.Length);
        return new ShimChannel(mapping, geometry);
    }

    /// <summary>Start of frame slot <paramref name="index"/> (tests tamper through it).</summary>
    public OfsFrameSlot* FrameSlot(int index) => (OfsFrameSlot*)_frames.Slot(index);

    /// <summary>Start of result slot <paramref name="index"/>.</summary>
    public OfsResultSlot* ResultSlot(int index) => (OfsResultSlot*)_results.Slot(index);

    /// <summary>The state of every frame slot, for assertions.</summary>
    public SlotState FrameSlotState(int index) => (SlotState)_frames.LoadState(index);

    /// <summary>
    /// Producer: publishes one frame (drop-oldest at <c>queue_depth</c>, skip when no slot),
    /// bumps counters and <c>frame_seq</c>, wakes the host. Returns false when skipped.
    /// </summary>
    public bool TryPublishFrame(in FrameSpec spec, ReadOnlySpan<byte> pixels, ulong timestampNs, out ulong frameId)
    {
        frameId = 0;
        if (pixels.Length > spec.DataSize || spec.DataSize > Geometry.FrameDataCapacity)
        {
            throw new ArgumentException($"frame data {pixels.Length}/{spec.DataSize} bytes does not fit {Geometry.FrameDataCapacity}", nameof(pixels));
        }

        var h = Header;
        var slot = _frames.BeginWrite((int)Volatile.Read(ref h->QueueDepth), out var reclaimed);
        if (slot < 0)
        {
            Bump(ref h->FramesSkipped);
            return false;
        }

        frameId = _nextFrameId++;
        var s = FrameSlot(slot);
        s->FrameId = frameId;
        s->TimestampNs = timestampNs;
        s->PixelFormat = (uint)spec.Format;
        s->Width = (uint)spec.Width;
        s->Height = (uint)spec.Height;
        s->Stride = (uint)spec.Stride;
        s->UvOffset = (uint)spec.UvOffset;
        s->UvStride = (uint)spec.UvStride;
        s->DataSize = (uint)spec.DataSize;
        s->SourceWidth = (uint)spec.Width;
        s->SourceHeight = (uint)spec.Height;
        pixels.CopyTo(new Span<byte>(_frames.Payload(slot), spec.DataSize));
        _frames.Publish(slot);

        if (reclaimed)
        {
            Bump(ref h->FramesDropped);
        }

        Bump(ref h->FramesWritten);
        Interlocked.Increment(ref h->FrameSeq);
        Futex.WakeAll(&h->FrameSeq);
        return true;
    }

    /// <summary>
    /// Consumer step 1-3 for results: takes the newest READY result, copies and validates its
    /// header and item table. Returns false when none is READY or it was rejected
    /// (<see cref="LastRejectReason"/>; <c>results_rejected</c> counted).
    /// </summary>
    public bool TryBeginReadResult(out ShimResultLease lease)
    {
        lease = default;
        var slot = _results.BeginRead(oldest: false);
        if (slot < 0)
        {
            return false;
        }

        var header = *ResultSlot(slot);
        var reason = (header.Generation & 1) != 0
            ? $"field 'generation' is odd ({header.Generation})"
            : ValidateResult(header, new ReadOnlySpan<byte>(_results.Payload(slot), Geometry.ResultDataCapacity));
        if (reason is not null)
        {
            Reject(slot, reason);
            return false;
        }

        var data = new ReadOnlySpan<byte>(_results.Payload(slot), (int)header.DataSize);
        lease = new ShimResultLease(this, slot, header, data);
        return true;
    }

    public void Dispose() => Mapping.Dispose();

    /// <summary>Consumer step 3-4: re-reads generation; accepts (results_consumed) or rejects as torn (results_rejected); FREE.</summary>
    internal bool EndReadResult(int slot, uint generation)
    {
        if (_results.ReloadGeneration(slot) != generation)
        {
            Reject(slot, "field 'generation' changed while the result was read (torn)");
            return false;
        }

        _results.Store(slot, SlotState.Free);
        Bump(ref Header->ResultsConsumed);
        return true;
    }

    /// <summary>The spec's result checks (docs/frame-channel.md, "Validation"). Null when valid.</summary>
    internal string? ValidateResult(in OfsResultSlot h, ReadOnlySpan<byte> slotData)
    {
        var capacity = (ulong)Geometry.ResultDataCapacity;
        if (h.ItemCount > Wire.MaxResultItems)
        {
            return $"field 'item_count' is {h.ItemCount}, expected <= {Wire.MaxResultItems}";
        }

        if (h.DataSize > capacity)
        {
            return $"field 'data_size' is {h.DataSize}, expected <= {capacity}";
        }

        var tableBytes = (ulong)h.ItemCount * Wire.ResultItemSize;
        if (Wire.SlotHeaderSize + tableBytes > (ulong)Geometry.ResultSlotSize || tableBytes > h.DataSize)
        {
            return $"field 'item_count' is {h.ItemCount}: the item table ({tableBytes} bytes) exceeds the slot or data_size {h.DataSize}";
        }

        var items = MemoryMarshal.Cast<byte, OfsResultItem>(slotData[..(int)tableBytes]);
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (item.Kind == (uint)ItemKind.Face)
            {
                continue;
            }

            if (item.Kind != (uint)ItemKind.Patch)
            {
                return $"item {i}: field 'kind' is {item.Kind}";
            }

            if (item.PatchFormat != (uint)PatchFormat.Bgra)
            {
                return $"item {i}: field 'patch_format' is {item.PatchFormat}";
            }

            if (item.PatchWidth is < 1 or > Wire.MaxPatchSide || item.PatchHeight is < 1 or > Wire.MaxPatchSide)
            {
                return $"item {i}: fields 'patch_width'/'patch_height' are {item.PatchWidth}x{item.PatchHeight}, expected 1..{Wire.MaxPatchSide}";
            }

            if (item.PatchStride < 4UL * item.PatchWidth)
            {
                return $"item {i}: field 'patch_stride' is {item.PatchStride}, expected >= {4UL * item.PatchWidth}";
            }

            if (item.PatchOffset % 4 != 0 || item.PatchOffset < tableBytes)
            {
                return $"item {i}: field 'patch_offset' is {item.PatchOffset}, expected 4-aligned and >= {tableBytes}";
            }

            var end = item.PatchOffset + ((ulong)item.PatchStride * (item.PatchHeight - 1)) + (4UL * item.PatchWidth);
            if (end > h.DataSize)
            {
                return $"item {i}: patch ends at {end}, beyond data_size {h.DataSize}";
            }

            var finite = float.IsFinite(item.Opacity);
            for (var k = 0; k < 6; k++)
            {
                finite &= float.IsFinite(item.Affine[k]);
            }

            if (!finite)
            {
                return $"item {i}: field 'affine' or 'opacity' is not finite";
            }
        }

        return null;
    }

    private void Reject(int slot, string reason)
    {
        LastRejectReason = reason;
        _results.Store(slot, SlotState.Free);
        Bump(ref Header->ResultsRejected);
    }

    private static ulong AlignUp(ulong value) => (value + Wire.WireAlign - 1) / Wire.WireAlign * Wire.WireAlign;

    private static void Bump(ref ulong counter) => Volatile.Write(ref counter, Volatile.Read(ref counter) + 1);
}

/// <summary>A result held in READING by the shim side.</summary>
internal ref struct ShimResultLease
{
    private readonly ShimChannel? _channel;
    private readonly int _slot;
    private bool _ended;

    internal ShimResultLease(ShimChannel channel, int slot, OfsResultSlot header, ReadOnlySpan<byte> data)
    {
        _channel = channel;
        _slot = slot;
        Header = header;
        Data = data;
        _ended = false;
    }

    public readonly OfsResultSlot Header { get; }

    /// <summary>Items then patches (<c>data_size</c> bytes).</summary>
    public readonly ReadOnlySpan<byte> Data { get; }

    public readonly ReadOnlySpan<OfsResultItem> Items
        => MemoryMarshal.Cast<byte, OfsResultItem>(Data[..((int)Header.ItemCount * Wire.ResultItemSize)]);

    /// <summary>Patch <paramref name="item"/>'s row <paramref name="y"/>.</summary>
    public readonly ReadOnlySpan<byte> PatchRow(in OfsResultItem item, int y)
        => Data.Slice((int)(item.PatchOffset + ((ulong)item.PatchStride * (ulong)y)), (int)item.PatchWidth * 4);

    /// <summary>Ends the read: true = accepted, false = torn (rejected). Idempotent.</summary>
    public bool End()
    {
        if (_ended || _channel is null)
        {
            return true;
        }

        _ended = true;
        return _channel.EndReadResult(_slot, Header.Generation);
    }
}
