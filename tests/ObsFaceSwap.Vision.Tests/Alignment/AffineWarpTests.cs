using ObsFaceSwap.Vision.Alignment;

namespace ObsFaceSwap.Vision.Tests.Alignment;

public class AffineWarpTests
{
    private const int W = 200;
    private const int H = 150;

    /// <summary>Padding at the end of each row, filled with 0xEE: must never be sampled.</summary>
    private const int Pad = 12;
    private const int Stride = (W * 4) + Pad;

    /// <summary>B = x, G = y, R = 255 - x: linear, so bilinear interpolation is exact.</summary>
    private static byte[] Gradient()
    {
        var frame = new byte[Stride * H];
        frame.AsSpan().Fill(0xEE);
        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                var i = (y * Stride) + (x * 4);
                frame[i] = (byte)x;
                frame[i + 1] = (byte)y;
                frame[i + 2] = (byte)(255 - x);
                frame[i + 3] = 255;
            }
        }

        return frame;
    }

    /// <summary>Asserts the tensor holds (x, y) = sample(u, v) in frame index coordinates, normalised.</summary>
    private static void AssertTensor(float[] tensor, int size, PixelNormalization n, Func<int, int, (double X, double Y)> sample, double tolerance = 1e-4)
    {
        var plane = size * size;
        for (var v = 0; v < size; v++)
        {
            for (var u = 0; u < size; u++)
            {
                var (x, y) = sample(u, v);
                var i = (v * size) + u;
                Assert.Equal((255 - x - n.Mean0) / n.Std0, tensor[i], tolerance);
                Assert.Equal((y - n.Mean1) / n.Std1, tensor[plane + i], tolerance);
                Assert.Equal((x - n.Mean2) / n.Std2, tensor[(2 * plane) + i], tolerance);
            }
        }
    }

    [Fact]
    public void A_translation_samples_the_shifted_position()
    {
        var tensor = new float[3 * 16 * 16];
        AffineWarp.BgraToTensor(Gradient(), W, H, Stride, Affine2x3.Translation(10.25f, 20.75f), 16, PixelNormalization.Inswapper, tensor);
        AssertTensor(tensor, 16, PixelNormalization.Inswapper, (u, v) => (u + 10.25, v + 20.75));
    }

    [Theory]
    [InlineData(24)]
    [InlineData(23)] // four pixels at a time, then three one by one
    [InlineData(3)]
    public void A_scale_samples_at_the_mapped_pixel_centres(int size)
    {
        // Crop pixel u has centre u + 0.5 -> frame 2(u + 0.5) + 10 -> frame index 2u + 10.5.
        var tensor = new float[3 * size * size];
        AffineWarp.BgraToTensor(Gradient(), W, H, Stride, Affine2x3.ScaleTranslation(2, 10, 20), size, PixelNormalization.ArcFace, tensor);
        AssertTensor(tensor, size, PixelNormalization.ArcFace, (u, v) => ((2 * u) + 10.5, (2 * v) + 20.5));
    }

    [Fact]
    public void A_quarter_turn_swaps_the_axes()
    {
        // Crop (u, v) -> frame (100 - v, 30 + u): a 90° rotation.
        var t = new Affine2x3(0, -1, 100, 1, 0, 30);
        var tensor = new float[3 * 20 * 20];
        AffineWarp.BgraToTensor(Gradient(), W, H, Stride, t, 20, PixelNormalization.Inswapper, tensor);
        AssertTensor(tensor, 20, PixelNormalization.Inswapper, (u, v) => (100 - (v + 0.5) - 0.5, 30 + (u + 0.5) - 0.5));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(7)]
    public void Outside_the_frame_the_border_is_replicated(int size)
    {
        var tensor = new float[3 * size * size];
        AffineWarp.BgraToTensor(Gradient(), W, H, Stride, Affine2x3.Translation(-50, -50), size, PixelNormalization.Inswapper, tensor);
        AssertTensor(tensor, size, PixelNormalization.Inswapper, (u, v) => (0, 0));

        AffineWarp.BgraToTensor(Gradient(), W, H, Stride, Affine2x3.Translation(300, 145), size, PixelNormalization.Inswapper, tensor);
        AssertTensor(tensor, size, PixelNormalization.Inswapper, (u, v) => (W - 1, Math.Min(H - 1, v + 145)));

        // Half in, half out: x clamps, y follows.
        AffineWarp.BgraToTensor(Gradient(), W, H, Stride, Affine2x3.Translation(-4, 30), size, PixelNormalization.Inswapper, tensor);
        AssertTensor(tensor, size, PixelNormalization.Inswapper, (u, v) => (Math.Max(0, u - 4), v + 30));
    }

    [Theory]
    [InlineData(1, 6)]
    [InlineData(6, 1)]
    [InlineData(1, 1)]
    public void Frames_one_pixel_wide_or_high_are_replicated(int width, int height)
    {
        // Pixel (x, y) holds B = 10x, G = 10y: the crop sees the single row or column stretched.
        var frame = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                frame[((y * width) + x) * 4] = (byte)(10 * x);
                frame[(((y * width) + x) * 4) + 1] = (byte)(10 * y);
            }
        }

        const int size = 6;
        var crop = new byte[size * size * 4];
        AffineWarp.BgraToBgra(frame, width, height, width * 4, Affine2x3.Identity, size, crop);
        for (var v = 0; v < size; v++)
        {
            for (var u = 0; u < size; u++)
            {
                Assert.Equal(10 * Math.Min(u, width - 1), crop[((v * size) + u) * 4]);
                Assert.Equal(10 * Math.Min(v, height - 1), crop[(((v * size) + u) * 4) + 1]);
            }
        }
    }

    [Fact]
    public void The_BGRA_crop_rounds_the_same_samples()
    {
        const int size = 23;
        var crop = new byte[size * size * 4];
        AffineWarp.BgraToBgra(Gradient(), W, H, Stride, Affine2x3.ScaleTranslation(1.5f, 7.3f, 11.9f), size, crop);
        for (var v = 0; v < size; v++)
        {
            for (var u = 0; u < size; u++)
            {
                var x = (1.5 * (u + 0.5)) + 7.3 - 0.5;
                var y = (1.5 * (v + 0.5)) + 11.9 - 0.5;
                var i = ((v * size) + u) * 4;
                Assert.InRange(crop[i] - x, -0.51, 0.51);
                Assert.InRange(crop[i + 1] - y, -0.51, 0.51);
                Assert.InRange(crop[i + 2] - (255 - x), -0.51, 0.51);
                Assert.Equal(255, crop[i + 3]);
            }
        }
    }

    [Fact]
    public void NV12_matches_BGRA_on_the_same_image()
    {
        const int w = 160, h = 120, yStride = w + 8, uvStride = w + 4;
        var bgra = new byte[w * h * 4];
        var yPlane = new byte[yStride * h];
        var uvPlane = new byte[uvStride * h / 2];
        static (double R, double G, double B) Rgb(double x, double y) => (60 + (0.3 * x), 90 + (0.25 * y), 120 + (0.1 * (x + y)));
        static (double Y, double U, double V) Yuv((double R, double G, double B) c)
        {
            // BT.709 limited range (docs/frame-channel.md).
            var luma = (0.2126 * c.R) + (0.7152 * c.G) + (0.0722 * c.B);
            return (16 + (219.0 / 255 * luma), 128 + (224.0 / 255 * (c.B - luma) / 1.8556), 128 + (224.0 / 255 * (c.R - luma) / 1.5748));
        }

        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var c = Rgb(x, y);
                var i = ((y * w) + x) * 4;
                bgra[i] = (byte)Math.Round(c.B);
                bgra[i + 1] = (byte)Math.Round(c.G);
                bgra[i + 2] = (byte)Math.Round(c.R);
                bgra[i + 3] = 255;
                yPlane[(y * yStride) + x] = (byte)Math.Round(Yuv(c).Y);
            }
        }

        for (var j = 0; j < h / 2; j++)
        {
            for (var i = 0; i < w / 2; i++)
            {
                // The 2x2 block average: the colour at the block's centre (the image is linear).
                var yuv = Yuv(Rgb((2 * i) + 0.5, (2 * j) + 0.5));
                uvPlane[(j * uvStride) + (2 * i)] = (byte)Math.Round(yuv.U);
                uvPlane[(j * uvStride) + (2 * i) + 1] = (byte)Math.Round(yuv.V);
            }
        }

        // Rotated and scaled, inside the frame.
        var angle = 0.3;
        var t = new Affine2x3((float)(1.4 * Math.Cos(angle)), (float)(-1.4 * Math.Sin(angle)), 60, (float)(1.4 * Math.Sin(angle)), (float)(1.4 * Math.Cos(angle)), 15);
        const int size = 39; // four pixels at a time, then three one by one
        var fromBgra = new float[3 * size * size];
        var fromNv12 = new float[3 * size * size];
        AffineWarp.BgraToTensor(bgra, w, h, w * 4, t, size, PixelNormalization.Inswapper, fromBgra);
        AffineWarp.Nv12ToTensor(yPlane, yStride, uvPlane, uvStride, w, h, t, size, PixelNormalization.Inswapper, fromNv12);
        var worst = fromBgra.Zip(fromNv12, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 3f / 255, $"largest difference {worst * 255:F2} levels");

        var cropBgra = new byte[size * size * 4];
        var cropNv12 = new byte[size * size * 4];
        AffineWarp.BgraToBgra(bgra, w, h, w * 4, t, size, cropBgra);
        AffineWarp.Nv12ToBgra(yPlane, yStride, uvPlane, uvStride, w, h, t, size, cropNv12);
        var worstByte = cropBgra.Zip(cropNv12, (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(worstByte, 0, 3);

        // Not trivially equal: the colours vary across the crop.
        Assert.True(fromNv12.AsSpan(0, size * size).ToArray().Distinct().Count() > 100);
    }

    [Fact]
    public void NV12_converts_limited_range_grey_and_colour()
    {
        // Y 16 is black, Y 235 white; (Y 63, U 102, V 240) is BT.709 red (R 255, G 0, B 0 within a level or two).
        var y = new byte[] { 16, 16, 16, 16 };
        var uv = new byte[] { 128, 128 };
        var crop = new byte[4];
        AffineWarp.Nv12ToBgra(y, 2, uv, 2, 2, 2, Affine2x3.Identity, 1, crop);
        Assert.Equal(new byte[] { 0, 0, 0, 255 }, crop);
        y.AsSpan().Fill(235);
        AffineWarp.Nv12ToBgra(y, 2, uv, 2, 2, 2, Affine2x3.Identity, 1, crop);
        Assert.Equal(new byte[] { 255, 255, 255, 255 }, crop);
        y.AsSpan().Fill(63);
        AffineWarp.Nv12ToBgra(y, 2, new byte[] { 102, 240 }, 2, 2, 2, Affine2x3.Identity, 1, crop);
        Assert.InRange(crop[2], 252, 255);
        Assert.InRange(crop[1], 0, 3);
        Assert.InRange(crop[0], 0, 3);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        var frame = Gradient();
        var tensor = new float[3 * 8 * 8];
        Assert.Throws<ArgumentException>(() => AffineWarp.BgraToTensor(frame.AsSpan(0, 100), W, H, Stride, Affine2x3.Identity, 8, PixelNormalization.Inswapper, tensor));
        Assert.Throws<ArgumentException>(() => AffineWarp.BgraToTensor(frame, W, H, Stride, Affine2x3.Identity, 9, PixelNormalization.Inswapper, tensor));
        Assert.Throws<ArgumentException>(() => AffineWarp.BgraToTensor(frame, W, H, Stride, new Affine2x3(float.NaN, 0, 0, 0, 1, 0), 8, PixelNormalization.Inswapper, tensor));
        Assert.Throws<ArgumentOutOfRangeException>(() => AffineWarp.BgraToTensor(frame, W, H, W, Affine2x3.Identity, 8, PixelNormalization.Inswapper, tensor));
        Assert.Throws<ArgumentOutOfRangeException>(() => AffineWarp.BgraToTensor(frame, W, H, Stride, Affine2x3.Identity, 8, PixelNormalization.Uniform(0, 0), tensor));
        Assert.Throws<ArgumentException>(() => AffineWarp.BgraToBgra(frame, W, H, Stride, Affine2x3.Identity, 8, new byte[(8 * 8 * 4) - 1]));
        Assert.Throws<ArgumentException>(() => AffineWarp.Nv12ToBgra(new byte[4], 2, new byte[1], 2, 2, 2, Affine2x3.Identity, 1, new byte[4]));
    }
}
