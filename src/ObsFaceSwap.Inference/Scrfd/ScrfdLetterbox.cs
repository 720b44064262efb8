using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Inference.Scrfd;

/// <summary>
/// Where a frame sits inside the model input: input = frame * <see cref="Scale"/> + pad. SCRFD
/// in InsightFace scales the frame to fit and places it at the top-left corner (pads 0); the
/// pads allow a centred letterbox too.
/// </summary>
/// <param name="Scale">Input pixels per frame pixel, &gt; 0.</param>
/// <param name="PadX">Input pixels left of the frame.</param>
/// <param name="PadY">Input pixels above the frame.</param>
public readonly record struct ScrfdLetterbox(float Scale, float PadX, float PadY)
{
    /// <summary>No scaling or padding: input pixels are frame pixels.</summary>
    public static ScrfdLetterbox Identity { get; } = new(1f, 0f, 0f);

    /// <summary>
    /// The top-left letterbox of a <paramref name="width"/> x <paramref name="height"/> frame in an
    /// <paramref name="inputWidth"/> x <paramref name="inputHeight"/> input, aspect ratio kept.
    /// </summary>
    /// <param name="width">Frame width, &gt; 0.</param>
    /// <param name="height">Frame height, &gt; 0.</param>
    /// <param name="inputWidth">Input width, &gt; 0.</param>
    /// <param name="inputHeight">Input height, &gt; 0.</param>
    /// <returns>The letterbox.</returns>
    public static ScrfdLetterbox TopLeft(int width, int height, int inputWidth, int inputHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        return new ScrfdLetterbox(MathF.Min((float)inputWidth / width, (float)inputHeight / height), 0f, 0f);
    }

    /// <summary>Input pixel coordinates to frame pixels.</summary>
    /// <param name="x">Input x.</param>
    /// <param name="y">Input y.</param>
    /// <returns>The frame point.</returns>
    public PointF ToFrame(float x, float y) => new((x - PadX) / Scale, (y - PadY) / Scale);
}
