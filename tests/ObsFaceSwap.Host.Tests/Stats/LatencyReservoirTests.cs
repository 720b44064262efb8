using System.Diagnostics;
using ObsFaceSwap.Host.Stats;

namespace ObsFaceSwap.Host.Tests.Stats;

public sealed class LatencyReservoirTests
{
    private static readonly long TicksPerMs = Stopwatch.Frequency / 1000;

    [Fact]
    public void Count_mean_p95_and_max()
    {
        var r = new LatencyReservoir();
        Assert.Equal(new LatencySnapshot(0, 0, 0, 0), r.Snapshot());
        for (var i = 1; i <= 100; i++)
        {
            r.Record(i * TicksPerMs);
        }

        var s = r.Snapshot();
        Assert.Equal(100, s.Count);
        Assert.Equal(50.5, s.MeanMs, 6);
        Assert.Equal(95, s.P95Ms, 6);
        Assert.Equal(100, s.MaxMs, 6);
    }

    [Fact]
    public void The_percentile_covers_the_newest_samples_while_mean_and_max_cover_all()
    {
        var r = new LatencyReservoir();
        r.Record(1000 * TicksPerMs);
        for (var i = 0; i < LatencyReservoir.Capacity; i++)
        {
            r.Record(2 * TicksPerMs);
        }

        var s = r.Snapshot();
        Assert.Equal(LatencyReservoir.Capacity + 1, s.Count);
        Assert.Equal(2, s.P95Ms, 6);
        Assert.Equal(1000, s.MaxMs, 6);
        Assert.True(s.MeanMs > 2);
    }

    [Fact]
    public void Recording_allocates_nothing()
    {
        var r = new LatencyReservoir();
        r.Record(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            r.Record(i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
