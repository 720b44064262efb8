using System.Diagnostics;

namespace ObsFaceSwap.Host.Stats;

/// <summary>Count, mean, p95 and max of a latency, in milliseconds.</summary>
/// <param name="Count">Samples recorded since the start.</param>
/// <param name="MeanMs">Mean over every sample.</param>
/// <param name="P95Ms">95th percentile over the newest <see cref="LatencyReservoir.Capacity"/> samples.</param>
/// <param name="MaxMs">Largest sample since the start.</param>
internal readonly record struct LatencySnapshot(long Count, double MeanMs, double P95Ms, double MaxMs);

/// <summary>
/// Latency statistics with fixed memory: running count, sum and max, plus a ring of the newest
/// <see cref="Capacity"/> samples for the percentile. <see cref="Record"/> never allocates;
/// <see cref="Snapshot"/> sorts a preallocated copy. Thread-safe: one writer (the channel
/// thread), readers from the control and stats threads.
/// </summary>
internal sealed class LatencyReservoir
{
    public const int Capacity = 512;

    private readonly Lock _gate = new();
    private readonly long[] _ring = new long[Capacity];
    private readonly long[] _scratch = new long[Capacity];
    private long _count;
    private long _sum;
    private long _max;

    /// <summary>Records one sample in <see cref="Stopwatch"/> ticks.</summary>
    public void Record(long elapsedTicks)
    {
        lock (_gate)
        {
            _ring[(int)(_count % Capacity)] = elapsedTicks;
            _count++;
            _sum += elapsedTicks;
            if (elapsedTicks > _max)
            {
                _max = elapsedTicks;
            }
        }
    }

    public LatencySnapshot Snapshot()
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                return new LatencySnapshot(0, 0, 0, 0);
            }

            var n = (int)Math.Min(_count, Capacity);
            Array.Copy(_ring, _scratch, n);
            Array.Sort(_scratch, 0, n);

            // Nearest-rank percentile: the smallest sample with at least 95 % at or below it.
            var rank = (int)Math.Ceiling(0.95 * n) - 1;
            return new LatencySnapshot(_count, ToMs((double)_sum / _count), ToMs(_scratch[Math.Clamp(rank, 0, n - 1)]), ToMs(_max));
        }
    }

    private static double ToMs(double ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
