namespace ObsFaceSwap.Vision.Tracking;

/// <summary>
/// Settings of a <see cref="FaceTracker"/>, validated apart from it by <see cref="Validate"/>
/// (the tracker's constructor calls it).
/// </summary>
public sealed record FaceTrackerOptions
{
    /// <summary>
    /// Least intersection over union, 0 (exclusive) to 1, between a track's predicted box and a
    /// detection for them to be matched. Lower tolerates faster motion between detections.
    /// Default 0.3.
    /// </summary>
    public float IouMatchThreshold { get; init; } = 0.3f;

    /// <summary>
    /// Fallback for fast motion between detections: a track and a detection that IoU did not
    /// match are matched when the distance between the track's predicted box centre and the
    /// detection's box centre is at most this many track box sizes (mean of width and height),
    /// 0 to 10, nearest first. 0 turns the fallback off. Default 0.75 (two faces side by side
    /// are at least about 1 apart).
    /// </summary>
    public double MaxCentreDistance { get; init; } = 0.75;

    /// <summary>
    /// How long a track that no detection matches stays (as <see cref="FaceTrackState.Coasting"/>)
    /// before it ends, seconds, 0 to 60. A face that comes back within it keeps its id. Longer
    /// keeps a lost face masked longer (fail closed). Default 0.5 s.
    /// </summary>
    public double GracePeriodSeconds { get; init; } = 0.5;

    /// <summary>
    /// Run the detector on every N-th frame and predict between, frames, 1 to 1000.
    /// 1 detects on every frame. See <see cref="FaceTracker.ShouldDetect"/>. Default 1.
    /// </summary>
    public int DetectInterval { get; init; } = 1;

    /// <summary>
    /// How far past a track's last detection its box and landmarks are extrapolated at constant
    /// velocity, seconds, 0 to 10; after that they hold. 0 holds at once (no prediction).
    /// Default 0.2 s, so a lost face's mask does not run away from where it was last seen.
    /// </summary>
    public double MaxPredictionSeconds { get; init; } = 0.2;

    /// <summary>
    /// Smoothing of the box (centre and size) and the landmarks, all in pixels.
    /// Default <c>new OneEuroParameters()</c>: min cutoff 1 Hz, beta 0.02 /px, derivative
    /// cutoff 1 Hz.
    /// </summary>
    public OneEuroParameters Smoothing { get; init; } = new OneEuroParameters();

    /// <summary>Most faces tracked at once, 1 to 256. Detections beyond it start no track. Default 8.</summary>
    public int MaxFaces { get; init; } = 8;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range or not a number.</exception>
    public void Validate()
    {
        if (!(IouMatchThreshold > 0 && IouMatchThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(IouMatchThreshold), IouMatchThreshold, "must be > 0 and <= 1");
        }

        if (!(MaxCentreDistance >= 0 && MaxCentreDistance <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCentreDistance), MaxCentreDistance, "must be >= 0 and <= 10 box sizes");
        }

        if (!(GracePeriodSeconds >= 0 && GracePeriodSeconds <= 60))
        {
            throw new ArgumentOutOfRangeException(nameof(GracePeriodSeconds), GracePeriodSeconds, "must be >= 0 and <= 60 s");
        }

        if (DetectInterval is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(DetectInterval), DetectInterval, "must be 1 to 1000 frames");
        }

        if (!(MaxPredictionSeconds >= 0 && MaxPredictionSeconds <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPredictionSeconds), MaxPredictionSeconds, "must be >= 0 and <= 10 s");
        }

        if (Smoothing is null)
        {
            throw new ArgumentOutOfRangeException(nameof(Smoothing), "must not be null");
        }

        Smoothing.Validate(nameof(Smoothing) + ".");

        if (MaxFaces is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFaces), MaxFaces, "must be 1 to 256");
        }
    }
}
