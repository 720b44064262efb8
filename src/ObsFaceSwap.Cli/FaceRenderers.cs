using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Masks;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Cli;

/// <summary>What <c>process</c> does to the faces of one frame (masks them, or swaps them).</summary>
internal interface IFaceRenderer : IDisposable
{
    /// <summary>The summary's counts, e.g. "faces masked in 30".</summary>
    string Summary { get; }

    /// <summary>Changes the faces of one BGRA frame in place.</summary>
    /// <param name="frame">The frame, rows of <paramref name="stride"/> bytes.</param>
    /// <param name="width">Pixels.</param>
    /// <param name="height">Pixels.</param>
    /// <param name="stride">Bytes per row.</param>
    /// <param name="tracks">The tracker's faces (confirmed and coasting).</param>
    /// <param name="untracked">Detections no track took (more faces than the tracker holds): masked, fail closed.</param>
    void Render(Span<byte> frame, int width, int height, int stride, IReadOnlyList<FaceTrack> tracks, IReadOnlyList<FaceDetection> untracked);
}

/// <summary>Modes pixelate, blur and solid: every tracked face and every untracked detection is masked.</summary>
internal sealed class MaskRenderer(FaceMasker masker) : IFaceRenderer
{
    private long _masked;

    public string Summary => FormattableString.Invariant($"faces masked in {_masked}");

    public void Render(Span<byte> frame, int width, int height, int stride, IReadOnlyList<FaceTrack> tracks, IReadOnlyList<FaceDetection> untracked)
    {
        var any = false;
        foreach (var track in tracks)
        {
            // Confirmed and coasting tracks alike: a face the detector lost stays masked for the grace period.
            any |= !masker.Apply(frame, width, height, stride, track.Box).IsEmpty;
        }

        foreach (var d in untracked)
        {
            any |= !masker.Apply(frame, width, height, stride, d.Box).IsEmpty;
        }

        _masked += any ? 1 : 0;
    }

    public void Dispose()
    {
    }
}
