using ObsFaceSwap.Vision.Masks;

namespace ObsFaceSwap.Vision.Tests.Masks;

public class FaceMaskerTests
{
    private const int W = 120;
    private const int H = 100;
    private const int Stride = W * 4;

    /// <summary>A deterministic noisy frame (high variance everywhere), alpha 255.</summary>
    private static byte[] Noise(int seed = 1)
    {
        var frame = new byte[Stride * H];
        new Random(seed).NextBytes(frame);
        for (var i = 3; i < frame.Length; i += 4)
        {
            frame[i] = 255;
        }

        return frame;
    }

    private static double Variance(byte[] frame, PixelRect r, int channel)
    {
        double sum = 0, sq = 0;
        var n = 0;
        for (var y = r.Y; y < r.Y + r.Height; y++)
        {
            for (var x = r.X; x < r.X + r.Width; x++)
            {
                double v = frame[(y * Stride) + (x * 4) + channel];
                sum += v;
                sq += v * v;
                n++;
            }
        }

        var mean = sum / n;
        return (sq / n) - (mean * mean);
    }

    private static bool SamePixel(byte[] a, byte[] b, int x, int y)
        => a.AsSpan((y * Stride) + (x * 4), 4).SequenceEqual(b.AsSpan((y * Stride) + (x * 4), 4));

