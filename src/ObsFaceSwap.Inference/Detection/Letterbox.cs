using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Inference.Detection;

/// <summary>
/// Fits a frame of any size into a square model input of side <see cref="Size"/>, keeping the
/// aspect ratio and centring it; the bands left over are padding. Maps model coordinates back.
/// </summary>
/// <param name="Size">Side of the square input, pixels.</param>
/// <param name="Scale">Input pixels per frame pixel.</param>
/// <param name="PadX">Left padding in input pixels (fractional).</param>
/// <param name="PadY">Top padding in input pixels (fractional).</param>
internal readonly record struct Letterbox(int Size, float Scale, float PadX, float PadY)
{
    /// <summary>The letterbox of a <paramref name="width"/> x <paramref name="height"/> frame in a <paramref name="size"/> square.</summary>
    public static Letterbox Fit(int width, int height, int size)
    {
        var scale = (float)size / Math.Max(width, height);
        return new Letterbox(size, scale, (size - (width * scale)) / 2f, (size - (height * scale)) / 2f);
    }

    /// <summary>Normalized input coordinates (0..1 of the square) to frame pixels.</summary>
    public PointF ToFrame(float nx, float ny) =>
        new(((nx * Size) - PadX) / Scale, ((ny * Size) - PadY) / Scale);

    /// <summary>
    /// Writes the NHWC RGB tensor, values in [-1,1] (v / 127.5 - 1), sampling the BGRA frame
    /// bilinearly at each input pixel's centre; padding is black (-1).
    /// </summary>
    public void Fill(ReadOnlySpan<byte> bgra, int width, int height, int stride, Span<float> tensor)
    {
        const float ToUnit = 1f / 127.5f;
        var inv = 1f / Scale;
        var x0 = (int)MathF.Ceiling(PadX - 0.5f);
        var x1 = (int)MathF.Floor(PadX + (width * Scale) - 0.5f);
        var y0 = (int)MathF.Ceiling(PadY - 0.5f);
        var y1 = (int)MathF.Floor(PadY + (height * Scale) - 0.5f);
        x0 = Math.Max(0, x0);
        y0 = Math.Max(0, y0);
        x1 = Math.Min(Size - 1, x1);
        y1 = Math.Min(Size - 1, y1);
        tensor[..(Size * Size * 3)].Fill(-1f);
        for (var y = y0; y <= y1; y++)
        {
            var sy = Math.Clamp(((y + 0.5f - PadY) * inv) - 0.5f, 0f, height - 1);
            var ya = (int)sy;
            var yb = Math.Min(ya + 1, height - 1);
            var fy = sy - ya;
            var rowA = bgra.Slice(ya * stride, width * 4);
            var rowB = bgra.Slice(yb * stride, width * 4);
            var dst = tensor.Slice(y * Size * 3, Size * 3);
            for (var x = x0; x <= x1; x++)
            {
                var sx = Math.Clamp(((x + 0.5f - PadX) * inv) - 0.5f, 0f, width - 1);
                var xa = (int)sx;
                var xb = Math.Min(xa + 1, width - 1);
                var fx = sx - xa;
                var w00 = (1 - fx) * (1 - fy);
                var w01 = fx * (1 - fy);
                var w10 = (1 - fx) * fy;
                var w11 = fx * fy;
                int a = xa * 4, b = xb * 4;
                for (var c = 0; c < 3; c++)
                {
                    // BGRA -> RGB: channel c of the tensor is byte 2 - c of the pixel.
                    var s = 2 - c;
                    var v = (rowA[a + s] * w00) + (rowA[b + s] * w01) + (rowB[a + s] * w10) + (rowB[b + s] * w11);
                    dst[(x * 3) + c] = (v * ToUnit) - 1f;
                }
            }
        }
    }
}
