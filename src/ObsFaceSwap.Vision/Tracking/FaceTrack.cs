namespace ObsFaceSwap.Vision.Tracking;

/// <summary>Whether a track's face was found by the last detection.</summary>
public enum FaceTrackState
{
    /// <summary>The last detection matched this track; between detections it is predicted.</summary>
    Confirmed = 0,

    /// <summary>
    /// The last detection missed this face; the track holds (or briefly extrapolates) its last
    /// box until the grace period ends. Later stages should fail closed, e.g. grow the mask with
    /// <see cref="FaceTrack.TimeSinceSeenSeconds"/>.
    /// </summary>
    Coasting = 1,
}

/// <summary>One tracked face at one timestamp.</summary>
/// <param name="Id">
/// Stable id, from 1, monotonic per tracker and never reused; 0 is never used (it is "none" in
/// <c>ofs_result_item.face_id</c>, wire.h).
/// </param>
/// <param name="Box">Smoothed (or predicted) face box, frame pixels.</param>
/// <param name="Landmarks">Smoothed (or predicted) five landmarks, frame pixels.</param>
/// <param name="Score">Detector confidence of the last matched detection, 0..1.</param>
/// <param name="State">Whether the last detection found this face.</param>
/// <param name="TimeSinceSeenSeconds">
/// Seconds from the last matched detection to this output, &gt;= 0; 0 on a frame where a
/// detection matched.
/// </param>
public readonly record struct FaceTrack(
    uint Id,
    BoxF Box,
    FiveLandmarks Landmarks,
    float Score,
    FaceTrackState State,
    double TimeSinceSeenSeconds);