    private static void AssertOutsideUntouched(byte[] before, byte[] after, PixelRect r)
    {
        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                if (x >= r.X && x < r.X + r.Width && y >= r.Y && y < r.Y + r.Height)
                {
                    continue;
                }

                Assert.True(SamePixel(before, after, x, y), $"pixel ({x},{y}) outside the region changed");
            }
        }
    }

    [Fact]
    public void Region_adds_padding_and_clips_to_the_frame()
    {
        Assert.Equal(new PixelRect(15, 15, 30, 30), FaceMasker.Region(new BoxF(20, 20, 20, 20), 25, W, H));
        Assert.Equal(new PixelRect(0, 0, 15, 12), FaceMasker.Region(new BoxF(-10, -8, 20, 16), 25, W, H));
        Assert.Equal(new PixelRect(105, 85, 15, 15), FaceMasker.Region(new BoxF(105, 85, 40, 40), 0, W, H));
        Assert.Equal(new PixelRect(10, 11, 21, 21), FaceMasker.Region(new BoxF(10.5f, 11.2f, 20, 20), 0, W, H));
        Assert.True(FaceMasker.Region(new BoxF(500, 500, 10, 10), 10, W, H).IsEmpty);
        Assert.True(FaceMasker.Region(new BoxF(10, 10, float.NaN, 10), 10, W, H).IsEmpty);
        Assert.True(FaceMasker.Region(new BoxF(10, 10, 0, 10), 10, W, H).IsEmpty);
    }

    [Fact]
    public void Pixelate_box_makes_uniform_blocks_and_leaves_the_outside_untouched()
    {
        var frame = Noise();
        var before = (byte[])frame.Clone();
        var masker = new FaceMasker(new MaskOptions(MaskMode.Pixelate, MaskShape.Box, Intensity: 100, PaddingPercent: 0));
        var region = masker.Apply(frame, W, H, Stride, new BoxF(20, 10, 50, 50));
        Assert.Equal(new PixelRect(20, 10, 50, 50), region);

        // Block size at 100 %: 50 * 100 / 500 = 10 px, aligned to the region's corner.
        for (var by = 0; by < 5; by++)
        {
            for (var bx = 0; bx < 5; bx++)
            {
                var x0 = 20 + (bx * 10);
                var y0 = 10 + (by * 10);
                for (var y = y0; y < y0 + 10; y++)
                {
                    for (var x = x0; x < x0 + 10; x++)
                    {
                        for (var c = 0; c < 3; c++)
                        {
                            Assert.Equal(frame[(y0 * Stride) + (x0 * 4) + c], frame[(y * Stride) + (x * 4) + c]);
                        }
                    }
                }
            }
        }

        AssertOutsideUntouched(before, frame, region);

        // Block average: the mean of the first block's blue values.
        var sum = 0;
        for (var y = 10; y < 20; y++)
        {
            for (var x = 20; x < 30; x++)
            {
                sum += before[(y * Stride) + (x * 4)];
            }
        }

        Assert.Equal((sum + 50) / 100, frame[(10 * Stride) + (20 * 4)]);
        Assert.Equal(255, frame[(30 * Stride) + (40 * 4) + 3]); // alpha kept
    }

    [Theory]
    [InlineData(MaskShape.Box)]
    [InlineData(MaskShape.Ellipse)]
    public void Blur_reduces_variance_inside_and_leaves_the_outside_untouched(MaskShape shape)
    {
        var frame = Noise(2);
        var before = (byte[])frame.Clone();
        var masker = new FaceMasker(new MaskOptions(MaskMode.Blur, shape, Intensity: 100, PaddingPercent: 10));
        var region = masker.Apply(frame, W, H, Stride, new BoxF(30, 20, 50, 50));
        Assert.Equal(new PixelRect(25, 15, 60, 60), region);
        var centre = new PixelRect(45, 35, 20, 20);
        for (var c = 0; c < 3; c++)
        {
            var v0 = Variance(before, centre, c);
            var v1 = Variance(frame, centre, c);
            Assert.True(v1 < v0 / 50, $"channel {c}: variance {v1:0.0} not far below {v0:0.0}");
        }

        AssertOutsideUntouched(before, frame, region);
    }

    [Fact]
    public void Blur_is_weaker_at_low_intensity()
    {
        var strong = Noise(3);
        var weak = (byte[])strong.Clone();
        new FaceMasker(new MaskOptions(MaskMode.Blur, MaskShape.Box, 100, 0)).Apply(strong, W, H, Stride, new BoxF(10, 10, 80, 80));
        new FaceMasker(new MaskOptions(MaskMode.Blur, MaskShape.Box, 10, 0)).Apply(weak, W, H, Stride, new BoxF(10, 10, 80, 80));
        var centre = new PixelRect(30, 30, 40, 40);
        Assert.True(Variance(strong, centre, 0) < Variance(weak, centre, 0));
    }

    [Theory]
    [InlineData(MaskMode.Pixelate)]
    [InlineData(MaskMode.Blur)]
    [InlineData(MaskMode.Solid)]
    public void Ellipse_leaves_the_box_corners_untouched_and_masks_the_centre(MaskMode mode)
    {
        var frame = Noise(4);
        var before = (byte[])frame.Clone();
        var masker = new FaceMasker(new MaskOptions(mode, MaskShape.Ellipse, 100, 0));
        var region = masker.Apply(frame, W, H, Stride, new BoxF(20, 20, 60, 60));
        Assert.Equal(new PixelRect(20, 20, 60, 60), region);
        foreach (var (x, y) in new[] { (20, 20), (79, 20), (20, 79), (79, 79), (25, 25), (74, 74) })
        {
            Assert.True(SamePixel(before, frame, x, y), $"corner pixel ({x},{y}) changed");
        }

        var changed = 0;
        for (var y = 40; y < 60; y++)
        {
            for (var x = 40; x < 60; x++)
            {
                changed += SamePixel(before, frame, x, y) ? 0 : 1;
            }
        }

        Assert.True(changed > 350, $"only {changed} of 400 centre pixels changed");
        AssertOutsideUntouched(before, frame, region);
    }

    [Fact]
    public void Solid_box_is_black_with_alpha_kept()
    {
        var frame = Noise(5);
        new FaceMasker(new MaskOptions(MaskMode.Solid, MaskShape.Box, 100, 0)).Apply(frame, W, H, Stride, new BoxF(10, 10, 20, 20));
        for (var y = 10; y < 30; y++)
        {
            for (var x = 10; x < 30; x++)
            {
                var o = (y * Stride) + (x * 4);
                Assert.Equal(0, frame[o] | frame[o + 1] | frame[o + 2]);
                Assert.Equal(255, frame[o + 3]);
            }
        }
    }

    [Theory]
    [InlineData(MaskMode.Pixelate, MaskShape.Box)]
    [InlineData(MaskMode.Blur, MaskShape.Ellipse)]
    [InlineData(MaskMode.Solid, MaskShape.Ellipse)]
    public void Boxes_past_the_frame_edges_are_clipped(MaskMode mode, MaskShape shape)
    {
        var masker = new FaceMasker(new MaskOptions(mode, shape, 100, 30));
        foreach (var box in new[] { new BoxF(-30, -25, 60, 60), new BoxF(90, 70, 60, 60), new BoxF(-50, 40, 300, 30) })
        {
            var frame = Noise(6);
            var before = (byte[])frame.Clone();
            var region = masker.Apply(frame, W, H, Stride, box);
            Assert.False(region.IsEmpty);
            Assert.True(region.X >= 0 && region.Y >= 0 && region.X + region.Width <= W && region.Y + region.Height <= H, $"region {region} leaves the frame");
            AssertOutsideUntouched(before, frame, region);
            Assert.False(before.AsSpan().SequenceEqual(frame), "nothing was masked");
        }

        var outside = Noise(7);
        Assert.True(masker.Apply(outside, W, H, Stride, new BoxF(400, 400, 20, 20)).IsEmpty);
        Assert.True(Noise(7).AsSpan().SequenceEqual(outside));
    }

    [Fact]
    public void A_padded_stride_leaves_the_row_padding_untouched()
    {
        const int stride = Stride + 16;
        var frame = new byte[stride * H];
        new Random(8).NextBytes(frame);
        var before = (byte[])frame.Clone();
        new FaceMasker(new MaskOptions(MaskMode.Blur, MaskShape.Box, 100, 0)).Apply(frame, W, H, stride, new BoxF(60, 0, 200, 200));
        for (var y = 0; y < H; y++)
        {
            Assert.True(before.AsSpan((y * stride) + Stride, 16).SequenceEqual(frame.AsSpan((y * stride) + Stride, 16)));
        }
    }

    [Fact]
    public void Options_out_of_range_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceMasker(new MaskOptions(Intensity: 9)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceMasker(new MaskOptions(Intensity: 101)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceMasker(new MaskOptions(PaddingPercent: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceMasker(new MaskOptions(PaddingPercent: 101)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceMasker(new MaskOptions((MaskMode)9)));
        Assert.Throws<ArgumentException>(() => new FaceMasker(new MaskOptions()).Apply(new byte[10], W, H, Stride, new BoxF(1, 1, 5, 5)));
    }
}
