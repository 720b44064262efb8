using ObsFaceSwap.Vision.Blending;

namespace ObsFaceSwap.Vision.Tests.Blending;

public class FeatheredMaskTests
{
    [Theory]
    [InlineData(112)]
    [InlineData(128)]
    [InlineData(256)]
    public void Centre_is_opaque_and_corners_transparent(int size)
    {
        var mask = FeatheredMask.Get(size);
        var a = mask.Alpha;
        Assert.Equal(size * size, a.Length);
        Assert.Equal(255, a[((size / 2) * size) + (size / 2)]);
        Assert.Equal(0, a[0]);
        Assert.Equal(0, a[size - 1]);
        Assert.Equal(0, a[(size - 1) * size]);
        Assert.Equal(0, a[(size * size) - 1]);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    public void Rows_rise_monotonically_from_the_edge_to_the_centre_through_a_feather(int size)
    {
        var a = FeatheredMask.Get(size).Alpha;
        var row = a.Slice((size / 2) * size, size);
        for (var x = 1; x <= size / 2; x++)
        {
            Assert.True(row[x] >= row[x - 1], $"x {x}: {row[x]} < {row[x - 1]}");
            Assert.Equal(row[x], row[size - 1 - x]);
        }

        var intermediate = 0;
        foreach (var v in row)
        {
            if (v is > 0 and < 255)
            {
                intermediate++;
            }
        }

        // The ramp is about S/10 wide on each side.
        Assert.InRange(intermediate, size / 10, size / 3);
    }

    [Fact]
    public void Defaults_for_128_clear_6_pixels_and_are_opaque_from_18()
    {
        var mask = FeatheredMask.Get(128);
        Assert.Equal(12, mask.Erode);
        Assert.Equal(6, mask.Blur);
        var row = mask.Alpha.Slice(64 * 128, 128);
        for (var x = 0; x < 6; x++)
        {
            Assert.Equal(0, row[x]);
        }

        Assert.True(row[6] > 0);
        Assert.True(row[17] < 255);
        Assert.Equal(255, row[18]);
        Assert.Equal(255, row[64]);
    }

    [Fact]
    public void Without_blur_the_edge_is_hard()
    {
        var row = FeatheredMask.Get(32, 4, 0).Alpha.Slice(16 * 32, 32);
        Assert.Equal(0, row[3]);
        Assert.Equal(255, row[4]);
        Assert.Equal(255, row[27]);
        Assert.Equal(0, row[28]);
    }

    [Fact]
    public void Masks_are_cached_per_size_erode_and_blur()
    {
        Assert.Same(FeatheredMask.Get(128), FeatheredMask.Get(128, 12, 6));
        Assert.NotSame(FeatheredMask.Get(128), FeatheredMask.Get(128, 12, 5));
        Assert.NotSame(FeatheredMask.Get(128), FeatheredMask.Get(112));
    }

    [Fact]
    public void Rejects_bad_parameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatheredMask.Get(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatheredMask.Get(FeatheredMask.MaxSize + 1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatheredMask.Get(64, -1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatheredMask.Get(64, 32, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatheredMask.Get(64, 6, -1));
    }
}
