namespace ObsFaceSwap.Channel;

/// <summary>
/// Thrown when a channel header read from shared memory fails validation. Names the field,
/// the expected value or range and the value found.
/// </summary>
public sealed class ChannelHeaderException : IOException
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    /// <param name="field">The wire.h field name, e.g. <c>frame_slot_count</c>.</param>
    /// <param name="expected">What was expected, e.g. <c>3..8</c>.</param>
    /// <param name="actual">What the header holds.</param>
    public ChannelHeaderException(string field, string expected, string actual)
        : base($"channel header field '{field}' is invalid: expected {expected}, found {actual}")
    {
        Field = field;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Creates the exception with a message only (field "unknown").</summary>
    public ChannelHeaderException()
        : this("unknown", "a valid header", "an invalid one")
    {
    }

    /// <summary>Creates the exception with a message only (field "unknown").</summary>
    public ChannelHeaderException(string message)
        : base(message)
    {
        Field = "unknown";
        Expected = string.Empty;
        Actual = string.Empty;
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ChannelHeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "unknown";
        Expected = string.Empty;
        Actual = string.Empty;
    }

    /// <summary>The wire.h name of the offending field.</summary>
    public string Field { get; }

    /// <summary>The expected value or range.</summary>
    public string Expected { get; }

    /// <summary>The value found.</summary>
    public string Actual { get; }
}

