using System.Diagnostics;

namespace ObsFaceSwap.Channel.Tests;

public sealed unsafe class FrameWaiterTests
{
    [Fact]
    public void On_Linux_the_waiter_uses_the_futex_and_without_a_wake_event_elsewhere_it_polls()
    {
        using var pair = ChannelPair.Create();
        using var waiter = FrameWaiter.Create(pair.Host, null);
        Assert.Equal(OperatingSystem.IsLinux() ? FrameWaitMode.Futex : FrameWaitMode.Poll, waiter.Mode);
        using var forced = FrameWaiter.Create(pair.Host, null, forcePoll: true);
        Assert.Equal(FrameWaitMode.Poll, forced.Mode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_wait_with_nothing_published_times_out_after_about_50_ms(bool forcePoll)
    {
        using var pair = ChannelPair.Create();
        using var waiter = FrameWaiter.Create(pair.Host, null, forcePoll);
        var seq = pair.Host.ReadFrameSeq();
        var sw = Stopwatch.StartNew();
        waiter.Wait(seq, FrameWaiter.DefaultTimeout);
        Assert.InRange(sw.ElapsedMilliseconds, 40, 2000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_wait_returns_at_once_when_frame_seq_already_moved(bool forcePoll)
    {
        using var pair = ChannelPair.Create();
        using var waiter = FrameWaiter.Create(pair.Host, null, forcePoll);
        var seq = pair.Host.ReadFrameSeq();
        Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(4, 4), new byte[64], 1, out _));
        var sw = Stopwatch.StartNew();
        waiter.Wait(seq, TimeSpan.FromSeconds(10));
        Assert.True(sw.ElapsedMilliseconds < 1000, $"waited {sw.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_published_frame_wakes_a_waiting_host_well_before_the_timeout(bool forcePoll)
    {
        using var pair = ChannelPair.Create();
        using var waiter = FrameWaiter.Create(pair.Host, null, forcePoll);
        using var waiting = new ManualResetEventSlim();
        var seq = pair.Host.ReadFrameSeq();
        long wokeAfterMs = -1;
        var thread = new Thread(() =>
        {
            waiting.Set();
            var sw = Stopwatch.StartNew();
            waiter.Wait(seq, TimeSpan.FromSeconds(20));
            wokeAfterMs = sw.ElapsedMilliseconds;
        });
        thread.Start();
        Assert.True(waiting.Wait(TimeSpan.FromSeconds(5)));
        Thread.Sleep(100); // let it block in the wait (not a synchronisation: the test passes either way)
        Assert.True(pair.Shim.TryPublishFrame(FrameSpec.Bgra(4, 4), new byte[64], 1, out _));
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.InRange(wokeAfterMs, 0, 5000);
    }
}
