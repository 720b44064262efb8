using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;

namespace ObsFaceSwap.Host.Tests.Pipeline;

public sealed class DiagnosticStageTests
{
    [Theory]
    [InlineData(64, 48, 0)]
    [InlineData(13, 7, 0)]
    [InlineData(20, 10, 96)]
    [InlineData(1280, 720, 0)]
    public void A_BGRA_frame_gives_one_patch_of_the_inverted_central_rectangle(int w, int h, int stride)
    {
        var rowStride = stride == 0 ? w * 4 : stride;
        var frame = Images.GradientBgra(w, h, rowStride);
        var result = Run(new FrameContext(1, 0, PixelFormat.Bgra, w, h, frame, rowStride, default, 0), 1 << 22);

        Assert.Equal(1, result.ItemCount);
        var item = result.Items[0];
        Assert.Equal((uint)ItemKind.Patch, item.Kind);
        Assert.Equal((uint)(w / 2), item.PatchWidth);
        Assert.Equal((uint)(h / 2), item.PatchHeight);
        Assert.Equal((uint)(w / 2 * 4), item.PatchStride);
        Assert.Equal(1f, item.Opacity);
        Assert.Equal(new float[] { 1, 0, w / 4, 0, 1, h / 4 }, Images.Affine(item));
        for (var y = 0; y < h / 2; y++)
        {
            var expected = Images.InvertedRow(frame, w, w / 4, (h / 4) + y, w / 2, rowStride);
            Assert.Equal(expected, result.PatchBytes.Slice(y * (w / 2) * 4, (w / 2) * 4).ToArray());
        }
    }

    [Fact]
    public void The_central_rectangle_uses_integer_division()
    {
        Assert.Equal((1, 2, 3, 5), DiagnosticStage.CentralRect(7, 11));
        Assert.Equal((480, 270, 960, 540), DiagnosticStage.CentralRect(1920, 1080));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 100)]
    [InlineData(100, 1)]
    public void A_frame_too_small_for_a_rectangle_gives_no_item(int w, int h)
    {
        var frame = Images.GradientBgra(w, h);
        var result = Run(new FrameContext(1, 0, PixelFormat.Bgra, w, h, frame, w * 4, default, 0), 1 << 16);
        Assert.Equal(0, result.ItemCount);
    }

    [Fact]
    public void An_NV12_frame_is_converted_with_BT709_limited_range_then_inverted()
    {
        const int w = 64, h = 32, stride = 80;
        var frame = Images.Nv12(w, h, stride);
        var uvOffset = stride * h;
        var y0 = frame.AsSpan(0, (stride * (h - 1)) + w);
        var uv = frame.AsSpan(uvOffset, (stride * ((h / 2) - 1)) + w);
        var result = Run(new FrameContext(1, 0, PixelFormat.Nv12, w, h, y0, stride, uv, stride), 1 << 16);

        Assert.Equal(1, result.ItemCount);
        var patch = result.PatchBytes;
        var maxError = 0;
        for (var y = 0; y < h / 2; y++)
        {
            for (var x = 0; x < w / 2; x++)
            {
                var (b, g, r) = Images.ReferenceBt709(frame, stride, uvOffset, stride, (w / 4) + x, (h / 4) + y);
                var p = ((y * (w / 2)) + x) * 4;
                maxError = Math.Max(maxError, Math.Abs(patch[p] - (255 - b)));
                maxError = Math.Max(maxError, Math.Abs(patch[p + 1] - (255 - g)));
                maxError = Math.Max(maxError, Math.Abs(patch[p + 2] - (255 - r)));
                Assert.Equal(255, patch[p + 3]);
            }
        }

        Assert.InRange(maxError, 0, 1);
    }

    [Fact]
    public void Known_BT709_colours_convert_as_expected()
    {
        // Limited-range black (16,128,128) -> 0,0,0 -> inverted 255; white (235,128,128) -> 255 -> 0.
        // Pure red in BT.709 limited range is Y 63, Cb 102, Cr 240.
        Assert.Equal(new byte[] { 255, 255, 255, 255 }, Convert(16, 128, 128));
        Assert.Equal(new byte[] { 0, 0, 0, 255 }, Convert(235, 128, 128));
        var red = Convert(63, 102, 240);
        Assert.InRange(red[2], 0, 1);       // R 255 inverted
        Assert.InRange(red[1], 254, 255);   // G 0 inverted
        Assert.InRange(red[0], 254, 255);   // B 0 inverted

        static byte[] Convert(byte y, byte u, byte v)
        {
            var dst = new byte[4];
            PixelKernels.Nv12ToInvertedBgra([y, y], [u, v], 0, dst);
            return dst;
        }
    }

    [Fact]
    public void A_rectangle_larger_than_the_patch_limit_is_split_into_tiles_that_cover_it_exactly()
    {
        const int w = 4096, h = 2304; // rectangle 2048 x 1152 at (1024, 576)
        var frame = new byte[w * h * 4];
        new Random(5).NextBytes(frame);
        var result = Run(new FrameContext(1, 0, PixelFormat.Bgra, w, h, frame, w * 4, default, 0), 2048 * 1152 * 4 + (64 * 128));

        Assert.Equal(4, result.ItemCount);
        var covered = 0L;
        foreach (var item in result.Items.ToArray())
        {
            Assert.InRange(item.PatchWidth, 1u, Wire.MaxPatchSide);
            Assert.InRange(item.PatchHeight, 1u, Wire.MaxPatchSide);
            covered += item.PatchWidth * item.PatchHeight;
        }

        Assert.Equal(2048L * 1152, covered);
        var items = result.Items.ToArray();
        Assert.Equal(new float[] { 1, 0, 1024, 0, 1, 576 }, Images.Affine(items[0]));
        Assert.Equal(new float[] { 1, 0, 2048, 0, 1, 576 }, Images.Affine(items[1]));
        Assert.Equal(new float[] { 1, 0, 1024, 0, 1, 1600 }, Images.Affine(items[2]));
        Assert.Equal((1024u, 128u), (items[3].PatchWidth, items[3].PatchHeight));

        // The first pixel of the last tile is frame pixel (2048, 1600), inverted.
        var last = items[3];
        var offset = (int)last.PatchOffset; // relative to the patch area in the builder
        var p = (1600 * w * 4) + (2048 * 4);
        Assert.Equal((byte)(255 - frame[p]), result.PatchBytes[offset]);
        Assert.Equal(255, result.PatchBytes[offset + 3]);
    }

    [Fact]
    public void A_result_that_does_not_fit_the_slot_throws_a_capacity_error()
    {
        var frame = Images.GradientBgra(64, 48);
        var stage = new DiagnosticStage();
        var result = new ResultBuilder(256);
        Assert.Throws<ResultCapacityException>(() => stage.Process(new FrameContext(1, 0, PixelFormat.Bgra, 64, 48, frame, 256, default, 0), result));
    }

    private static ResultBuilder Run(in FrameContext frame, int capacity)
    {
        var result = new ResultBuilder(capacity);
        var stage = new DiagnosticStage();
        Assert.Equal("diagnostic", stage.Name);
        stage.Process(frame, result);
        return result;
    }
}
