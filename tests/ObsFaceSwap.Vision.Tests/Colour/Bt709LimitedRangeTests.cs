using ObsFaceSwap.Vision.Colour;

namespace ObsFaceSwap.Vision.Tests.Colour;

public sealed class Bt709LimitedRangeTests
{
    private const double Kr = 0.2126;
    private const double Kb = 0.0722;
    private const double Kg = 1 - Kr - Kb;

    [Fact]
    public void Float_coefficients_follow_from_the_BT709_luma_weights()
    {
        Assert.Equal(255.0 / 219, Bt709LimitedRange.YScale, 5);
        Assert.Equal(2 * (1 - Kr) * 255 / 224, Bt709LimitedRange.VToR, 5);
        Assert.Equal(2 * (1 - Kb) * Kb / Kg * 255 / 224, Bt709LimitedRange.UToG, 5);
        Assert.Equal(2 * (1 - Kr) * Kr / Kg * 255 / 224, Bt709LimitedRange.VToG, 5);
        Assert.Equal(2 * (1 - Kb) * 255 / 224, Bt709LimitedRange.UToB, 5);
    }

    [Fact]
    public void Fixed_point_coefficients_are_the_floats_in_16_16()
    {
        foreach (var (q16, value) in new[]
        {
            (Bt709LimitedRange.YScaleQ16, Bt709LimitedRange.YScale),
            (Bt709LimitedRange.VToRQ16, Bt709LimitedRange.VToR),
            (Bt709LimitedRange.UToGQ16, Bt709LimitedRange.UToG),
            (Bt709LimitedRange.VToGQ16, Bt709LimitedRange.VToG),
            (Bt709LimitedRange.UToBQ16, Bt709LimitedRange.UToB),
        })
        {
            Assert.InRange((value * 65536.0) - q16, 0.0, 1.0);
        }
    }

    [Theory]
    [InlineData(16, 128, 128, 0, 0, 0)]
    [InlineData(235, 128, 128, 255, 255, 255)]
    [InlineData(63, 102, 240, 255, 0, 0)] // full red encoded by BT.709 and rounded to integers: Y 16+219·Kr, Cb 128-112·Kr/(1-Kb), Cr 240
    [InlineData(173, 42, 26, 0, 255, 0)] // full green
    public void Limited_range_colours_decode_within_one_and_a_half_levels(int y, int cb, int cr, int r, int g, int b)
    {
        var c = (y - 16) * Bt709LimitedRange.YScale;
        var u = cb - 128;
        var v = cr - 128;
        Assert.InRange(Math.Clamp(c + (Bt709LimitedRange.VToR * v), 0, 255), r - 1.5, r + 1.5);
        Assert.InRange(Math.Clamp(c - (Bt709LimitedRange.UToG * u) - (Bt709LimitedRange.VToG * v), 0, 255), g - 1.5, g + 1.5);
        Assert.InRange(Math.Clamp(c + (Bt709LimitedRange.UToB * u), 0, 255), b - 1.5, b + 1.5);
    }
}
