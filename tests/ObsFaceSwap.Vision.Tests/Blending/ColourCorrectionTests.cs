using ObsFaceSwap.Vision.Blending;

namespace ObsFaceSwap.Vision.Tests.Blending;

public class ColourCorrectionTests
{
    private const int Size = 64;
    private const int Stride = Size * 4;

    /// <summary>A noisy S x S BGRA crop around (r, g, b), ± spread per channel; alpha 200.</summary>
    private static byte[] Noisy(int seed, int r, int g, int b, int spread)
    {
        var random = new Random(seed);
        var crop = new byte[Stride * Size];
        for (var i = 0; i < crop.Length; i += 4)
        {
            crop[i] = (byte)(b + random.Next(-spread, spread + 1));
            crop[i + 1] = (byte)(g + random.Next(-spread, spread + 1));
            crop[i + 2] = (byte)(r + random.Next(-spread, spread + 1));
            crop[i + 3] = 200;
        }

        return crop;
    }

    /// <summary>Mask-weighted Lab mean and std per channel.</summary>
    private static (double[] Mean, double[] Std) LabStats(byte[] crop, ReadOnlySpan<byte> mask)
    {
        var sum = new double[3];
        var sq = new double[3];
        double weight = 0;
        for (var i = 0; i < Size * Size; i++)
        {
            var w = mask[i];
            if (w == 0)
            {
                continue;
            }

            var (l, a, b) = ColourCorrection.ToLab(crop[(i * 4) + 2], crop[(i * 4) + 1], crop[i * 4]);
            double[] v = [l, a, b];
            for (var c = 0; c < 3; c++)
            {
                sum[c] += w * v[c];
                sq[c] += w * v[c] * v[c];
            }

            weight += w;
        }

        var mean = sum.Select(s => s / weight).ToArray();
        var std = sq.Select((q, c) => Math.Sqrt((q / weight) - (mean[c] * mean[c]))).ToArray();
        return (mean, std);
    }

    [Fact]
    public void Strength_1_matches_the_target_statistics()
    {
        var mask = FeatheredMask.Get(Size).Alpha;
        var patch = Noisy(1, 170, 120, 100, 20);
        var target = Noisy(2, 110, 120, 150, 40);
        var (targetMean, targetStd) = LabStats(target, mask);
        var (beforeMean, _) = LabStats(patch, mask);
        Assert.True(Math.Abs(beforeMean[1] - targetMean[1]) > 10, "the test needs different colours");

        new ColourCorrection().Apply(patch, Stride, target, Stride, mask, Size, 1f);

        var (mean, std) = LabStats(patch, mask);
        for (var c = 0; c < 3; c++)
        {
            Assert.InRange(mean[c] - targetMean[c], -0.6, 0.6);
            Assert.InRange(std[c] - targetStd[c], -0.6, 0.6);
        }
    }

    [Fact]
    public void Strength_half_moves_about_halfway()
    {
        var mask = FeatheredMask.Get(Size).Alpha;
        var patch = Noisy(3, 170, 120, 100, 20);
        var target = Noisy(4, 110, 120, 150, 40);
        var (before, beforeStd) = LabStats(patch, mask);
        var (goal, goalStd) = LabStats(target, mask);

        new ColourCorrection().Apply(patch, Stride, target, Stride, mask, Size, 0.5f);

        var (mean, std) = LabStats(patch, mask);
        for (var c = 0; c < 3; c++)
        {
            var halfway = (before[c] + goal[c]) / 2;
            Assert.InRange(mean[c] - halfway, -0.6, 0.6);
            Assert.InRange(std[c] - ((beforeStd[c] + goalStd[c]) / 2), -0.6, 0.6);
        }
    }

    [Fact]
    public void Strength_0_leaves_the_patch_unchanged()
    {
        var mask = FeatheredMask.Get(Size).Alpha;
        var patch = Noisy(5, 170, 120, 100, 20);
        var copy = (byte[])patch.Clone();
        new ColourCorrection().Apply(patch, Stride, Noisy(6, 50, 60, 200, 30), Stride, mask, Size, 0f);
        Assert.Equal(copy, patch);
    }

