namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// The tensor contract of InsightFace's ArcFace recognition models (w600k_r50 of buffalo_l;
/// ../shared/reference/face-models.md, and the arcface-w600k-r50 entry of models/manifest.json).
/// </summary>
/// <remarks>
/// <para>Input: one float tensor [N,3,112,112] NCHW, RGB, <c>(x - 127.5) / 127.5</c> (so 0..255
/// maps to -1..1), of a face aligned to the ArcFace 5-point template (38.2946, 51.6963) right eye,
/// (73.5318, 51.5014) left eye, (56.0252, 71.7366) nose, (41.5493, 92.3655) and
/// (70.7299, 92.2041) mouth corners, in 112 x 112 crop pixels. Output: one tensor [N,512], the
/// identity embedding, compared after L2 normalisation (InsightFace's
/// <c>ArcFaceONNX.get_feat</c> with <c>input_mean = input_std = 127.5</c>, and
/// <c>Face.normed_embedding</c>).</para>
/// <para>The tensor names of the published w600k_r50 (<c>input.1</c>, <c>683</c>, as the
/// manifest records them) are export artefacts; <see cref="ArcFaceEmbedder"/> checks the shapes,
/// not the names. float16 inputs and outputs are accepted too.</para>
/// </remarks>
public static class ArcFaceContract
{
    /// <summary>Side of the aligned square crop, pixels.</summary>
    public const int InputSize = 112;

    /// <summary>Length of the embedding.</summary>
    public const int EmbeddingLength = 512;

    /// <summary>Mean subtracted from each 0..255 channel value.</summary>
    public const float Mean = 127.5f;

    /// <summary>Divisor applied after the mean.</summary>
    public const float Std = 127.5f;

    /// <summary>Floats in one input image: 3 * 112 * 112.</summary>
    public const int InputLength = 3 * InputSize * InputSize;

    /// <summary>
    /// Writes an aligned BGRA crop into an NCHW RGB input tensor, <c>(x - 127.5) / 127.5</c>.
    /// </summary>
    /// <param name="bgra">The crop: <paramref name="size"/> rows of <paramref name="size"/> pixels, 4 bytes each in B, G, R, A order (alpha ignored).</param>
    /// <param name="size">Crop side in pixels, &gt; 0 (112 for ArcFace).</param>
    /// <param name="stride">Bytes from one row to the next, &gt;= 4 * <paramref name="size"/>.</param>
    /// <param name="nchw">Destination, at least 3 * size * size floats: the R plane, then G, then B.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive or <paramref name="stride"/> is less than 4 * size.</exception>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void FillInput(ReadOnlySpan<byte> bgra, int size, int stride, Span<float> nchw)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, size * 4);
        var needed = ((long)stride * (size - 1)) + (size * 4L);
        if (bgra.Length < needed)
        {
            throw new ArgumentException($"a {size}x{size} crop with stride {stride} needs {needed} bytes, got {bgra.Length}", nameof(bgra));
        }

        var plane = size * size;
        if (nchw.Length < 3 * plane)
        {
            throw new ArgumentException($"the input tensor needs {3 * plane} floats, got {nchw.Length}", nameof(nchw));
        }

        const float Scale = 1f / Std;
        var red = nchw[..plane];
        var green = nchw.Slice(plane, plane);
        var blue = nchw.Slice(2 * plane, plane);
        for (var y = 0; y < size; y++)
        {
            var row = bgra.Slice(y * stride, size * 4);
            var o = y * size;
            for (var x = 0; x < size; x++)
            {
                blue[o + x] = (row[x * 4] - Mean) * Scale;
                green[o + x] = (row[(x * 4) + 1] - Mean) * Scale;
                red[o + x] = (row[(x * 4) + 2] - Mean) * Scale;
            }
        }
    }
}