/// <summary>
/// The validated, private copy of a channel's geometry (header bytes 0..63). The host reads
/// the geometry once, validates it against the mapping length and never re-reads it.
/// </summary>
/// <param name="ChannelId">The header's <c>channel_id</c>.</param>
/// <param name="TotalSize">Bytes of the mapping.</param>
/// <param name="FrameSlotsOffset">Offset of frame slot 0.</param>
/// <param name="FrameSlotCount">Number of frame slots.</param>
/// <param name="FrameSlotSize">Bytes per frame slot, header included.</param>
/// <param name="ResultSlotsOffset">Offset of result slot 0.</param>
/// <param name="ResultSlotCount">Number of result slots.</param>
/// <param name="ResultSlotSize">Bytes per result slot, header included.</param>
/// <param name="QueueDepth">Frames kept READY before the oldest is dropped (1 or 2).</param>
public readonly record struct ChannelGeometry(
    ulong ChannelId,
    ulong TotalSize,
    ulong FrameSlotsOffset,
    int FrameSlotCount,
    int FrameSlotSize,
    ulong ResultSlotsOffset,
    int ResultSlotCount,
    int ResultSlotSize,
    int QueueDepth)
{
    /// <summary>Largest pixel payload of one frame slot.</summary>
    public int FrameDataCapacity => FrameSlotSize - Wire.SlotHeaderSize;

    /// <summary>Largest item + patch payload of one result slot.</summary>
    public int ResultDataCapacity => ResultSlotSize - Wire.SlotHeaderSize;

    /// <summary>
    /// Validates a header copy against the length of the mapping it came from. Every check
    /// uses 64-bit arithmetic that cannot overflow.
    /// </summary>
    /// <param name="header">A private copy of the header.</param>
    /// <param name="mappingLength">Bytes actually mapped.</param>
    /// <returns>The validated geometry.</returns>
    /// <exception cref="ChannelHeaderException">A field is out of range.</exception>
    public static ChannelGeometry Validate(in OfsChannelHeader header, ulong mappingLength)
    {
        const ulong headerSize = Wire.ChannelHeaderSize;
        if (mappingLength < headerSize)
        {
            throw new ChannelHeaderException("total_size", $">= {headerSize} (mapping length)", $"a mapping of {mappingLength} bytes");
        }

        Expect("magic", header.Magic == Wire.WireMagic, $"0x{Wire.WireMagic:X8}", $"0x{header.Magic:X8}");
        Expect("version", header.Version == Wire.WireVersion, $"{Wire.WireVersion}", $"{header.Version}");
        Expect("header_size", header.HeaderSize == headerSize, $"{headerSize}", $"{header.HeaderSize}");
        Expect("total_size", header.TotalSize == mappingLength, $"{mappingLength} (mapping length)", $"{header.TotalSize}");

        Expect("frame_slot_count", header.FrameSlotCount is >= Wire.MinFrameSlots and <= Wire.MaxFrameSlots,
            $"{Wire.MinFrameSlots}..{Wire.MaxFrameSlots}", $"{header.FrameSlotCount}");
        Expect("result_slot_count", header.ResultSlotCount is >= Wire.MinResultSlots and <= Wire.MaxResultSlots,
            $"{Wire.MinResultSlots}..{Wire.MaxResultSlots}", $"{header.ResultSlotCount}");

        ValidateSlotSize("frame_slot_size", header.FrameSlotSize);
        ValidateSlotSize("result_slot_size", header.ResultSlotSize);

        ValidateRegion("frame_slots_offset", header.FrameSlotsOffset, header.FrameSlotCount, header.FrameSlotSize, mappingLength);
        ValidateRegion("result_slots_offset", header.ResultSlotsOffset, header.ResultSlotCount, header.ResultSlotSize, mappingLength);

        // Both regions are inside the mapping (checked above, so these sums cannot overflow).
        var frameEnd = header.FrameSlotsOffset + ((ulong)header.FrameSlotCount * header.FrameSlotSize);
        var resultEnd = header.ResultSlotsOffset + ((ulong)header.ResultSlotCount * header.ResultSlotSize);
        var disjoint = frameEnd <= header.ResultSlotsOffset || resultEnd <= header.FrameSlotsOffset;
        Expect("result_slots_offset", disjoint,
            $"a result region outside the frame region [{header.FrameSlotsOffset}, {frameEnd})",
            $"[{header.ResultSlotsOffset}, {resultEnd})");

        Expect("queue_depth", header.QueueDepth is 1 or 2, "1..2", $"{header.QueueDepth}");

        return new ChannelGeometry(
            header.ChannelId,
            header.TotalSize,
            header.FrameSlotsOffset,
            (int)header.FrameSlotCount,
            (int)header.FrameSlotSize,
            header.ResultSlotsOffset,
            (int)header.ResultSlotCount,
            (int)header.ResultSlotSize,
            (int)header.QueueDepth);
    }

    private static void ValidateSlotSize(string field, uint size)
    {
        // A slot holds its 64-byte header and at least one 64-byte block of payload; int.MaxValue
        // keeps every later offset computation inside int spans.
        Expect(field, size >= 2 * Wire.WireAlign && size % Wire.WireAlign == 0 && size <= int.MaxValue - Wire.WireAlign,
            $"a multiple of {Wire.WireAlign} in {2 * Wire.WireAlign}..{int.MaxValue - Wire.WireAlign}", $"{size}");
    }

    private static void ValidateRegion(string field, ulong offset, uint count, uint size, ulong mappingLength)
    {
        Expect(field, offset % Wire.WireAlign == 0, $"a multiple of {Wire.WireAlign}", $"{offset}");
        Expect(field, offset >= Wire.ChannelHeaderSize, $">= {Wire.ChannelHeaderSize} (after the header)", $"{offset}");
        Expect(field, offset <= mappingLength, $"<= {mappingLength} (mapping length)", $"{offset}");

        // count <= 8 and size < 2^32, so the product fits in 64 bits; compare against the room
        // left rather than adding, so nothing can wrap.
        var regionBytes = (ulong)count * size;
        Expect(field, regionBytes <= mappingLength - offset,
            $"a region of {count} x {size} bytes ending within the mapping ({mappingLength} bytes)",
            $"offset {offset}, region end {(UInt128)offset + regionBytes}");
    }

    private static void Expect(string field, bool ok, string expected, string actual)
    {
        if (!ok)
        {
            throw new ChannelHeaderException(field, expected, actual);
        }
    }
}
