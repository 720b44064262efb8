using System.Numerics;

namespace ObsFaceSwap.Testing.Video;

/// <summary>
/// Mean absolute difference (0..255, over B, G and R; alpha ignored) between frames, in a region,
/// outside a region, or against the colour-inverted other frame (255 - value), vectorised.
/// </summary>
public static class ImageCompare
{
    /// <summary>Mean absolute difference inside a region.</summary>
    /// <param name="a">First frame.</param>
    /// <param name="b">Second frame (same size).</param>
    /// <param name="region">The region.</param>
    /// <param name="invertB">Compare with 255 - B, G, R of <paramref name="b"/>.</param>
    /// <returns>Mean absolute difference per colour sample.</returns>
    public static double MeanAbsoluteDifference(VideoFrame a, VideoFrame b, FrameRegion region, bool invertB = false)
    {
        CheckSizes(a, b);
        return (double)SumAbsoluteDifference(a, b, region, invertB) / (3L * region.Area);
    }

    /// <summary>Mean absolute difference over the whole frame except a region.</summary>
    /// <param name="a">First frame.</param>
    /// <param name="b">Second frame (same size).</param>
    /// <param name="excluded">The region left out.</param>
    /// <returns>Mean absolute difference per colour sample.</returns>
    public static double MeanAbsoluteDifferenceOutside(VideoFrame a, VideoFrame b, FrameRegion excluded)
    {
        CheckSizes(a, b);
        var whole = FrameRegion.Whole(a.Width, a.Height);
        var sum = SumAbsoluteDifference(a, b, whole, invertB: false) - SumAbsoluteDifference(a, b, excluded, invertB: false);
        return (double)sum / (3L * (whole.Area - excluded.Area));
    }

    /// <summary>Sum of absolute differences of B, G, R samples inside a region.</summary>
    /// <param name="a">First frame.</param>
    /// <param name="b">Second frame (same size).</param>
    /// <param name="region">The region.</param>
    /// <param name="invertB">Compare with 255 - B, G, R of <paramref name="b"/>.</param>
    /// <returns>The sum.</returns>
    public static long SumAbsoluteDifference(VideoFrame a, VideoFrame b, FrameRegion region, bool invertB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (region.X < 0 || region.Y < 0 || region.Width <= 0 || region.Height <= 0
            || region.X + region.Width > a.Width || region.Y + region.Height > a.Height)
        {
            throw new ArgumentOutOfRangeException(nameof(region), region, "The region must lie inside the frame.");
        }

        // XOR with FF FF FF 00 per pixel inverts B, G, R and keeps alpha (255 in both: difference 0).
        var mask = invertB ? InvertMask : Vector<byte>.Zero;
        long total = 0;
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            var rowA = a.Row(y).Slice(4 * region.X, 4 * region.Width);
            var rowB = b.Row(y).Slice(4 * region.X, 4 * region.Width);
            total += SumRow(rowA, rowB, mask, invertB);
        }

        return total;
    }

    private static readonly Vector<byte> InvertMask = CreateInvertMask();

    private static Vector<byte> CreateInvertMask()
    {
        Span<byte> pattern = stackalloc byte[Vector<byte>.Count];
        for (var i = 0; i < pattern.Length; i++)
        {
            pattern[i] = (byte)(i % 4 == 3 ? 0 : 0xFF);
        }

        return new Vector<byte>(pattern);
    }

    private static long SumRow(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Vector<byte> mask, bool invertB)
    {
        long total = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<ushort>.Zero;
            var pending = 0;
            for (; i <= a.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                var va = new Vector<byte>(a[i..]);
                var vb = new Vector<byte>(b[i..]) ^ mask;
                var diff = Vector.Max(va, vb) - Vector.Min(va, vb);
                Vector.Widen(diff, out var lo, out var hi);
                acc += lo + hi;
                // Each step adds at most 510 per lane; flush before 65535.
                if (++pending == 128)
                {
                    total += Flush(acc);
                    acc = Vector<ushort>.Zero;
                    pending = 0;
                }
            }

            total += Flush(acc);
        }

        for (; i < a.Length; i++)
        {
            if (i % 4 == 3)
            {
                continue;
            }

            var vb = invertB ? 255 - b[i] : b[i];
            total += Math.Abs(a[i] - vb);
        }

        return total;
    }

    private static long Flush(Vector<ushort> acc)
    {
        Vector.Widen(acc, out var lo, out var hi);
        return Vector.Sum(lo) + (long)Vector.Sum(hi);
    }

    private static void CheckSizes(VideoFrame a, VideoFrame b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Width != b.Width || a.Height != b.Height)
        {
            throw new ArgumentException($"Frame sizes differ: {a.Width}x{a.Height} and {b.Width}x{b.Height}.");
        }
    }
}
