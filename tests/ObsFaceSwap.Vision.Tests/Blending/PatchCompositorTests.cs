using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Blending;
using ObsFaceSwap.Vision.Masks;

namespace ObsFaceSwap.Vision.Tests.Blending;

public class PatchCompositorTests
{
    private const int Width = 40;
    private const int Height = 30;
    private const int Stride = (Width * 4) + 12;

    /// <summary>A frame with distinct, opaque pixels (and padding bytes that must stay 0xEE).</summary>
    private static byte[] Frame()
    {
        var frame = new byte[Stride * Height];
        frame.AsSpan().Fill(0xEE);
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var o = (y * Stride) + (x * 4);
                frame[o] = (byte)(x * 5);
                frame[o + 1] = (byte)(y * 7);
                frame[o + 2] = (byte)((x + y) * 3);
                frame[o + 3] = 255;
            }
        }

        return frame;
    }

    /// <summary>An S x S patch (stride 4·S + 4) with distinct colours and the given alpha.</summary>
    private static byte[] Patch(int size, byte alpha)
    {
        var stride = PatchStride(size);
        var patch = new byte[stride * size];
        for (var v = 0; v < size; v++)
        {
            for (var u = 0; u < size; u++)
            {
                var o = (v * stride) + (u * 4);
                patch[o] = (byte)(200 - (u * 9));
                patch[o + 1] = (byte)(50 + (v * 11));
                patch[o + 2] = (byte)(100 + (u * 3) + (v * 5));
                patch[o + 3] = alpha;
            }
        }

        return patch;
    }

    private static int PatchStride(int size) => (size * 4) + 4;

    private static Span<byte> Pixel(byte[] frame, int x, int y) => frame.AsSpan((y * Stride) + (x * 4), 4);

    private static ReadOnlySpan<byte> PatchPixel(byte[] patch, int size, int u, int v) => patch.AsSpan((v * PatchStride(size)) + (u * 4), 4);

    private static void Composite(byte[] frame, byte[] patch, int size, Affine2x3 t, float opacity = 1f) =>
        PatchCompositor.Composite(frame, Width, Height, Stride, patch, size, size, PatchStride(size), t, opacity);

    [Fact]
    public void The_identity_transform_pastes_the_patch_exactly_and_leaves_everything_else()
    {
        const int size = 8;
        var frame = Frame();
        var before = (byte[])frame.Clone();
        var patch = Patch(size, 255);

        var changed = PatchCompositor.Composite(frame, Width, Height, Stride, patch, size, size, PatchStride(size), Affine2x3.Identity, 1f);

        Assert.Equal(new PixelRect(0, 0, size + 1, size + 1), changed); // bounding box with its one pixel of slack
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var expected = x < size && y < size ? PatchPixel(patch, size, x, y).ToArray() : before.AsSpan((y * Stride) + (x * 4), 4).ToArray();
                Assert.Equal(expected, Pixel(frame, x, y).ToArray());
            }

            Assert.All(frame.AsSpan((y * Stride) + (Width * 4), 12).ToArray(), b => Assert.Equal(0xEE, b)); // row padding
        }
    }

    [Fact]
    public void A_translated_patch_lands_where_the_transform_says()
    {
        const int size = 6;
        var frame = Frame();
        var before = (byte[])frame.Clone();
        var patch = Patch(size, 255);

        Composite(frame, patch, size, Affine2x3.Translation(10, 7));

        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var inside = x >= 10 && x < 10 + size && y >= 7 && y < 7 + size;
                var expected = inside ? PatchPixel(patch, size, x - 10, y - 7).ToArray() : before.AsSpan((y * Stride) + (x * 4), 4).ToArray();
                Assert.Equal(expected, Pixel(frame, x, y).ToArray());
            }
        }
    }

    [Fact]
    public void A_scaled_patch_covers_its_scaled_footprint_with_bilinear_samples()
    {
        // Scale 2 about the origin, then (4, 3): patch point (u, v) -> (2u + 4, 2v + 3). Frame pixel
        // (x, y) samples patch index position ((x + 0.5 - 4) / 2 - 0.5, (y + 0.5 - 3) / 2 - 0.5).
        const int size = 5;
        var frame = Frame();
        var before = (byte[])frame.Clone();
        var patch = Patch(size, 255);

        Composite(frame, patch, size, Affine2x3.ScaleTranslation(2, 4, 3));

        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var inside = x >= 4 && x < 4 + (2 * size) && y >= 3 && y < 3 + (2 * size);
                if (!inside)
                {
                    Assert.Equal(before.AsSpan((y * Stride) + (x * 4), 4).ToArray(), Pixel(frame, x, y).ToArray());
                    continue;
                }

                var u = Math.Clamp(((x + 0.5) - 4) / 2 - 0.5, 0, size - 1);
                var v = Math.Clamp(((y + 0.5) - 3) / 2 - 0.5, 0, size - 1);
                for (var c = 0; c < 3; c++)
                {
                    Assert.InRange(Pixel(frame, x, y)[c], Bilinear(patch, size, u, v, c) - 1, Bilinear(patch, size, u, v, c) + 1);
                }
            }
        }

        // Texel (2, 2)'s centre (2.5, 2.5) lands on frame point (9, 8): between pixels 8 and 9, so
        // pixels (8, 7) .. (9, 8) each take a quarter-texel blend; the footprint's corners are the
        // corner texels exactly (clamped addressing).
        Assert.Equal(PatchPixel(patch, size, 0, 0)[..3].ToArray(), Pixel(frame, 4, 3)[..3].ToArray());
        Assert.Equal(PatchPixel(patch, size, size - 1, size - 1)[..3].ToArray(), Pixel(frame, 4 + (2 * size) - 1, 3 + (2 * size) - 1)[..3].ToArray());
    }

    private static double Bilinear(byte[] patch, int size, double u, double v, int c)
    {
        var ui = (int)u;
        var vi = (int)v;
        var u1 = Math.Min(ui + 1, size - 1);
        var v1 = Math.Min(vi + 1, size - 1);
        var fu = u - ui;
        var fv = v - vi;
        double P(int uu, int vv) => PatchPixel(patch, size, uu, vv)[c];
        var top = P(ui, vi) + ((P(u1, vi) - P(ui, vi)) * fu);
        var bottom = P(ui, v1) + ((P(u1, v1) - P(ui, v1)) * fu);
        return Math.Round(top + ((bottom - top) * fv));
    }

    [Fact]
    public void A_rotated_patch_matches_the_warp_that_made_its_crop()
    {
        // AffineWarp reads crop pixel (u, v) from frame point T(u + 0.5, v + 0.5); compositing that
        // crop back with the same T must put every value back where it came from (up to the
        // bilinear round trip's smoothing on a smooth frame).
        const int size = 16;
        var frame = Frame();
        var t = new Affine2x3(0.8f, -0.6f, 15, 0.6f, 0.8f, 4); // rotation by about 37 degrees, scale 1
        var crop = new byte[size * size * 4];
        AffineWarp.BgraToBgra(frame, Width, Height, Stride, t, size, crop);
        var before = (byte[])frame.Clone();

        PatchCompositor.Composite(frame, Width, Height, Stride, crop, size, size, size * 4, t, 1f);

        var inverse = t.Inverse();
        double error = 0;
        var inside = 0;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var a = Pixel(before, x, y);
                var b = Pixel(frame, x, y);
                var p = inverse.Apply(new PointF(x + 0.5f, y + 0.5f));
                if (p.X < 0 || p.X >= size || p.Y < 0 || p.Y >= size)
                {
                    Assert.Equal(a.ToArray(), b.ToArray()); // outside the sprite: untouched
                    continue;
                }

                inside++;
                for (var c = 0; c < 3; c++)
                {
                    // The frame is a linear ramp, which bilinear sampling keeps: the round trip moves it by
                    // rounding, and by up to half a texel of the ramp where the sprite's edge clamps.
                    Assert.InRange(b[c] - a[c], -6, 6);
                    error += Math.Abs(b[c] - a[c]);
                }
            }
        }

        Assert.InRange(inside, (size * size) - (2 * size), (size * size) + (2 * size));
        Assert.True(error / (3.0 * inside) < 1.0, $"mean round-trip error {error / (3.0 * inside):0.00}");
    }

    [Fact]
    public void Alpha_zero_leaves_the_frame_unchanged()
    {
        const int size = 8;
        var frame = Frame();
        var before = (byte[])frame.Clone();

        Composite(frame, Patch(size, 0), size, Affine2x3.ScaleTranslation(1.5f, 3, 2));

        Assert.Equal(before, frame);
    }

    [Theory]
    [InlineData(255, 0.5f)]
    [InlineData(128, 1f)]
    [InlineData(255, 0.25f)]
    [InlineData(200, 0.6f)]
    public void Opacity_and_alpha_scale_the_blend(byte alpha, float opacity)
    {
        const int size = 6;
        var frame = Frame();
        var before = (byte[])frame.Clone();
        var patch = Patch(size, alpha);

        Composite(frame, patch, size, Affine2x3.Translation(20, 10), opacity);

        var a = alpha / 255.0 * opacity;
        for (var v = 0; v < size; v++)
        {
            for (var u = 0; u < size; u++)
            {
                var src = Pixel(before, 20 + u, 10 + v);
                var p = PatchPixel(patch, size, u, v);
                var result = Pixel(frame, 20 + u, 10 + v);
                for (var c = 0; c < 3; c++)
                {
                    var expected = (src[c] * (1 - a)) + (p[c] * a);
                    Assert.InRange(result[c], expected - 0.51, expected + 0.51);
                }

                Assert.Equal(255, result[3]); // an opaque frame stays opaque
            }
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void No_opacity_draws_nothing(float opacity)
    {
        const int size = 4;
        var frame = Frame();
        var before = (byte[])frame.Clone();

        var changed = PatchCompositor.Composite(frame, Width, Height, Stride, Patch(size, 255), size, size, PatchStride(size), Affine2x3.Identity, opacity);

        Assert.True(changed.IsEmpty);
        Assert.Equal(before, frame);
    }

    [Fact]
    public void A_patch_partly_outside_the_frame_is_clipped_and_a_singular_one_draws_nothing()
    {
        const int size = 10;
        var frame = Frame();
        var patch = Patch(size, 255);

        var changed = PatchCompositor.Composite(frame, Width, Height, Stride, patch, size, size, PatchStride(size), Affine2x3.Translation(-5, Height - 4), 1f);
        Assert.Equal(0, changed.X);
        Assert.True(changed.Y + changed.Height <= Height);
        Assert.Equal(PatchPixel(patch, size, 5, 0).ToArray(), Pixel(frame, 0, Height - 4).ToArray());

        var before = (byte[])frame.Clone();
        changed = PatchCompositor.Composite(frame, Width, Height, Stride, patch, size, size, PatchStride(size), new Affine2x3(1, 2, 3, 2, 4, 6), 1f);
        Assert.True(changed.IsEmpty);
        Assert.Equal(before, frame);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var frame = Frame();
        var patch = Patch(4, 255);
        Assert.Throws<ArgumentException>(() => PatchCompositor.Composite(frame, Width, Height, Stride, patch, 4, 4, PatchStride(4), new Affine2x3(float.NaN, 0, 0, 0, 1, 0), 1f));
        Assert.Throws<ArgumentException>(() => PatchCompositor.Composite(frame.AsSpan(0, 100), Width, Height, Stride, patch, 4, 4, PatchStride(4), Affine2x3.Identity, 1f));
        Assert.Throws<ArgumentException>(() => PatchCompositor.Composite(frame, Width, Height, Stride, patch.AsSpan(0, 20), 4, 4, PatchStride(4), Affine2x3.Identity, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => PatchCompositor.Composite(frame, Width, Height, Width, patch, 4, 4, PatchStride(4), Affine2x3.Identity, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => PatchCompositor.Composite(frame, Width, Height, Stride, patch, 0, 4, PatchStride(4), Affine2x3.Identity, 1f));
    }
}
