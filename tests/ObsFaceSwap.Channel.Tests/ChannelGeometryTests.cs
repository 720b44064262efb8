namespace ObsFaceSwap.Channel.Tests;

/// <summary>The host validates a shim's header against the mapping: each bad field gets a clear exception naming it.</summary>
public sealed class ChannelGeometryTests
{
    private const ulong SlotSize = 64 * 8;

    [Fact]
    public void A_valid_header_gives_its_geometry()
    {
        var h = ValidHeader(out var length);
        var g = ChannelGeometry.Validate(h, length);
        Assert.Equal(7UL, g.ChannelId);
        Assert.Equal(3, g.FrameSlotCount);
        Assert.Equal((int)SlotSize - 64, g.FrameDataCapacity);
        Assert.Equal(256UL + (3 * SlotSize), g.ResultSlotsOffset);
        Assert.Equal(1, g.QueueDepth);
    }

    public static TheoryData<string, string> BadHeaders => new()
    {
        { "magic", "magic" },
        { "version", "version" },
        { "header_size", "header_size" },
        { "total_size_vs_mapping", "total_size" },
        { "frame_slot_count_low", "frame_slot_count" },
        { "frame_slot_count_high", "frame_slot_count" },
        { "result_slot_count_high", "result_slot_count" },
        { "frame_slot_size_unaligned", "frame_slot_size" },
        { "frame_slot_size_too_small", "frame_slot_size" },
        { "result_slot_size_huge", "result_slot_size" },
        { "frame_offset_unaligned", "frame_slots_offset" },
        { "frame_offset_in_header", "frame_slots_offset" },
        { "frame_offset_beyond_mapping", "frame_slots_offset" },
        { "frame_region_beyond_mapping", "frame_slots_offset" },
        { "result_region_beyond_mapping", "result_slots_offset" },
        { "result_offset_overflow", "result_slots_offset" },
        { "regions_overlap", "result_slots_offset" },
        { "queue_depth_zero", "queue_depth" },
        { "queue_depth_three", "queue_depth" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void A_bad_header_is_rejected_naming_the_field(string tamper, string field)
    {
        var h = ValidHeader(out var length);
        switch (tamper)
        {
            case "magic": h.Magic = 0x12345678; break;
            case "version": h.Version = 2; break;
            case "header_size": h.HeaderSize = 128; break;
            case "total_size_vs_mapping": h.TotalSize = length + 64; break;
            case "frame_slot_count_low": h.FrameSlotCount = 2; break;
            case "frame_slot_count_high": h.FrameSlotCount = 9; break;
            case "result_slot_count_high": h.ResultSlotCount = uint.MaxValue; break;
            case "frame_slot_size_unaligned": h.FrameSlotSize = (uint)SlotSize + 4; break;
            case "frame_slot_size_too_small": h.FrameSlotSize = 64; break;
            case "result_slot_size_huge": h.ResultSlotSize = uint.MaxValue - 63; break;
            case "frame_offset_unaligned": h.FrameSlotsOffset = 260; break;
            case "frame_offset_in_header": h.FrameSlotsOffset = 192; break;
            case "frame_offset_beyond_mapping": h.FrameSlotsOffset = length + 64; break;
            case "frame_region_beyond_mapping": h.FrameSlotsOffset = length - SlotSize; break;
            case "result_region_beyond_mapping": h.ResultSlotSize = (uint)(SlotSize * 2); break;
            case "result_offset_overflow": h.ResultSlotsOffset = ulong.MaxValue - 63; break;
            case "regions_overlap": h.ResultSlotsOffset = 256 + SlotSize; break;
            case "queue_depth_zero": h.QueueDepth = 0; break;
            case "queue_depth_three": h.QueueDepth = 3; break;
            default: throw new ArgumentOutOfRangeException(nameof(tamper));
        }

        var e = Assert.Throws<ChannelHeaderException>(() => ChannelGeometry.Validate(h, length));
        Assert.Equal(field, e.Field);
        Assert.Contains($"'{field}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected", e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(e.Actual));
    }

    [Fact]
    public void A_mapping_shorter_than_the_header_is_rejected()
    {
        var h = ValidHeader(out _);
        var e = Assert.Throws<ChannelHeaderException>(() => ChannelGeometry.Validate(h, 100));
        Assert.Equal("total_size", e.Field);
    }

    [Fact]
    public void Slot_sizes_times_counts_cannot_wrap_around()
    {
        // 8 slots of ~4 GiB: the region would be 32 GiB, far beyond the mapping; a 32-bit
        // product would wrap to a small number.
        var h = ValidHeader(out var length);
        h.FrameSlotCount = 8;
        h.FrameSlotSize = 0x8000_0000u - 64;
        var e = Assert.Throws<ChannelHeaderException>(() => ChannelGeometry.Validate(h, length));
        Assert.Equal("frame_slot_size", e.Field);

        h = ValidHeader(out length);
        h.FrameSlotCount = 8;
        h.FrameSlotSize = 0x4000_0000u; // 1 GiB, valid size; 8 GiB region
        e = Assert.Throws<ChannelHeaderException>(() => ChannelGeometry.Validate(h, length));
        Assert.Equal("frame_slots_offset", e.Field);
    }

    [Fact]
    public unsafe void Attaching_to_real_memory_with_a_bad_header_throws_and_leaves_it_untouched()
    {
        using var shim = ShimChannel.Create(ChannelPair.UniqueName(), new ShimChannelOptions(9, 1024, 1024));
        shim.Header->FrameSlotCount = 42;
        using var mapping = ChannelMapping.OpenExisting(shim.Mapping.Name, shim.Mapping.Length);
        var e = Assert.Throws<ChannelHeaderException>(() => HostChannel.Attach(mapping, ownsMapping: false));
        Assert.Equal("frame_slot_count", e.Field);
        Assert.Contains("42", e.Message, StringComparison.Ordinal);
        Assert.Equal(0u, shim.Header->HostEpoch);
        Assert.Equal(0u, shim.Header->HostPid);
    }

    private static OfsChannelHeader ValidHeader(out ulong length)
    {
        length = 256 + (6 * SlotSize);
        return new OfsChannelHeader
        {
            Magic = Wire.WireMagic,
            Version = Wire.WireVersion,
            HeaderSize = 256,
            TotalSize = length,
            ChannelId = 7,
            FrameSlotsOffset = 256,
            ResultSlotsOffset = 256 + (3 * SlotSize),
            FrameSlotCount = 3,
            FrameSlotSize = (uint)SlotSize,
            ResultSlotCount = 3,
            ResultSlotSize = (uint)SlotSize,
            QueueDepth = 1,
        };
    }
}
