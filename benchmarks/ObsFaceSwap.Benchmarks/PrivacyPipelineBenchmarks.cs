using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// The host's work per frame in privacy mode, rebuilt from the public pieces that the host's
/// (internal) privacy pipeline runs for a BGRA frame with the default <c>detect_interval</c> 1
/// (FaceDetectStage then FaceTrackStage in src/ObsFaceSwap.Host/Pipeline/Faces/):
/// BlazeFace back-256 detection, the detections copied out, <see cref="FaceTracker.Update"/>,
/// and one face item per track built into a <see cref="ResultBuilder"/>. Not included: taking
/// the frame from the channel and publishing the result (see ChannelRoundTripBenchmarks).
/// Baseline (ratio 1.00): a memcpy of the frame's bytes; <see cref="Detect"/> alone and
/// <see cref="Track"/> alone (the tracker and the face items on the frame's detections, kept
/// from the setup) are measured in the same run for each part's share.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PrivacyPipelineBenchmarks
{
    private readonly List<FaceDetection> _detections = new(16);
    private readonly float[] _box = new float[4];
    private readonly float[] _landmarks = new float[10];
    private byte[] _frame = [];
    private byte[] _copy = [];
    private BlazeFaceDetector? _detector;
    private FaceTracker? _tracker;
    private ResultBuilder? _result;
    private FaceDetection[] _frameDetections = [];
    private long _frameIndex;
    private int _width;
    private int _height;

    /// <summary>Frame size.</summary>
    [Params("640x360", "1280x720")]
    public string Resolution { get; set; } = "640x360";

    [GlobalSetup]
    public void Setup()
    {
        (_width, _height) = FaceFrames.Parse(Resolution);
        (_frame, _copy) = FaceFrames.BuildPinned(_width, _height);
        _detector = BlazeFaceDetector.Open(FaceFrames.ModelPath(BlazeFaceModel.Back256), BlazeFaceModel.Back256, inference: new InferenceOptions(ExecutionProvider.Cpu));
        _tracker = new FaceTracker(new FaceTrackerOptions());
        _result = new ResultBuilder(64 * 1024);
        var items = DetectTrack();
        _frameDetections = [.. _detections];
        Console.WriteLine($"// privacy pipeline on {Resolution}: {items} face item(s) per frame");
    }

    [GlobalCleanup]
    public void Cleanup() => _detector?.Dispose();

    /// <summary>Baseline: one memcpy of the frame's bytes.</summary>
    [Benchmark(Baseline = true)]
    public void Memcpy() => _frame.AsSpan().CopyTo(_copy);

    /// <summary>BlazeFace back-256 detection alone.</summary>
    [Benchmark]
    public int Detect() => _detector!.Detect(_frame, _width, _height, _width * 4).Count;

    /// <summary>Detect + track + face items: the privacy pipeline's two stages.</summary>
    [Benchmark]
    public int DetectTrack()
    {
        var tracker = _tracker!;
        var result = _result!;
        result.Reset();

        // FaceDetectStage (BGRA frame): detect when the tracker asks (every frame at interval 1).
        _detections.Clear();
        var detected = tracker.ShouldDetect(_frameIndex);
        if (detected)
        {
            var faces = _detector!.Detect(_frame, _width, _height, _width * 4);
            for (var i = 0; i < faces.Count; i++)
            {
                _detections.Add(faces[i]);
            }
        }

        return TrackAndBuild(detected);
    }

    /// <summary>The tracking stage alone: tracker update and face items on the frame's detections (no detection).</summary>
    [Benchmark]
    public int Track()
    {
        _result!.Reset();
        _detections.Clear();
        _detections.AddRange(_frameDetections);
        return TrackAndBuild(detected: true);
    }

    // FaceTrackStage: update or predict at 30 fps timestamps, then one face item per track.
    private int TrackAndBuild(bool detected)
    {
        var tracker = _tracker!;
        var result = _result!;
        var seconds = _frameIndex / 30.0;
        var tracks = detected ? tracker.Update(seconds, CollectionsMarshal.AsSpan(_detections)) : tracker.Predict(seconds);
        _frameIndex++;
        for (var i = 0; i < tracks.Count; i++)
        {
            var t = tracks[i];
            t.Box.CopyTo(_box);
            t.Landmarks.CopyTo(_landmarks);
            result.AddFace(_box, _landmarks, t.Score, t.Id, t.State == FaceTrackState.Coasting ? Wire.FaceFlagCoasting : 0u);
        }

        return result.ItemCount;
    }
}
