using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Host.Pipeline.Faces;

/// <summary>
/// What the face stages of one channel share: the tracker, and per frame whether the detector
/// ran and what it found. Used on the channel's thread only.
/// </summary>
internal sealed class FaceFrameState
{
    private readonly List<FaceDetection> _detections = new(16);
    private IReadOnlyList<FaceTrack> _tracks = [];
    private int _detectInterval = 1;

    /// <summary>The channel's tracker; recreated when <c>detect_interval</c> changes.</summary>
    public FaceTracker Tracker { get; private set; } = new(new FaceTrackerOptions());

    /// <summary>Frames seen in privacy mode since the tracker was created.</summary>
    public long FrameIndex { get; set; }

    /// <summary>True when the detector ran on the current frame.</summary>
    public bool Detected { get; private set; }

    /// <summary>The current frame's detections (valid when <see cref="Detected"/>).</summary>
    public ReadOnlySpan<FaceDetection> Detections => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_detections);

    /// <summary>The current frame's tracked faces (set by the track stage; the swap stage reads them).</summary>
    public IReadOnlyList<FaceTrack> Tracks => _tracks;

    /// <summary>Stores the track stage's output for the current frame (the tracker's list, valid until its next update).</summary>
    /// <param name="tracks">The tracks.</param>
    public void SetTracks(IReadOnlyList<FaceTrack> tracks) => _tracks = tracks;

    /// <summary>Starts a frame: applies the detect interval and clears the last frame's detections.</summary>
    public void BeginFrame(int detectInterval)
    {
        if (detectInterval != _detectInterval)
        {
            _detectInterval = detectInterval;
            Tracker = new FaceTracker(new FaceTrackerOptions { DetectInterval = detectInterval });
            FrameIndex = 0;
        }

        Detected = false;
        _detections.Clear();
        _tracks = [];
    }

    /// <summary>Stores the detector's output for the current frame.</summary>
    public void SetDetections(IReadOnlyList<FaceDetection> detections)
    {
        _detections.Clear();
        for (var i = 0; i < detections.Count; i++)
        {
            _detections.Add(detections[i]);
        }

        Detected = true;
    }
}
