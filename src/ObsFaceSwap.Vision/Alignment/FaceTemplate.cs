namespace ObsFaceSwap.Vision.Alignment;

/// <summary>
/// The ArcFace five-point alignment template and the crop-size rule of InsightFace's
/// <c>face_align.estimate_norm</c> (../shared/reference/face-models.md, "Alignment template").
/// </summary>
/// <remarks>
/// <para>The 112 x 112 template, pixels: (38.2946, 51.6963) right eye, (73.5318, 51.5014) left
/// eye, (56.0252, 71.7366) nose tip, (41.5493, 92.3655) right mouth corner, (70.7299, 92.2041)
/// left mouth corner. "Right" is the subject's right, on the image's left: the same order and
/// sense as <see cref="FiveLandmarks"/> (BlazeFace and SCRFD both fill it in that order), so
/// template point i pairs with landmark i and a frontal face maps without a mirror.</para>
/// <para>Crop size S: when <c>S % 112 == 0</c> the points are scaled by <c>S / 112</c>; otherwise
/// by <c>S / 128</c> with x shifted right by <c>8·S / 128</c> (inswapper's 128 crop is the 112
/// template shifted 8 pixels right).</para>
/// <para>Pixel convention: <see cref="Points"/> gives the published numbers, which are in
/// OpenCV's convention (pixel i's centre at i; InsightFace warps with <c>cv2.warpAffine</c>).
/// <see cref="FrameToCrop"/> and <see cref="CropToFrame"/> work in this repo's continuous
/// convention (pixel i's centre at i + 0.5, see <see cref="Affine2x3"/>), so they add half a
/// pixel to the template and the crop matches what <c>cv2.warpAffine</c> gives for the same
/// landmarks.</para>
/// </remarks>
public static class FaceTemplate
{
    /// <summary>Number of template points.</summary>
    public const int PointCount = 5;

    /// <summary>The template's native crop size (ArcFace recognition models).</summary>
    public const int ArcFaceSize = 112;

    /// <summary>inswapper's crop size (the template scaled by 1 and shifted 8 pixels right).</summary>
    public const int InswapperSize = 128;

    private static readonly PointF[] Template112 =
    [
        new(38.2946f, 51.6963f),
        new(73.5318f, 51.5014f),
        new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f),
        new(70.7299f, 92.2041f),
    ];

    /// <summary>The published 112 x 112 template in <see cref="FiveLandmarks"/> order (OpenCV pixel convention).</summary>
    public static ReadOnlySpan<PointF> ArcFace112 => Template112;

    /// <summary>The template for an S x S crop by the crop-size rule (OpenCV pixel convention, as published).</summary>
    /// <param name="size">Crop side S, pixels, &gt; 0.</param>
    /// <param name="destination">At least <see cref="PointCount"/> points; the first five are written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> &lt;= 0.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> holds fewer than 5 points.</exception>
    public static void Points(int size, Span<PointF> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (destination.Length < PointCount)
        {
            throw new ArgumentException($"needs {PointCount} points", nameof(destination));
        }

        float scale, shiftX;
        if (size % ArcFaceSize == 0)
        {
            scale = size / (float)ArcFaceSize;
            shiftX = 0;
        }
        else
        {
            scale = size / 128f;
            shiftX = 8f * scale;
        }

        for (var i = 0; i < PointCount; i++)
        {
            destination[i] = new PointF((Template112[i].X * scale) + shiftX, Template112[i].Y * scale);
        }
    }

    /// <summary>Copies the landmarks into five points in template order.</summary>
    /// <param name="landmarks">Five landmarks.</param>
    /// <param name="destination">At least 5 points.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> holds fewer than 5 points.</exception>
    public static void ToPoints(in FiveLandmarks landmarks, Span<PointF> destination)
    {
        if (destination.Length < PointCount)
        {
            throw new ArgumentException($"needs {PointCount} points", nameof(destination));
        }

        destination[0] = landmarks.RightEye;
        destination[1] = landmarks.LeftEye;
        destination[2] = landmarks.Nose;
        destination[3] = landmarks.RightMouth;
        destination[4] = landmarks.LeftMouth;
    }

    /// <summary>
    /// The similarity mapping frame pixels onto the S x S crop: Umeyama least squares from the
    /// five landmarks to the template (<see cref="SimilarityTransform.Estimate"/>), in continuous
    /// pixel coordinates. No allocation.
    /// </summary>
    /// <param name="landmarks">Landmarks in frame pixels (continuous convention, as the detectors give them).</param>
    /// <param name="size">Crop side S, pixels, &gt; 0.</param>
    /// <returns>Frame -> crop.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> &lt;= 0.</exception>
    /// <exception cref="ArgumentException">A landmark is not finite, or all landmarks coincide.</exception>
    public static Affine2x3 FrameToCrop(in FiveLandmarks landmarks, int size)
    {
        Span<PointF> from = stackalloc PointF[PointCount];
        Span<PointF> to = stackalloc PointF[PointCount];
        ToPoints(landmarks, from);
        Points(size, to);
        for (var i = 0; i < PointCount; i++)
        {
            to[i] = new PointF(to[i].X + 0.5f, to[i].Y + 0.5f);
        }

        return SimilarityTransform.Estimate(from, to);
    }

    /// <summary>
    /// The crop -> frame transform, the inverse of <see cref="FrameToCrop"/>: what
    /// <see cref="AffineWarp"/> takes to sample the frame, and the patch -> frame affine the wire
    /// carries for a patch of the same S x S crop.
    /// </summary>
    /// <param name="landmarks">Landmarks in frame pixels.</param>
    /// <param name="size">Crop side S, pixels, &gt; 0.</param>
    /// <returns>Crop -> frame.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> &lt;= 0.</exception>
    /// <exception cref="ArgumentException">A landmark is not finite, or all landmarks coincide.</exception>
    public static Affine2x3 CropToFrame(in FiveLandmarks landmarks, int size) => FrameToCrop(landmarks, size).Inverse();
}
