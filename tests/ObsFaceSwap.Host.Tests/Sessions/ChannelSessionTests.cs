using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Host.Sessions;
using ObsFaceSwap.Host.Tests.Pipeline;

namespace ObsFaceSwap.Host.Tests.Sessions;

public sealed unsafe class ChannelSessionTests
{
    private const int W = 320;
    private const int H = 180;

    [Theory]
    [InlineData(PixelFormat.Bgra)]
    [InlineData(PixelFormat.Nv12)]
    public void The_per_frame_path_allocates_nothing(PixelFormat format)
    {
        var (spec, pixels) = format == PixelFormat.Bgra
            ? (FrameSpec.Bgra(W, H), Images.GradientBgra(W, H))
            : (FrameSpec.Nv12(W, H, W), Images.Nv12(W, H, W));
        using var shim = ShimChannel.Create($"/obs-faceswap-test-{Guid.NewGuid():N}", new ShimChannelOptions(1, spec.DataSize, W * H * 4));
        using var session = Attach(shim, out _);
        var result = session.CreateResultBuilder();

        // Warm up past tiered compilation's call-counting threshold (30 calls): the thread that
        // crosses it queues the tier-1 work and may allocate doing so, which made this test fail
        // now and then on a loaded machine when only 5 frames warmed it up.
        const int WarmUp = 100;
        for (var i = 0; i < WarmUp; i++)
        {
            Assert.True(shim.TryPublishFrame(spec, pixels, 0, out _));
            Assert.Equal(FrameAcquireStatus.Acquired, session.Step(result));
            Assert.True(shim.TryBeginReadResult(out var warm));
            Assert.True(warm.End());
        }

        long allocated = 0;
        for (var i = 0; i < 50; i++)
        {
            Assert.True(shim.TryPublishFrame(spec, pixels, 0, out _));
            var before = GC.GetAllocatedBytesForCurrentThread();
            var status = session.Step(result);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(FrameAcquireStatus.Acquired, status);
            Assert.True(shim.TryBeginReadResult(out var lease));
            Assert.Equal(1u, lease.Header.ItemCount);
            Assert.True(lease.End());
        }

        Assert.True(allocated == 0, $"{allocated} bytes allocated in 50 frames");
        Assert.Equal(WarmUp + 50UL, shim.Header->ResultsWritten);
    }

    [Fact]
    public void A_failing_stage_publishes_a_STAGE_FAILED_result_with_no_items_and_is_counted()
    {
        using var shim = ShimChannel.Create($"/obs-faceswap-test-{Guid.NewGuid():N}", new ShimChannelOptions(2, 64 * 48 * 4, 4096));
        var logger = new ListLogger();
        using var session = Attach(shim, out _, new FramePipeline([new ThrowingStage()]), logger);
        var result = session.CreateResultBuilder();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(shim.TryPublishFrame(FrameSpec.Bgra(64, 48), Images.GradientBgra(64, 48), 0, out _));
            Assert.Equal(FrameAcquireStatus.Acquired, session.Step(result));
        }

        Assert.True(shim.TryBeginReadResult(out var lease));
        Assert.Equal((uint)ResultStatus.StageFailed, lease.Header.Status);
        Assert.Equal(0u, lease.Header.ItemCount);
        Assert.True(lease.End());
        Assert.Equal(3, session.Snapshot().StageFailures);
        Assert.Single(logger.Events, e => e.EventId == 502);
        Assert.Equal(2, logger.Events.Count(e => e.EventId == 503));
    }

    [Fact]
    public void The_thread_serves_frames_and_stop_detaches()
    {
        using var shim = ShimChannel.Create($"/obs-faceswap-test-{Guid.NewGuid():N}", new ShimChannelOptions(3, 64 * 48 * 4, 64 * 48 * 4));
        var session = Attach(shim, out _);
        session.Start();
        Assert.True(shim.TryPublishFrame(FrameSpec.Bgra(64, 48), Images.GradientBgra(64, 48), 0, out _));
        var deadline = Environment.TickCount64 + 10_000;
        var got = false;
        while (!got && Environment.TickCount64 < deadline)
        {
            got = shim.TryBeginReadResult(out var lease) && lease.End();
            if (!got)
            {
                Thread.Sleep(1);
            }
        }

        Assert.True(got);
        Assert.True(session.Stop(TimeSpan.FromSeconds(5)));
        Assert.True(session.IsStopped);
        Assert.Null(session.Fault);
        var read = shim.Header->FramesRead;
        Assert.True(shim.TryPublishFrame(FrameSpec.Bgra(64, 48), Images.GradientBgra(64, 48), 0, out _));
        Assert.Equal(read, shim.Header->FramesRead);
        Assert.Equal(0UL, session.Snapshot().FramesIn); // detached: counters no longer read
        session.Dispose();
    }

    private static ChannelSession Attach(ShimChannel shim, out HostChannel channel, FramePipeline? pipeline = null, ListLogger? logger = null)
    {
        channel = HostChannel.Attach(ChannelMapping.OpenExisting(shim.Mapping.Name, shim.Mapping.Length), ownsMapping: true);
        var waiter = FrameWaiter.Create(channel, null);
        return new ChannelSession(channel, waiter, pipeline ?? FramePipeline.CreateDefault(), logger ?? new ListLogger());
    }

    private sealed class ThrowingStage : IFrameStage
    {
        public string Name => "throws";

        public void Process(in FrameContext frame, ResultBuilder result)
        {
            result.AddPatch(1, 1, [1f, 0f, 0, 0f, 1f, 0], 1);
            throw new InvalidOperationException("stage failure for the test");
        }
    }
}