    [Fact]
    public void Keeps_alpha_and_pixels_outside_the_mask()
    {
        var mask = FeatheredMask.Get(Size).Alpha;
        var patch = Noisy(7, 170, 120, 100, 20);
        var copy = (byte[])patch.Clone();
        new ColourCorrection().Apply(patch, Stride, Noisy(8, 50, 60, 200, 30), Stride, mask, Size, 1f);
        var changed = 0;
        for (var i = 0; i < Size * Size; i++)
        {
            Assert.Equal(copy[(i * 4) + 3], patch[(i * 4) + 3]);
            if (mask[i] == 0)
            {
                Assert.Equal(copy.AsSpan(i * 4, 4).ToArray(), patch.AsSpan(i * 4, 4).ToArray());
            }
            else if (!copy.AsSpan(i * 4, 3).SequenceEqual(patch.AsSpan(i * 4, 3)))
            {
                changed++;
            }
        }

        Assert.True(changed > Size * Size / 2);
    }

    [Fact]
    public void Lab_conversion_matches_reference_values()
    {
        // White, black and sRGB red (Lindbloom's calculator, D65: L 53.24, a 80.09, b 67.20).
        var (l, a, b) = ColourCorrection.ToLab(255, 255, 255);
        Assert.Equal(100f, l, 1);
        Assert.Equal(0f, a, 1);
        Assert.Equal(0f, b, 1);
        (l, _, _) = ColourCorrection.ToLab(0, 0, 0);
        Assert.Equal(0f, l, 3);
        (l, a, b) = ColourCorrection.ToLab(255, 0, 0);
        Assert.InRange(l, 53.1f, 53.4f);
        Assert.InRange(a, 79.9f, 80.3f);
        Assert.InRange(b, 67.0f, 67.4f);
    }

    [Fact]
    public void Lab_conversion_matches_a_double_precision_reference()
    {
        static double Linear(int c) => c / 255.0 <= 0.04045 ? c / 255.0 / 12.92 : Math.Pow(((c / 255.0) + 0.055) / 1.055, 2.4);
        static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : ((24389.0 / 27 * t) + 16) / 116;
        var worst = 0.0;
        for (var r = 0; r < 256; r += 5)
        {
            for (var g = 0; g < 256; g += 5)
            {
                for (var b = 0; b < 256; b += 5)
                {
                    double rl = Linear(r), gl = Linear(g), bl = Linear(b);
                    var fx = F(((0.4124564 * rl) + (0.3575761 * gl) + (0.1804375 * bl)) / 0.95047);
                    var fy = F((0.2126729 * rl) + (0.7151522 * gl) + (0.0721750 * bl));
                    var fz = F(((0.0193339 * rl) + (0.1191920 * gl) + (0.9503041 * bl)) / 1.08883);
                    var (l, la, lb) = ColourCorrection.ToLab((byte)r, (byte)g, (byte)b);
                    worst = Math.Max(worst, Math.Abs(l - ((116 * fy) - 16)));
                    worst = Math.Max(worst, Math.Abs(la - (500 * (fx - fy))));
                    worst = Math.Max(worst, Math.Abs(lb - (200 * (fy - fz))));
                }
            }
        }

        Assert.True(worst < 0.001, $"largest difference {worst}");
    }

    [Fact]
    public void Lab_round_trip_returns_the_same_bytes()
    {
        for (var r = 0; r < 256; r += 15)
        {
            for (var g = 0; g < 256; g += 15)
            {
                for (var b = 0; b < 256; b += 15)
                {
                    var (l, la, lb) = ColourCorrection.ToLab((byte)r, (byte)g, (byte)b);
                    var back = ColourCorrection.FromLab(l, la, lb);
                    Assert.InRange(back.R, r - 1, r + 1);
                    Assert.InRange(back.G, g - 1, g + 1);
                    Assert.InRange(back.B, b - 1, b + 1);
                }
            }
        }
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        var mask = FeatheredMask.Get(Size).Alpha.ToArray();
        var patch = new byte[Stride * Size];
        var target = new byte[Stride * Size];
        var cc = new ColourCorrection();
        Assert.Throws<ArgumentOutOfRangeException>(() => cc.Apply(patch, Stride, target, Stride, mask, Size, 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => cc.Apply(patch, Stride, target, Stride, mask, Size, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => cc.Apply(patch, Stride - 1, target, Stride, mask, Size, 1f));
        Assert.Throws<ArgumentException>(() => cc.Apply(patch.AsSpan(1), Stride, target, Stride, mask, Size, 1f));
        Assert.Throws<ArgumentException>(() => cc.Apply(patch, Stride, target.AsSpan(1), Stride, mask, Size, 1f));
        Assert.Throws<ArgumentException>(() => cc.Apply(patch, Stride, target, Stride, mask.AsSpan(1), Size, 1f));
    }
}
