using System.Buffers.Binary;

namespace ObsFaceSwap.Channel.Tests;

/// <summary>The slot state machine of docs/frame-channel.md, shim (C# stand-in) against host.</summary>
public sealed unsafe class RingProtocolTests
{
    private const int W = 16;
    private const int H = 8;

    [Fact]
    public void Attaching_sets_host_pid_epoch_and_heartbeat()
    {
        using var pair = ChannelPair.Create();
        var h = pair.Shim.Header;
        Assert.Equal((uint)Environment.ProcessId, h->HostPid);
        Assert.Equal(1u, h->HostEpoch);
        Assert.NotEqual(0UL, h->HostHeartbeatNs);

        var before = h->HostHeartbeatNs;
        SpinWait.SpinUntil(() => HostChannel.MonotonicNs() > before, 1000);
        pair.Host.Heartbeat();
        Assert.True(h->HostHeartbeatNs > before);

        // A second host attaching bumps the epoch.
        using var again = HostChannel.Attach(ChannelMapping.OpenExisting(pair.Shim.Mapping.Name, pair.Shim.Mapping.Length), ownsMapping: true);
        Assert.Equal(2u, h->HostEpoch);
    }

    [Fact]
    public void Queue_depth_1_keeps_only_the_newest_frame_and_counts_drops()
    {
        using var pair = ChannelPair.Create(queueDepth: 1);
        for (uint i = 1; i <= 3; i++)
        {
            Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, i), i * 1000, out var id));
            Assert.Equal(i, id);
        }

        var h = pair.Shim.Header;
        Assert.Equal(3UL, h->FramesWritten);
        Assert.Equal(2UL, h->FramesDropped);
        Assert.Equal(3u, h->FrameSeq);

        Assert.Equal(3UL, TakeFrameId(pair.Host));
        Assert.Equal(FrameAcquireStatus.None, pair.Host.TryAcquireFrame(out _));
        Assert.Equal(1UL, h->FramesRead);
    }

    [Fact]
    public void Queue_depth_2_drops_the_oldest_and_delivers_the_rest_oldest_first()
    {
        using var pair = ChannelPair.Create(queueDepth: 2);
        for (uint i = 1; i <= 3; i++)
        {
            Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, i), i, out _));
        }

        Assert.Equal(1UL, pair.Shim.Header->FramesDropped);
        Assert.Equal(2UL, TakeFrameId(pair.Host));
        Assert.Equal(3UL, TakeFrameId(pair.Host));
        Assert.Equal(FrameAcquireStatus.None, pair.Host.TryAcquireFrame(out _));
        var c = pair.Host.ReadCounters();
        Assert.Equal(2UL, c.FramesRead);
        Assert.Equal(3UL, c.FramesWritten);
        Assert.Equal(1UL, c.FramesDropped);
        Assert.Equal(2u, c.QueueDepth);
    }

    [Fact]
    public void Frames_arrive_in_order_with_their_header_and_pixels()
    {
        using var pair = ChannelPair.Create(queueDepth: 2, frameSlots: 4);
        for (uint round = 0; round < 10; round++)
        {
            var first = (round * 2) + 1;
            Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, first), first * 10, out _));
            Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, first + 1), (first + 1) * 10, out _));
            for (var k = 0u; k < 2; k++)
            {
                Assert.Equal(FrameAcquireStatus.Acquired, pair.Host.TryAcquireFrame(out var lease));
                Assert.Equal(first + k, lease.Header.FrameId);
                Assert.Equal((first + k) * 10, lease.Header.TimestampNs);
                Assert.Equal(PixelFormat.Bgra, lease.Format);
                Assert.Equal((uint)W, lease.Header.Width);
                Assert.Equal(W * H * 4, lease.Data.Length);
                Assert.Equal(W * H * 4, lease.Plane0.Length);
                Assert.True(lease.UvPlane.IsEmpty);
                Assert.Equal(first + k, BinaryPrimitives.ReadUInt32LittleEndian(lease.Data[^4..]));
                Assert.True(lease.Release());
            }
        }

        Assert.Equal(0UL, pair.Shim.Header->FramesDropped);
        Assert.Equal(20UL, pair.Shim.Header->FramesRead);
    }

    [Fact]
    public void A_frame_held_by_the_host_is_never_reclaimed_and_the_slot_is_freed_on_release()
    {
        using var pair = ChannelPair.Create(queueDepth: 1);
        Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, 1), 1, out _));
        Assert.Equal(FrameAcquireStatus.Acquired, pair.Host.TryAcquireFrame(out var lease));

        // While the host reads frame 1, the shim publishes more: it drops READY ones only.
        for (uint i = 2; i <= 5; i++)
        {
            Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, i), i, out _));
        }

        Assert.Equal(1U, BinaryPrimitives.ReadUInt32LittleEndian(lease.Data));
        Assert.True(lease.Release());
        Assert.Equal(3UL, pair.Shim.Header->FramesDropped);
        Assert.Equal(5UL, TakeFrameId(pair.Host));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SlotState.Free, pair.Shim.FrameSlotState(i));
        }
    }

    [Fact]
    public void With_no_free_slot_the_shim_skips_the_frame_and_counts_it()
    {
        using var pair = ChannelPair.Create(queueDepth: 2);

        // Slots left WRITING (e.g. by a crashed writer) are neither FREE nor READY.
        for (var i = 0; i < 3; i++)
        {
            pair.Shim.FrameSlot(i)->State = (uint)SlotState.Writing;
        }

        Assert.False(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, 1), 1, out _));
        Assert.Equal(1UL, pair.Shim.Header->FramesSkipped);
        Assert.Equal(0UL, pair.Shim.Header->FramesWritten);
        Assert.Equal(FrameAcquireStatus.None, pair.Host.TryAcquireFrame(out _));
    }

    [Fact]
    public void A_frame_with_an_odd_generation_is_rejected_and_freed()
    {
        using var pair = ChannelPair.Create();
        Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, 1), 1, out _));
        var slot = FindSlot(pair.Shim, 1);
        pair.Shim.FrameSlot(slot)->Generation |= 1;

        Assert.Equal(FrameAcquireStatus.Rejected, pair.Host.TryAcquireFrame(out _));
        Assert.Contains("generation", pair.Host.LastRejectReason, StringComparison.Ordinal);
        Assert.Equal(SlotState.Free, pair.Shim.FrameSlotState(slot));
    }

    [Fact]
    public void A_frame_whose_generation_changes_while_held_is_reported_torn()
    {
        using var pair = ChannelPair.Create();
        Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, 1), 1, out _));
        var slot = FindSlot(pair.Shim, 1);
        Assert.Equal(FrameAcquireStatus.Acquired, pair.Host.TryAcquireFrame(out var lease));

        // A misbehaving shim writes into the slot the host owns.
        pair.Shim.FrameSlot(slot)->Generation += 2;
        Assert.False(lease.Release());
        Assert.True(lease.Release()); // idempotent
        Assert.Equal(SlotState.Free, pair.Shim.FrameSlotState(slot));
    }

    [Fact]
    public void A_frame_id_that_does_not_increase_is_rejected()
    {
        using var pair = ChannelPair.Create(queueDepth: 2);
        Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, 1), 1, out _));
        Assert.Equal(1UL, TakeFrameId(pair.Host));
        Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, 2), 2, out _));

        // A buggy shim repeats an id: the host refuses to go backwards.
        pair.Shim.FrameSlot(FindSlot(pair.Shim, 2))->FrameId = 1;
        Assert.Equal(FrameAcquireStatus.Rejected, pair.Host.TryAcquireFrame(out _));
        Assert.Contains("'frame_id'", pair.Host.LastRejectReason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadFrames => new()
    {
        { "format", "pixel_format" },
        { "width0", "width" },
        { "width_huge", "width" },
        { "height_huge", "height" },
        { "stride_small", "stride" },
        { "data_size_over_slot", "data_size" },
        { "data_size_short", "data_size" },
        { "uv_on_bgra", "uv_offset" },
        { "stride_overflow", "data_size" },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void A_frame_header_with_bad_geometry_is_rejected_naming_the_field(string tamper, string field)
    {
        using var pair = ChannelPair.Create();
        Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), ChannelPair.TaggedBgra(W, H, 1), 1, out _));
        var s = pair.Shim.FrameSlot(FindSlot(pair.Shim, 1));
        switch (tamper)
        {
            case "format": s->PixelFormat = 3; break;
            case "width0": s->Width = 0; break;
            case "width_huge": s->Width = Wire.MaxWidth + 1; break;
            case "height_huge": s->Height = uint.MaxValue; break;
            case "stride_small": s->Stride = (W * 4) - 4; break;
            case "data_size_over_slot": s->DataSize = (uint)pair.Host.Geometry.FrameDataCapacity + 1; break;
            case "data_size_short": s->DataSize = (W * H * 4) - 1; break;
            case "uv_on_bgra": s->UvOffset = 64; break;
            case "stride_overflow": s->Stride = uint.MaxValue; break;
            default: throw new ArgumentOutOfRangeException(nameof(tamper));
        }

        Assert.Equal(FrameAcquireStatus.Rejected, pair.Host.TryAcquireFrame(out _));
        Assert.Contains($"'{field}'", pair.Host.LastRejectReason, StringComparison.Ordinal);
    }

    [Fact]
    public void NV12_frames_expose_the_Y_and_UV_planes_with_their_strides()
    {
        const int w = 20, h = 10, stride = 32;
        using var pair = ChannelPair.Create(frameDataCapacity: stride * h * 2);
        var spec = FrameSpec.Nv12(w, h, stride);
        var data = new byte[spec.DataSize];
        for (var y = 0; y < h; y++)
        {
            data.AsSpan(y * stride, w).Fill((byte)(16 + y));
        }

        for (var y = 0; y < h / 2; y++)
        {
            data.AsSpan(spec.UvOffset + (y * stride), w).Fill((byte)(100 + y));
        }

        Assert.True(pair.Shim.TryPublishFrame(spec, data, 5, out _));
        Assert.Equal(FrameAcquireStatus.Acquired, pair.Host.TryAcquireFrame(out var lease));
        Assert.Equal(PixelFormat.Nv12, lease.Format);
        Assert.Equal((stride * (h - 1)) + w, lease.Plane0.Length);
        Assert.Equal((stride * ((h / 2) - 1)) + w, lease.UvPlane.Length);
        Assert.Equal(16 + 9, lease.Plane0[(9 * stride) + w - 1]);
        Assert.Equal(100 + 4, lease.UvPlane[(4 * (int)lease.Header.UvStride) + w - 1]);
        Assert.True(lease.Release());
    }

    public static TheoryData<string, string> BadNv12 => new()
    {
        { "odd_width", "width" },
        { "odd_height", "width" },
        { "stride_small", "stride" },
        { "uv_stride_small", "uv_stride" },
        { "uv_overlaps_y", "uv_offset" },
        { "uv_beyond_data", "data_size" },
    };

    [Theory]
    [MemberData(nameof(BadNv12))]
    public void NV12_geometry_is_checked(string tamper, string field)
    {
        const int w = 20, h = 10, stride = 32;
        using var pair = ChannelPair.Create(frameDataCapacity: stride * h * 2);
        var spec = FrameSpec.Nv12(w, h, stride);
        Assert.True(pair.Shim.TryPublishFrame(spec, new byte[spec.DataSize], 5, out _));
        var s = pair.Shim.FrameSlot(FindSlot(pair.Shim, 1));
        switch (tamper)
        {
            case "odd_width": s->Width = w - 1; break;
            case "odd_height": s->Height = h - 1; break;
            case "stride_small": s->Stride = w - 2; break;
            case "uv_stride_small": s->UvStride = w - 2; break;
            case "uv_overlaps_y": s->UvOffset = (uint)(stride * (h - 1)); break;
            case "uv_beyond_data": s->UvOffset = s->DataSize - (uint)w + 1; break;
            default: throw new ArgumentOutOfRangeException(nameof(tamper));
        }

        Assert.Equal(FrameAcquireStatus.Rejected, pair.Host.TryAcquireFrame(out _));
        Assert.Contains($"'{field}'", pair.Host.LastRejectReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_result_round_trips_with_items_and_patch_pixels()
    {
        using var pair = ChannelPair.Create();
        var builder = new ResultBuilder(pair.Host.Geometry.ResultDataCapacity);
        var patch = builder.AddPatch(3, 2, [1f, 0f, 4, 0f, 1f, 5], 0.5f);
        for (var i = 0; i < patch.Length; i++)
        {
            patch[i] = (byte)i;
        }

        builder.AddFace([1, 2, 3, 4], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5], 0.9f, 17);
        Assert.Equal(ResultPublishStatus.Published, pair.Host.TryPublishResult(builder, 42, 4200, 64, 48, 1234));

        Assert.True(pair.Shim.TryBeginReadResult(out var lease), pair.Shim.LastRejectReason);
        Assert.Equal(42UL, lease.Header.FrameId);
        Assert.Equal(4200UL, lease.Header.TimestampNs);
        Assert.Equal(64u, lease.Header.FrameWidth);
        Assert.Equal(48u, lease.Header.FrameHeight);
        Assert.Equal(1234UL, lease.Header.PipelineNs);
        Assert.Equal((uint)ResultStatus.Ok, lease.Header.Status);
        Assert.Equal(2u, lease.Header.ItemCount);
        Assert.Equal((uint)((2 * 128) + 24), lease.Header.DataSize);
        Assert.Equal(0u, lease.Header.Generation & 1);

        var items = lease.Items;
        Assert.Equal((uint)ItemKind.Patch, items[0].Kind);
        Assert.Equal(256u, items[0].PatchOffset);
        Assert.Equal(12u, items[0].PatchStride);
        Assert.Equal(0.5f, items[0].Opacity);
        fixed (float* affine = items[0].Affine)
        {
            Assert.Equal(new float[] { 1, 0, 4, 0, 1, 5 }, new ReadOnlySpan<float>(affine, 6).ToArray());
        }

        Assert.Equal((uint)ItemKind.Face, items[1].Kind);
        Assert.Equal(17u, items[1].FaceId);
        Assert.Equal(new byte[] { 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 }, lease.PatchRow(items[0], 1).ToArray());
        Assert.True(lease.End());
        Assert.Equal(1UL, pair.Shim.Header->ResultsConsumed);
        Assert.Equal(1UL, pair.Shim.Header->ResultsWritten);
        Assert.Equal(1234UL, pair.Shim.Header->LastPipelineNs);
    }

    [Fact]
    public void The_newest_result_wins_and_an_unread_one_is_reclaimed_and_counted()
    {
        using var pair = ChannelPair.Create();
        var builder = new ResultBuilder(pair.Host.Geometry.ResultDataCapacity);
        Assert.Equal(ResultPublishStatus.Published, pair.Host.TryPublishResult(builder, 1, 0, 64, 48, 0));
        Assert.Equal(ResultPublishStatus.PublishedReplacingUnread, pair.Host.TryPublishResult(builder, 2, 0, 64, 48, 0));
        Assert.Equal(ResultPublishStatus.PublishedReplacingUnread, pair.Host.TryPublishResult(builder, 3, 0, 64, 48, 0));

        var c = pair.Host.ReadCounters();
        Assert.Equal(3UL, c.ResultsWritten);
        Assert.Equal(2UL, c.ResultsDropped);

        Assert.True(pair.Shim.TryBeginReadResult(out var lease));
        Assert.Equal(3UL, lease.Header.FrameId);
        Assert.True(lease.End());
        Assert.False(pair.Shim.TryBeginReadResult(out _));
    }

    [Fact]
    public void The_shim_side_takes_the_newest_of_several_ready_results()
    {
        using var pair = ChannelPair.Create();
        for (var i = 0; i < 3; i++)
        {
            var s = pair.Shim.ResultSlot(i);
            s->FrameId = (ulong)(10 + ((i + 1) % 3));
            s->State = (uint)SlotState.Ready;
        }

        Assert.True(pair.Shim.TryBeginReadResult(out var lease));
        Assert.Equal(12UL, lease.Header.FrameId);
        Assert.True(lease.End());
    }

    [Fact]
    public void While_the_shim_reads_a_result_the_host_publishes_into_another_slot()
    {
        using var pair = ChannelPair.Create();
        var builder = new ResultBuilder(pair.Host.Geometry.ResultDataCapacity);
        Assert.Equal(ResultPublishStatus.Published, pair.Host.TryPublishResult(builder, 1, 0, 64, 48, 0));
        Assert.True(pair.Shim.TryBeginReadResult(out var lease));
        Assert.Equal(ResultPublishStatus.Published, pair.Host.TryPublishResult(builder, 2, 0, 64, 48, 0));
        Assert.Equal(1UL, lease.Header.FrameId);
        Assert.True(lease.End());
        Assert.True(pair.Shim.TryBeginReadResult(out var next));
        Assert.Equal(2UL, next.Header.FrameId);
        Assert.True(next.End());
    }

    [Fact]
    public void A_result_with_an_odd_generation_or_torn_while_read_is_rejected_by_the_shim()
    {
        using var pair = ChannelPair.Create();
        var builder = new ResultBuilder(pair.Host.Geometry.ResultDataCapacity);

        Assert.Equal(ResultPublishStatus.Published, pair.Host.TryPublishResult(builder, 1, 0, 64, 48, 0));
        var slot = FindResultSlot(pair.Shim, 1);
        pair.Shim.ResultSlot(slot)->Generation |= 1;
        Assert.False(pair.Shim.TryBeginReadResult(out _));
        Assert.Contains("generation", pair.Shim.LastRejectReason, StringComparison.Ordinal);

        Assert.Equal(ResultPublishStatus.Published, pair.Host.TryPublishResult(builder, 2, 0, 64, 48, 0));
        slot = FindResultSlot(pair.Shim, 2);
        Assert.True(pair.Shim.TryBeginReadResult(out var lease));
        pair.Shim.ResultSlot(slot)->Generation += 2; // a peer writes into a slot it does not own
        Assert.False(lease.End());
        Assert.Contains("torn", pair.Shim.LastRejectReason, StringComparison.Ordinal);
        Assert.Equal(2UL, pair.Shim.Header->ResultsRejected);
        Assert.Equal(0UL, pair.Shim.Header->ResultsConsumed);
    }

    public static TheoryData<string, string> BadResults => new()
    {
        { "item_count", "item_count" },
        { "data_size", "data_size" },
        { "patch_format", "patch_format" },
        { "patch_width", "patch_width" },
        { "patch_stride", "patch_stride" },
        { "patch_offset_unaligned", "patch_offset" },
        { "patch_offset_in_table", "patch_offset" },
        { "patch_beyond_data", "data_size" },
        { "affine_nan", "affine" },
    };

    [Theory]
    [MemberData(nameof(BadResults))]
    public void The_shim_side_validates_results_as_the_spec_says(string tamper, string field)
    {
        using var pair = ChannelPair.Create();
        var builder = new ResultBuilder(pair.Host.Geometry.ResultDataCapacity);
        builder.AddPatch(4, 4, [1f, 0f, 0, 0f, 1f, 0], 1);
        Assert.Equal(ResultPublishStatus.Published, pair.Host.TryPublishResult(builder, 1, 0, 64, 48, 0));
        var slot = pair.Shim.ResultSlot(FindResultSlot(pair.Shim, 1));
        var item = (OfsResultItem*)((byte*)slot + 64);
        switch (tamper)
        {
            case "item_count": slot->ItemCount = Wire.MaxResultItems + 1; break;
            case "data_size": slot->DataSize = uint.MaxValue; break;
            case "patch_format": item->PatchFormat = 9; break;
            case "patch_width": item->PatchWidth = Wire.MaxPatchSide + 1; break;
            case "patch_stride": item->PatchStride = 4; break;
            case "patch_offset_unaligned": item->PatchOffset = 130; break;
            case "patch_offset_in_table": item->PatchOffset = 64; break;
            case "patch_beyond_data": item->PatchHeight = 5; break;
            case "affine_nan": item->Affine[2] = float.NaN; break;
            default: throw new ArgumentOutOfRangeException(nameof(tamper));
        }

        Assert.False(pair.Shim.TryBeginReadResult(out _));
        Assert.Contains(field, pair.Shim.LastRejectReason, StringComparison.Ordinal);
        Assert.Equal(1UL, pair.Shim.Header->ResultsRejected);
    }

    private static ulong TakeFrameId(HostChannel host)
    {
        Assert.Equal(FrameAcquireStatus.Acquired, host.TryAcquireFrame(out var lease));
        var id = lease.Header.FrameId;
        Assert.Equal((uint)id, BinaryPrimitives.ReadUInt32LittleEndian(lease.Data));
        Assert.True(lease.Release());
        return id;
    }

    private static int FindSlot(ShimChannel shim, ulong frameId)
    {
        for (var i = 0; i < shim.Geometry.FrameSlotCount; i++)
        {
            if (shim.FrameSlot(i)->FrameId == frameId)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"frame {frameId} is in no slot");
    }

    private static int FindResultSlot(ShimChannel shim, ulong frameId)
    {
        for (var i = 0; i < shim.Geometry.ResultSlotCount; i++)
        {
            if (shim.ResultSlot(i)->FrameId == frameId && shim.ResultSlot(i)->State == (uint)SlotState.Ready)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"result {frameId} is in no READY slot");
    }
}
