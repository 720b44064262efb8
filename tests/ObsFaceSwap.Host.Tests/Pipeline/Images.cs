using System.Runtime.InteropServices;
using ObsFaceSwap.Channel;

namespace ObsFaceSwap.Host.Tests.Pipeline;

/// <summary>Test images and reference computations.</summary>
internal static class Images
{
    /// <summary>A BGRA image where every channel varies differently with x and y; alpha varies too.</summary>
    public static byte[] GradientBgra(int width, int height, int stride = 0)
    {
        stride = stride == 0 ? width * 4 : stride;
        var bytes = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = (y * stride) + (x * 4);
                bytes[p] = (byte)(x * 7);
                bytes[p + 1] = (byte)(y * 11);
                bytes[p + 2] = (byte)((x * y) + 3);
                bytes[p + 3] = (byte)(x + y);
            }
        }

        return bytes;
    }

    /// <summary>An NV12 image: Y plane then interleaved UV at <c>stride * height</c>, with varying values across the whole range.</summary>
    public static byte[] Nv12(int width, int height, int stride)
    {
        var bytes = new byte[(stride * height) + (stride * height / 2)];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bytes[(y * stride) + x] = (byte)((x * 5) + (y * 3));
            }
        }

        var uv = stride * height;
        for (var y = 0; y < height / 2; y++)
        {
            for (var x = 0; x < width / 2; x++)
            {
                bytes[uv + (y * stride) + (2 * x)] = (byte)(x * 17);
                bytes[uv + (y * stride) + (2 * x) + 1] = (byte)(255 - (y * 13));
            }
        }

        return bytes;
    }

    /// <summary>The expected patch row: pixels x0.. of row y, B, G, R inverted, alpha 255.</summary>
    public static byte[] InvertedRow(byte[] bgra, int width, int x0, int y, int count, int stride = 0)
    {
        stride = stride == 0 ? width * 4 : stride;
        var row = new byte[count * 4];
        for (var i = 0; i < count; i++)
        {
            var p = (y * stride) + ((x0 + i) * 4);
            row[(4 * i) + 0] = (byte)(255 - bgra[p]);
            row[(4 * i) + 1] = (byte)(255 - bgra[p + 1]);
            row[(4 * i) + 2] = (byte)(255 - bgra[p + 2]);
            row[(4 * i) + 3] = 255;
        }

        return row;
    }

    /// <summary>BT.709 limited range -> full-range RGB in double precision, rounded and clamped.</summary>
    public static (int B, int G, int R) ReferenceBt709(byte[] nv12, int stride, int uvOffset, int uvStride, int x, int y)
    {
        double luma = nv12[(y * stride) + x] - 16;
        double u = nv12[uvOffset + (y / 2 * uvStride) + (x / 2 * 2)] - 128;
        double v = nv12[uvOffset + (y / 2 * uvStride) + (x / 2 * 2) + 1] - 128;
        const double kr = 0.2126, kb = 0.0722, kg = 1 - kr - kb;
        var ys = 255.0 / 219.0;
        var cs = 255.0 / 224.0;
        var r = (ys * luma) + (2 * (1 - kr) * cs * v);
        var g = (ys * luma) - (2 * (1 - kb) * kb / kg * cs * u) - (2 * (1 - kr) * kr / kg * cs * v);
        var b = (ys * luma) + (2 * (1 - kb) * cs * u);
        static int C(double d) => Math.Clamp((int)Math.Round(d), 0, 255);
        return (C(b), C(g), C(r));
    }

    public static unsafe float[] Affine(OfsResultItem item) => new ReadOnlySpan<float>(item.Affine, 6).ToArray();

    public static ReadOnlySpan<OfsResultItem> Items(ResultBuilder builder) => builder.Items;

    public static byte[] Bytes(ResultBuilder builder)
    {
        var data = new byte[builder.DataSize];
        MemoryMarshal.AsBytes(builder.Items).CopyTo(data);
        builder.PatchBytes.CopyTo(data.AsSpan(builder.ItemCount * 128));
        return data;
    }
}
