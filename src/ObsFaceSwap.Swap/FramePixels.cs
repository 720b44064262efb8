using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;

namespace ObsFaceSwap.Swap;

/// <summary>
/// A frame as the swap code reads it: BGRA (<see cref="Plane0"/>: rows of 4·<see cref="Width"/>
/// bytes at <see cref="Stride"/>) or NV12 (<see cref="Plane0"/> = Y, rows of
/// <see cref="Width"/> bytes at <see cref="Stride"/>; <see cref="UvPlane"/> = interleaved U, V at
/// half resolution, rows at <see cref="UvStride"/>; BT.709 limited range, as the shim sends it).
/// </summary>
public readonly ref struct FramePixels
{
    /// <summary>A BGRA frame.</summary>
    /// <param name="bgra">The pixels.</param>
    /// <param name="width">Pixels, &gt; 0.</param>
    /// <param name="height">Pixels, &gt; 0.</param>
    /// <param name="stride">Bytes per row, &gt;= 4·width.</param>
    public FramePixels(ReadOnlySpan<byte> bgra, int width, int height, int stride)
    {
        Plane0 = bgra;
        Width = width;
        Height = height;
        Stride = stride;
    }

    /// <summary>An NV12 frame.</summary>
    /// <param name="y">Y plane.</param>
    /// <param name="yStride">Bytes per Y row, &gt;= width.</param>
    /// <param name="uv">Interleaved UV plane.</param>
    /// <param name="uvStride">Bytes per UV row, &gt;= width.</param>
    /// <param name="width">Pixels, even.</param>
    /// <param name="height">Pixels, even.</param>
    public FramePixels(ReadOnlySpan<byte> y, int yStride, ReadOnlySpan<byte> uv, int uvStride, int width, int height)
    {
        Plane0 = y;
        Stride = yStride;
        UvPlane = uv;
        UvStride = uvStride;
        Width = width;
        Height = height;
        IsNv12 = true;
    }

    /// <summary>True for NV12, false for BGRA.</summary>
    public bool IsNv12 { get; }

    /// <summary>BGRA pixels, or the Y plane.</summary>
    public ReadOnlySpan<byte> Plane0 { get; }

    /// <summary>Bytes per row of <see cref="Plane0"/>.</summary>
    public int Stride { get; }

    /// <summary>NV12: the UV plane; empty for BGRA.</summary>
    public ReadOnlySpan<byte> UvPlane { get; }

    /// <summary>NV12: bytes per UV row.</summary>
    public int UvStride { get; }

    /// <summary>Width, pixels.</summary>
    public int Width { get; }

    /// <summary>Height, pixels.</summary>
    public int Height { get; }

    /// <summary>Warps the S x S crop <paramref name="cropToFrame"/> selects into an NCHW RGB tensor [3, S, S].</summary>
    /// <param name="cropToFrame">Crop -> frame.</param>
    /// <param name="size">S.</param>
    /// <param name="normalization">Per-channel (x - mean) / std.</param>
    /// <param name="tensor">3·S·S floats.</param>
    public void WarpToTensor(Affine2x3 cropToFrame, int size, PixelNormalization normalization, Span<float> tensor)
    {
        if (IsNv12)
        {
            AffineWarp.Nv12ToTensor(Plane0, Stride, UvPlane, UvStride, Width, Height, cropToFrame, size, normalization, tensor);
        }
        else
        {
            AffineWarp.BgraToTensor(Plane0, Width, Height, Stride, cropToFrame, size, normalization, tensor);
        }
    }

    /// <summary>Warps the S x S crop <paramref name="cropToFrame"/> selects into BGRA bytes (stride 4·S).</summary>
    /// <param name="cropToFrame">Crop -> frame.</param>
    /// <param name="size">S.</param>
    /// <param name="crop">4·S·S bytes.</param>
    public void WarpToBgra(Affine2x3 cropToFrame, int size, Span<byte> crop)
    {
        if (IsNv12)
        {
            AffineWarp.Nv12ToBgra(Plane0, Stride, UvPlane, UvStride, Width, Height, cropToFrame, size, crop);
        }
        else
        {
            AffineWarp.BgraToBgra(Plane0, Width, Height, Stride, cropToFrame, size, crop);
        }
    }
}
