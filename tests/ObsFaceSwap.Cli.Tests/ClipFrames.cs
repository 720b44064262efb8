namespace ObsFaceSwap.Cli.Tests;

/// <summary>
/// The offline clip (<see cref="OfflineFixture.Clip"/>: astronaut.png, 512 x 512) decoded to BGRA
/// frames back to back, and what the process tests measure on it.
/// </summary>
internal static class ClipFrames
{
    /// <summary>Frame width and height, pixels.</summary>
    public const int Size = 512;

    // astronaut.png's face box as `detect` finds it (back-256): x 173, y 74, 104 x 104 of 512 x 512.
    public const int FaceX = 173;
    public const int FaceY = 74;
    public const int FaceSide = 104;

    /// <summary>Mean of channel <paramref name="c"/> (0 B, 1 G, 2 R) over a square of frame <paramref name="index"/>.</summary>
    public static double Mean(byte[] frames, int index, int x0, int y0, int side, int c)
    {
        long sum = 0;
        var frame = index * Size * Size * 4;
        for (var y = y0; y < y0 + side; y++)
        {
            for (var x = x0; x < x0 + side; x++)
            {
                sum += frames[frame + (((y * Size) + x) * 4) + c];
            }
        }

        return sum / (double)(side * side);
    }

    /// <summary>Mean absolute difference of B, G, R over a square of frame <paramref name="index"/>.</summary>
    public static double Diff(byte[] a, byte[] b, int index, int x0, int y0, int side)
    {
        long sum = 0;
        var frame = index * Size * Size * 4;
        for (var y = y0; y < y0 + side; y++)
        {
            for (var x = x0; x < x0 + side; x++)
            {
                var o = frame + (((y * Size) + x) * 4);
                sum += Math.Abs(a[o] - b[o]) + Math.Abs(a[o + 1] - b[o + 1]) + Math.Abs(a[o + 2] - b[o + 2]);
            }
        }

        return sum / (3.0 * side * side);
    }
}
