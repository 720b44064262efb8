using ObsFaceSwap.Inference.Swap;

namespace ObsFaceSwap.Inference.Tests.Swap;

public sealed class SwapOutputCheckTests
{
    [Fact]
    public void An_image_passes_and_NaN_infinity_and_flat_channels_are_found()
    {
        var image = SwapTestFiles.Target(16);
        Assert.Equal(SwapFault.None, SwapOutputCheck.Inspect(image));

        var nan = (float[])image.Clone();
        nan[100] = float.NaN;
        Assert.Equal(SwapFault.NonFinite, SwapOutputCheck.Inspect(nan));

        var inf = (float[])image.Clone();
        inf[^1] = float.PositiveInfinity;
        Assert.Equal(SwapFault.NonFinite, SwapOutputCheck.Inspect(inf));

        // A "green box": every channel constant.
        var green = new float[3 * 16 * 16];
        green.AsSpan(256, 256).Fill(1f);
        Assert.Equal(SwapFault.Flat, SwapOutputCheck.Inspect(green));

        // One flat channel is enough; a variation just above the threshold is not flat.
        var oneFlat = (float[])image.Clone();
        oneFlat.AsSpan(512, 256).Fill(0.5f);
        Assert.Equal(SwapFault.Flat, SwapOutputCheck.Inspect(oneFlat));
        for (var i = 0; i < 256; i++)
        {
            oneFlat[512 + i] = 0.5f + (i % 2 == 0 ? 2e-4f : -2e-4f);
        }

        Assert.Equal(SwapFault.None, SwapOutputCheck.Inspect(oneFlat));
    }
}
