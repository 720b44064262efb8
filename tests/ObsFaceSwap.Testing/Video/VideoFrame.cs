namespace ObsFaceSwap.Testing.Video;

/// <summary>One decoded frame: BGRA, 4 bytes per pixel, rows packed (stride = 4 x width).</summary>
public sealed class VideoFrame
{
    /// <summary>Wraps pixels.</summary>
    /// <param name="index">Position in the decoded stream, from 0.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="bgra">The pixels (length 4 x width x height); not copied.</param>
    public VideoFrame(int index, int width, int height, byte[] bgra)
    {
        ArgumentNullException.ThrowIfNull(bgra);
        if (bgra.Length != 4 * width * height)
        {
            throw new ArgumentException($"Expected {4 * width * height} bytes, got {bgra.Length}.", nameof(bgra));
        }

        Index = index;
        Width = width;
        Height = height;
        Bgra = bgra;
    }

    /// <summary>Position in the decoded stream, from 0.</summary>
    public int Index { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixels.</summary>
#pragma warning disable CA1819 // A frame is a pixel buffer; copying it on every access would defeat the purpose.
    public byte[] Bgra { get; }
#pragma warning restore CA1819

    /// <summary>Bytes per row.</summary>
    public int Stride => 4 * Width;

    /// <summary>One row of pixels.</summary>
    /// <param name="y">The row.</param>
    /// <returns>Its bytes.</returns>
    public ReadOnlySpan<byte> Row(int y) => Bgra.AsSpan(y * Stride, Stride);
}
