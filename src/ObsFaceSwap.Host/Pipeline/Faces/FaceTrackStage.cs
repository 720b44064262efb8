using ObsFaceSwap.Channel;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Host.Pipeline.Faces;

/// <summary>
/// Privacy/swap mode, second stage: updates the tracker with the frame's detections (or
/// predicts between detections) and adds one <c>OFS_ITEM_FACE</c> per track: smoothed box and
/// landmarks, score, track id as <c>face_id</c>, and <c>OFS_FACE_FLAG_COASTING</c> when the face
/// was not found by the last detection (the shim keeps masking it and grows the mask). In swap
/// mode it only tracks: the swap stage reports the faces, with its own flags.
/// </summary>
internal sealed class FaceTrackStage : IFrameStage
{
    private readonly FaceFrameState _state;
    private readonly float[] _box = new float[4];
    private readonly float[] _landmarks = new float[10];

    public FaceTrackStage(FaceFrameState state) => _state = state;

    public string Name => "track";

    public void Process(in FrameContext frame, ResultBuilder result)
    {
        var seconds = frame.TimestampNs / 1e9;
        var tracks = _state.Detected
            ? _state.Tracker.Update(seconds, _state.Detections)
            : _state.Tracker.Predict(seconds);
        _state.FrameIndex++;
        _state.SetTracks(tracks);
        if (frame.Settings.Mode == PipelineMode.Swap)
        {
            return;
        }

        for (var i = 0; i < tracks.Count; i++)
        {
            var t = tracks[i];
            t.Box.CopyTo(_box);
            t.Landmarks.CopyTo(_landmarks);
            var flags = t.State == FaceTrackState.Coasting ? Wire.FaceFlagCoasting : 0u;
            result.AddFace(_box, _landmarks, t.Score, t.Id, flags);
        }
    }
}
