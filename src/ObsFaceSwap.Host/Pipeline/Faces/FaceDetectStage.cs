using System.Runtime.ExceptionServices;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Host.Pipeline.Faces;

/// <summary>
/// Privacy/swap mode, first stage: runs the face detector on the frames the tracker asks for
/// (every <c>detect_interval</c> frames, and every frame while a face is lost) and stores the
/// detections for <see cref="FaceTrackStage"/>. NV12 frames are converted to BGRA first
/// (BT.709 limited range, into a buffer that is reallocated only when the size grows).
/// </summary>
/// <remarks>
/// The detector (one ONNX Runtime session) is created on the first frame that needs it, for the
/// execution provider of the frame's settings, and reused; when the provider setting changes,
/// the old detector is disposed and a new one opened once, on the next frame that needs it. If
/// creation fails (model missing, corrupt, of the wrong shape) the exception is kept and
/// rethrown for every frame, so each result carries <c>OFS_RESULT_STAGE_FAILED</c> and the shim
/// keeps failing closed; creation is not retried until the channel is reopened or the provider
/// setting changes.
/// </remarks>
internal sealed class FaceDetectStage : IFrameStage, IDisposable
{
    private readonly Func<ExecutionProvider, IFaceDetector> _factory;
    private readonly FaceFrameState _state;
    private IFaceDetector? _detector;
    private ExecutionProvider _provider;
    private ExceptionDispatchInfo? _creationFailure;
    private byte[] _bgra = [];

    /// <param name="factory">Opens a detector for the requested execution provider.</param>
    /// <param name="state">Shared with the tracking stage.</param>
    public FaceDetectStage(Func<ExecutionProvider, IFaceDetector> factory, FaceFrameState state)
    {
        _factory = factory;
        _state = state;
    }

    public string Name => "detect";

    public void Process(in FrameContext frame, ResultBuilder result)
    {
        _state.BeginFrame(frame.Settings.DetectInterval);
        if (!_state.Tracker.ShouldDetect(_state.FrameIndex))
        {
            return;
        }

        var detector = Detector(frame.Settings.Provider);
        if (frame.Format == PixelFormat.Bgra)
        {
            _state.SetDetections(detector.Detect(frame.Plane0, frame.Width, frame.Height, frame.Stride));
            return;
        }

        var stride = frame.Width * 4;
        var needed = stride * frame.Height;
        if (_bgra.Length < needed)
        {
            _bgra = GC.AllocateUninitializedArray<byte>(needed);
        }

        for (var y = 0; y < frame.Height; y++)
        {
            PixelKernels.Nv12ToBgra(
                frame.Plane0.Slice(y * frame.Stride, frame.Width),
                frame.UvPlane.Slice(y / 2 * frame.UvStride, frame.Width),
                _bgra.AsSpan(y * stride, stride));
        }

        _state.SetDetections(detector.Detect(_bgra.AsSpan(0, needed), frame.Width, frame.Height, stride));
    }

    public void Dispose() => _detector?.Dispose();

    private IFaceDetector Detector(ExecutionProvider provider)
    {
        if ((_detector is not null || _creationFailure is not null) && provider != _provider)
        {
            _detector?.Dispose();
            _detector = null;
            _creationFailure = null;
        }

        _creationFailure?.Throw();
        if (_detector is null)
        {
            _provider = provider;
            try
            {
                _detector = _factory(provider);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _creationFailure = ExceptionDispatchInfo.Capture(e);
                throw;
            }
        }

        return _detector;
    }
}
