namespace ObsFaceSwap.Vision;

/// <summary>An axis-aligned box in pixels of the frame it was found in.</summary>
/// <param name="X">Left edge, pixels.</param>
/// <param name="Y">Top edge, pixels.</param>
/// <param name="Width">Width, pixels, &gt;= 0.</param>
/// <param name="Height">Height, pixels, &gt;= 0.</param>
public readonly record struct BoxF(float X, float Y, float Width, float Height)
{
    /// <summary>Writes X, Y, Width, Height: the layout of <c>ofs_result_item.box</c> (wire.h).</summary>
    /// <param name="destination">At least 4 floats.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 4.</exception>
    public void CopyTo(Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, 4, nameof(destination));
        destination[0] = X;
        destination[1] = Y;
        destination[2] = Width;
        destination[3] = Height;
    }

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
public readonly record struct FiveLandmarks(PointF RightEye, PointF LeftEye, PointF Nose, PointF RightMouth, PointF LeftMouth)
{
    /// <summary>Writes the five points as (x, y) pairs in this order: the layout of <c>ofs_result_item.landmarks</c> (wire.h).</summary>
    /// <param name="destination">At least 10 floats.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 10.</exception>
    public void CopyTo(Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, 10, nameof(destination));
        destination[0] = RightEye.X;
        destination[1] = RightEye.Y;
        destination[2] = LeftEye.X;
        destination[3] = LeftEye.Y;
        destination[4] = Nose.X;
        destination[5] = Nose.Y;
        destination[6] = RightMouth.X;
        destination[7] = RightMouth.Y;
        destination[8] = LeftMouth.X;
        destination[9] = LeftMouth.Y;
    }
}

/// <summary>One detected face in frame pixels.</summary>
/// <param name="Box">Face box.</param>
/// <param name="Landmarks">Five landmarks.</param>
/// <param name="Score">Detector confidence, 0..1.</param>
public readonly record struct FaceDetection(BoxF Box, FiveLandmarks Landmarks, float Score);
