using System.Runtime.CompilerServices;
using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Masks;

namespace ObsFaceSwap.Vision.Blending;

/// <summary>
/// Pastes a swap patch back onto a BGRA frame on the CPU (offline processing): the same picture
/// the shim's GPU composite draws live (native-shim/src/faceswap-filter.c <c>composite()</c> with
/// obs-plugin-data/effects/face-composite.effect <c>Draw</c>). No allocation.
/// </summary>
/// <remarks>
/// <para>Geometry (continuous pixel coordinates, see <see cref="Affine2x3"/>): the patch is a
/// sprite covering [0, W) x [0, H) in patch coordinates, and patch point (u, v) lands on frame
/// point <c>T(u, v)</c>. A frame pixel (x, y) is drawn when its centre (x + 0.5, y + 0.5) lies
/// inside the transformed sprite; its value is the patch sampled at <c>T⁻¹(x + 0.5, y + 0.5)</c>,
/// bilinearly, with patch texel (i, j) centred at (i + 0.5, j + 0.5) and clamped addressing (the
/// effect's <c>linear_clamp</c>). This is the inverse of <see cref="AffineWarp"/>'s convention,
/// where crop pixel (u, v) samples the frame at <c>T(u + 0.5, v + 0.5)</c>: a patch made from
/// a crop with the crop's own transform (<see cref="SwapPatch.WriteBgra"/>) lands on the
/// pixels the crop was read from, and the identity transform pastes pixel (i, j) onto (i, j)
/// unchanged.</para>
/// <para>Blending (straight alpha, the module's <c>SRCALPHA / INVSRCALPHA</c> with
/// <c>ONE / INVSRCALPHA</c> for alpha): with <c>a = clamp(patchAlpha / 255 · opacity, 0, 1)</c>
/// and every channel interpolated independently as the GPU sampler does,
/// <c>out.bgr = src.bgr · (1 - a) + patch.bgr · a</c> and <c>out.alpha = 255 · a + src.alpha · (1 - a)</c>,
/// rounded to the nearest byte. Values are blended as stored (gamma-encoded), which is what the
/// shim does when OBS does not render in linear sRGB.</para>
/// </remarks>
public static class PatchCompositor
{
    /// <summary>Composites one patch over <paramref name="frame"/> in place.</summary>
    /// <param name="frame">Frame pixels, B, G, R, A; row y at <c>y·stride</c>.</param>
    /// <param name="width">Frame width, pixels, &gt; 0.</param>
    /// <param name="height">Frame height, pixels, &gt; 0.</param>
    /// <param name="stride">Bytes per frame row, &gt;= 4·width.</param>
    /// <param name="patch">Patch pixels, B, G, R, A with straight (not premultiplied) alpha; row j at <c>j·patchStride</c>.</param>
    /// <param name="patchWidth">Patch width W, pixels, &gt; 0.</param>
    /// <param name="patchHeight">Patch height H, pixels, &gt; 0.</param>
    /// <param name="patchStride">Bytes per patch row, &gt;= 4·W.</param>
    /// <param name="patchToFrame">Where patch point (u, v) lands in the frame; finite. A singular transform covers no pixel.</param>
    /// <param name="opacity">0..1, multiplies the patch's alpha; values outside are clamped, NaN counts as 0.</param>
    /// <returns>The frame pixels that may have changed (the sprite's bounding box clipped to the frame); empty when nothing was drawn.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or a stride is too small.</exception>
    /// <exception cref="ArgumentException">A span is too short for its size and stride, or the transform is not finite.</exception>
    public static PixelRect Composite(
        Span<byte> frame, int width, int height, int stride, ReadOnlySpan<byte> patch, int patchWidth, int patchHeight, int patchStride, Affine2x3 patchToFrame, float opacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * 4);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patchWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patchHeight);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchStride, patchWidth * 4);
        if (frame.Length < ((long)stride * (height - 1)) + (width * 4L))
        {
            throw new ArgumentException($"{frame.Length} bytes cannot hold a {width}x{height} BGRA frame with stride {stride}", nameof(frame));
        }

        if (patch.Length < ((long)patchStride * (patchHeight - 1)) + (patchWidth * 4L))
        {
            throw new ArgumentException($"{patch.Length} bytes cannot hold a {patchWidth}x{patchHeight} BGRA patch with stride {patchStride}", nameof(patch));
        }

        if (!patchToFrame.IsFinite)
        {
            throw new ArgumentException("the transform is not finite", nameof(patchToFrame));
        }

        var clampedOpacity = opacity > 0f ? MathF.Min(opacity, 1f) : 0f; // NaN -> 0
        var det = ((double)patchToFrame.A * patchToFrame.E) - ((double)patchToFrame.B * patchToFrame.D);
        if (clampedOpacity == 0f || det == 0 || !double.IsFinite(det))
        {
            return default;
        }

        var bounds = Bounds(patchToFrame, patchWidth, patchHeight, width, height);
        if (bounds.IsEmpty)
        {
            return default;
        }

        var inverse = patchToFrame.Inverse();
        var blend = new Blend(patch, patchWidth, patchHeight, patchStride, clampedOpacity);
        for (var y = bounds.Y; y < bounds.Y + bounds.Height; y++)
        {
            var cy = y + 0.5f;
            var rowU = (inverse.B * cy) + inverse.C;
            var rowV = (inverse.E * cy) + inverse.F;
            var row = frame.Slice(y * stride, width * 4);
            for (var x = bounds.X; x < bounds.X + bounds.Width; x++)
            {
                var cx = x + 0.5f;
                var u = (inverse.A * cx) + rowU;
                var v = (inverse.D * cx) + rowV;
                if (u >= 0f && u < patchWidth && v >= 0f && v < patchHeight)
                {
                    blend.Apply(row.Slice(x * 4, 4), u - 0.5f, v - 0.5f);
                }
            }
        }

        return bounds;
    }

    /// <summary>Frame pixels whose centres can lie inside the transformed sprite: its bounding box, clipped to the frame.</summary>
    private static PixelRect Bounds(Affine2x3 t, int patchWidth, int patchHeight, int width, int height)
    {
        var p0 = t.Apply(new PointF(0, 0));
        var p1 = t.Apply(new PointF(patchWidth, 0));
        var p2 = t.Apply(new PointF(0, patchHeight));
        var p3 = t.Apply(new PointF(patchWidth, patchHeight));
        var minX = MathF.Min(MathF.Min(p0.X, p1.X), MathF.Min(p2.X, p3.X));
        var maxX = MathF.Max(MathF.Max(p0.X, p1.X), MathF.Max(p2.X, p3.X));
        var minY = MathF.Min(MathF.Min(p0.Y, p1.Y), MathF.Min(p2.Y, p3.Y));
        var maxY = MathF.Max(MathF.Max(p0.Y, p1.Y), MathF.Max(p2.Y, p3.Y));

        // Pixel x is a candidate when minX <= x + 0.5 <= maxX; one pixel of slack each side
        // covers rounding, the exact inside test decides.
        var x0 = (int)Math.Clamp(MathF.Floor(minX - 0.5f), 0f, width);
        var x1 = (int)Math.Clamp(MathF.Ceiling(maxX - 0.5f) + 1f, 0f, width);
        var y0 = (int)Math.Clamp(MathF.Floor(minY - 0.5f), 0f, height);
        var y1 = (int)Math.Clamp(MathF.Ceiling(maxY - 0.5f) + 1f, 0f, height);
        return new PixelRect(x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>Bilinear sampling of the patch (clamped to its texel centres) and the straight-alpha blend.</summary>
    private readonly ref struct Blend(ReadOnlySpan<byte> patch, int patchWidth, int patchHeight, int patchStride, float opacity)
    {
        private readonly ReadOnlySpan<byte> _patch = patch;
        private readonly int _lastX = patchWidth - 1;
        private readonly int _lastY = patchHeight - 1;
        private readonly int _stride = patchStride;
        private readonly float _opacity = opacity;

        /// <summary>Blends the patch sampled at index position (<paramref name="x"/>, <paramref name="y"/>) (texel i's centre at i) into <paramref name="pixel"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(Span<byte> pixel, float x, float y)
        {
            x = Math.Clamp(x, 0f, _lastX);
            y = Math.Clamp(y, 0f, _lastY);
            var xi = (int)x;
            var yi = (int)y;
            var fx = x - xi;
            var fy = y - yi;
            var o00 = (yi * _stride) + (xi * 4);
            var o01 = o00 + (xi < _lastX ? 4 : 0);
            var o10 = o00 + (yi < _lastY ? _stride : 0);
            var o11 = o10 + (xi < _lastX ? 4 : 0);
            var alpha = Math.Clamp(Sample(o00, o01, o10, o11, 3, fx, fy) * _opacity / 255f, 0f, 1f);
            if (alpha <= 0f)
            {
                return;
            }

            var keep = 1f - alpha;
            for (var c = 0; c < 3; c++)
            {
                var value = (pixel[c] * keep) + (Sample(o00, o01, o10, o11, c, fx, fy) * alpha);
                pixel[c] = (byte)Math.Clamp(value + 0.5f, 0f, 255f);
            }

            pixel[3] = (byte)Math.Clamp((255f * alpha) + (pixel[3] * keep) + 0.5f, 0f, 255f);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float Sample(int o00, int o01, int o10, int o11, int channel, float fx, float fy)
        {
            float c00 = _patch[o00 + channel];
            float c01 = _patch[o01 + channel];
            float c10 = _patch[o10 + channel];
            float c11 = _patch[o11 + channel];
            var top = c00 + ((c01 - c00) * fx);
            var bottom = c10 + ((c11 - c10) * fx);
            return top + ((bottom - top) * fy);
        }
    }
}
