using ObsFaceSwap.Channel;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Vision.Tracking;
using ObsFaceSwap.Vision.Alignment;

namespace ObsFaceSwap.Host.Pipeline.Faces;

/// <summary>
/// Swap mode, third stage (after detect and track): maps the tracked faces to identities and
/// swaps them (<see cref="SwapEngine"/>), and reports every face as an <c>OFS_ITEM_FACE</c>
/// (flags: <c>OFS_FACE_FLAG_COASTING</c>, and <c>OFS_FACE_FLAG_UNSWAPPED</c> when the mapping
/// says to swap it but there is no swap, so the shim masks it) plus one <c>OFS_ITEM_PATCH</c>
/// per swapped face: S x S BGRA with the feathered mask as alpha and its patch -> frame affine.
/// The engine is created on the first swap frame of the channel and reconfigured (cheaply
/// when nothing changed) from each frame's settings.
/// </summary>
internal sealed class FaceSwapStage : IFrameStage, IDisposable, ISwapOutput
{
    private readonly Func<SwapEngine> _factory;
    private readonly FaceFrameState _state;
    private readonly float[] _box = new float[4];
    private readonly float[] _landmarks = new float[10];
    private SwapEngine? _engine;
    private FaceTrack[] _tracks = new FaceTrack[16];
    private ResultBuilder? _result;

    public FaceSwapStage(Func<SwapEngine> factory, FaceFrameState state)
    {
        _factory = factory;
        _state = state;
    }

    public string Name => "swap";

    /// <summary>The channel's engine (null before the first swap frame).</summary>
    public SwapEngine? Engine => _engine;

    public void Process(in FrameContext frame, ResultBuilder result)
    {
        _engine ??= _factory();
        _engine.Configure(frame.Settings.SwapOrDefault);
        var tracks = _state.Tracks;
        if (_tracks.Length < tracks.Count)
        {
            _tracks = new FaceTrack[tracks.Count * 2];
        }

        for (var i = 0; i < tracks.Count; i++)
        {
            _tracks[i] = tracks[i];
        }

        var pixels = frame.Format == PixelFormat.Nv12
            ? new FramePixels(frame.Plane0, frame.Stride, frame.UvPlane, frame.UvStride, frame.Width, frame.Height)
            : new FramePixels(frame.Plane0, frame.Width, frame.Height, frame.Stride);
        _result = result;
        try
        {
            _engine.Process(pixels, _tracks.AsSpan(0, tracks.Count), this);
        }
        finally
        {
            _result = null;
        }
    }

    void ISwapOutput.Face(in FaceTrack track, bool unswapped)
    {
        track.Box.CopyTo(_box);
        track.Landmarks.CopyTo(_landmarks);
        var flags = (track.State == FaceTrackState.Coasting ? Wire.FaceFlagCoasting : 0u) | (unswapped ? Wire.FaceFlagUnswapped : 0u);
        _result!.AddFace(_box, _landmarks, track.Score, track.Id, flags);
    }

    void ISwapOutput.Patch(uint faceId, ReadOnlySpan<byte> bgra, int size, Affine2x3 patchToFrame, float opacity)
    {
        Span<float> affine = stackalloc float[6];
        patchToFrame.CopyTo(affine);
        bgra[..(size * size * 4)].CopyTo(_result!.AddPatch(size, size, affine, opacity, faceId));
    }

    public void Dispose() => _engine?.Dispose();
}
