using System.Numerics;
using System.Runtime.InteropServices;
using ObsFaceSwap.Vision.Colour;

namespace ObsFaceSwap.Host.Pipeline;

/// <summary>Row kernels over spans. Pixels are little-endian BGRA (B at the lowest address).</summary>
internal static class PixelKernels
{
    private const uint OpaqueAlpha = 0xFF000000u;

    // BT.709 limited range to full-range RGB in 16.16 fixed point (Vision's Bt709LimitedRange).
    private const int YScale = Bt709LimitedRange.YScaleQ16;
    private const int VToR = Bt709LimitedRange.VToRQ16;
    private const int UToG = Bt709LimitedRange.UToGQ16;
    private const int VToG = Bt709LimitedRange.VToGQ16;
    private const int UToB = Bt709LimitedRange.UToBQ16;
    private const int Half = 1 << 15;

    /// <summary>
    /// dst = colour-inverted src with alpha 255: B, G, R -> 255 - value. Both spans hold whole
    /// pixels; <paramref name="destination"/> is at least as long as <paramref name="source"/>.
    /// </summary>
    public static void InvertBgraOpaque(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var src = MemoryMarshal.Cast<byte, uint>(source);
        var dst = MemoryMarshal.Cast<byte, uint>(destination)[..src.Length];
        var i = 0;
        if (Vector.IsHardwareAccelerated && src.Length >= Vector<uint>.Count)
        {
            var alpha = new Vector<uint>(OpaqueAlpha);
            for (; i <= src.Length - Vector<uint>.Count; i += Vector<uint>.Count)
            {
                (~new Vector<uint>(src[i..]) | alpha).CopyTo(dst[i..]);
            }
        }

        for (; i < src.Length; i++)
        {
            dst[i] = ~src[i] | OpaqueAlpha;
        }
    }

    /// <summary>
    /// Converts pixels <paramref name="x0"/>.. of one NV12 row to BGRA (BT.709 limited range),
    /// colour-inverts them and sets alpha 255.
    /// </summary>
    /// <param name="yRow">The whole Y row (index = x).</param>
    /// <param name="uvRow">The whole interleaved UV row for this row (U at 2·(x/2), V after it).</param>
    /// <param name="x0">First pixel.</param>
    /// <param name="destination">4 bytes per output pixel; its length sets how many.</param>
    public static void Nv12ToInvertedBgra(ReadOnlySpan<byte> yRow, ReadOnlySpan<byte> uvRow, int x0, Span<byte> destination)
    {
        var count = destination.Length / 4;
        var dst = MemoryMarshal.Cast<byte, uint>(destination);
        for (var i = 0; i < count; i++)
        {
            var x = x0 + i;
            var c = (yRow[x] - 16) * YScale;
            var uv = x & ~1;
            var d = uvRow[uv] - 128;
            var e = uvRow[uv + 1] - 128;
            var r = Clamp((c + (VToR * e) + Half) >> 16);
            var g = Clamp((c - (UToG * d) - (VToG * e) + Half) >> 16);
            var b = Clamp((c + (UToB * d) + Half) >> 16);
            dst[i] = OpaqueAlpha | ((uint)(255 - r) << 16) | ((uint)(255 - g) << 8) | (uint)(255 - b);
        }
    }

    /// <summary>
    /// Converts one NV12 row to BGRA (BT.709 limited range, alpha 255).
    /// </summary>
    /// <param name="yRow">Y of the row, one byte per pixel.</param>
    /// <param name="uvRow">The interleaved UV row for this row (U at 2·(x/2), V after it).</param>
    /// <param name="destination">4 bytes per pixel; its length sets how many pixels.</param>
    public static void Nv12ToBgra(ReadOnlySpan<byte> yRow, ReadOnlySpan<byte> uvRow, Span<byte> destination)
    {
        Nv12ToInvertedBgra(yRow, uvRow, 0, destination);
        InvertBgraOpaque(destination, destination);
    }

    private static int Clamp(int v) => Math.Clamp(v, 0, 255);
}
