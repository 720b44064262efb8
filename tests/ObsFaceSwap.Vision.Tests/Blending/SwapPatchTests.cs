using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Blending;

namespace ObsFaceSwap.Vision.Tests.Blending;

public class SwapPatchTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    public void Writes_BGRA_with_the_mask_as_straight_alpha_and_returns_the_crop_transform(int size)
    {
        var stride = (size * 4) + 8;
        var plane = size * size;
        var output = new float[3 * plane];
        var mask = new byte[plane];
        for (var i = 0; i < plane; i++)
        {
            output[i] = i / 15f;                 // R
            output[plane + i] = 1f - (i / 15f);  // G
            output[(2 * plane) + i] = 0.5f;      // B
            mask[i] = (byte)((i * 17) % 256);
        }

        output[3] = 1.7f;
        output[plane + 5] = -0.2f;
        output[(2 * plane) + 6] = float.NaN;
        var patch = new byte[stride * size];
        patch.AsSpan().Fill(0xAB);
        var t = new Affine2x3(0.9f, -0.1f, 200, 0.1f, 0.9f, 100);

        var affine = SwapPatch.WriteBgra(output, size, mask, t, patch, stride);

        Assert.Equal(t, affine);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var i = (y * size) + x;
                var p = (y * stride) + (x * 4);
                var expectedB = i == 6 ? 0 : 128;                   // 0.5 -> 127.5 rounds to 128; NaN -> 0
                var expectedG = i == 5 ? 0 : Expected(1 - (i / 15.0));
                var expectedR = i == 3 ? 255 : Expected(i / 15.0);
                Assert.Equal(expectedB, patch[p]);
                Assert.InRange(patch[p + 1], expectedG - 1, expectedG + 1);
                Assert.InRange(patch[p + 2], expectedR - 1, expectedR + 1);
                Assert.Equal(mask[i], patch[p + 3]);
            }

            // Row padding is left alone.
            Assert.Equal(0xAB, patch[(y * stride) + (size * 4)]);
        }
    }

    private static int Expected(double v) => (int)Math.Clamp(Math.Round(255 * v, MidpointRounding.AwayFromZero), 0, 255);

    [Fact]
    public void Rejects_bad_arguments()
    {
        var output = new float[3 * 16];
        var mask = new byte[16];
        var patch = new byte[64];
        Assert.Throws<ArgumentException>(() => SwapPatch.WriteBgra(output.AsSpan(1), 4, mask, Affine2x3.Identity, patch, 16));
        Assert.Throws<ArgumentException>(() => SwapPatch.WriteBgra(output, 4, mask.AsSpan(1), Affine2x3.Identity, patch, 16));
        Assert.Throws<ArgumentException>(() => SwapPatch.WriteBgra(output, 4, mask, Affine2x3.Identity, patch.AsSpan(1), 16));
        Assert.Throws<ArgumentException>(() => SwapPatch.WriteBgra(output, 4, mask, new Affine2x3(1, 0, float.PositiveInfinity, 0, 1, 0), patch, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => SwapPatch.WriteBgra(output, 4, mask, Affine2x3.Identity, patch, 15));
    }
}
