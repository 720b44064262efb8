namespace ObsFaceSwap.Vision;

/// <summary>An axis-aligned box in pixels of the frame it was found in.</summary>
/// <param name="X">Left edge, pixels.</param>
/// <param name="Y">Top edge, pixels.</param>
/// <param name="Width">Width, pixels, &gt;= 0.</param>
/// <param name="Height">Height, pixels, &gt;= 0.</param>
public readonly record struct BoxF(float X, float Y, float Width, float Height)
{
    /// <summary>Area in square pixels (0 for an empty box).</summary>
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    /// <summary>Intersection over union with <paramref name="other"/>, 0..1.</summary>
    /// <param name="other">The other box.</param>
    /// <returns>0 when the boxes do not overlap or both are empty.</returns>
    public float IoU(BoxF other)
    {
        var ix = Math.Max(0, Math.Min(X + Width, other.X + other.Width) - Math.Max(X, other.X));
        var iy = Math.Max(0, Math.Min(Y + Height, other.Y + other.Height) - Math.Max(Y, other.Y));
        var inter = ix * iy;
        var union = Area + other.Area - inter;
        return union > 0 ? inter / union : 0;
    }
}

/// <summary>A point in pixels.</summary>
/// <param name="X">Pixels from the left edge.</param>
/// <param name="Y">Pixels from the top edge.</param>
public readonly record struct PointF(float X, float Y);

/// <summary>
/// Five facial landmarks in the InsightFace/ArcFace order, pixels: right eye, left eye, nose
/// tip, right mouth corner, left mouth corner ("right" is the subject's right, which is on the
/// image's left for a frontal face). This is the order of the ArcFace alignment template
/// (../shared/reference/face-models.md) and of <c>ofs_result_item.landmarks</c> in wire.h.
/// </summary>
/// <param name="RightEye">Subject's right eye centre.</param>
/// <param name="LeftEye">Subject's left eye centre.</param>
/// <param name="Nose">Nose tip.</param>
/// <param name="RightMouth">Subject's right mouth corner.</param>
/// <param name="LeftMouth">Subject's left mouth corner.</param>
public readonly record struct FiveLandmarks(PointF RightEye, PointF LeftEye, PointF Nose, PointF RightMouth, PointF LeftMouth);

/// <summary>One detected face in frame pixels.</summary>
/// <param name="Box">Face box.</param>
/// <param name="Landmarks">Five landmarks.</param>
/// <param name="Score">Detector confidence, 0..1.</param>
public readonly record struct FaceDetection(BoxF Box, FiveLandmarks Landmarks, float Score);
