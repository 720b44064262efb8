namespace ObsFaceSwap.Inference.Scrfd;

/// <summary>How SCRFD detections are filtered and merged.</summary>
/// <param name="ScoreThreshold">Minimum score, 0..1 (a score equal to it passes); 0.5, InsightFace's default.</param>
/// <param name="IouThreshold">Overlap (IoU, 0..1) above which the lower-scored of two boxes is dropped; 0.4, InsightFace's.</param>
/// <param name="MaxFaces">Most faces returned per frame, best first, 1..64.</param>
/// <param name="InputSize">Side of the square model input, pixels, a multiple of 32 in 32..2048; 640 by default.</param>
public sealed record ScrfdOptions(
    float ScoreThreshold = 0.5f,
    float IouThreshold = 0.4f,
    int MaxFaces = 16,
    int InputSize = ScrfdContract.DefaultInputSize)
{
    /// <summary>The defaults.</summary>
    public static ScrfdOptions Default { get; } = new();

    /// <summary>Throws when a field is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold outside 0..1, MaxFaces outside 1..64, or a bad input size.</exception>
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

        if (InputSize is < 32 or > 2048 || InputSize % 32 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, "must be a multiple of 32 within 32..2048");
        }
    }
}
