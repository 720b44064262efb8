using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Media;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Testing.Onnx;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// The host's work per frame in swap mode with the synthetic inswapper and ArcFace stand-ins
/// (the real models cannot be fetched here; the stand-ins have the real input and output
/// shapes but almost no compute, so this measures everything around model inference):
/// BlazeFace back-256 detection, tracking, and <see cref="SwapEngine.Process"/> (template
/// alignment, the warp into the 128 tensor, the model run, the patch with its feathered mask,
/// colour correction at the default 50 %) for every face, with the patch copied out as the
/// host copies it into the result. Baseline (ratio 1.00): a memcpy of the frame's bytes.
/// <see cref="Swap"/> alone (on the tracks of the setup frame) is measured in the same run.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SwapPipelineBenchmarks : ISwapOutput
{
    private readonly List<FaceDetection> _detections = new(16);
    private readonly byte[] _patchCopy = new byte[128 * 128 * 4];
    private byte[] _frame = [];
    private byte[] _copy = [];
    private string _folder = string.Empty;
    private BlazeFaceDetector? _detector;
    private FaceTracker? _tracker;
    private SwapEngine? _engine;
    private FaceTrack[] _tracks = [];
    private long _frameIndex;
    private int _width;
    private int _height;
    private int _patches;

    /// <summary>Frame size.</summary>
    [Params("640x360", "1280x720")]
    public string Resolution { get; set; } = "640x360";

    [GlobalSetup]
    public void Setup()
    {
        (_width, _height) = FaceFrames.Parse(Resolution);
        (_frame, _copy) = FaceFrames.BuildPinned(_width, _height);
        _folder = Directory.CreateTempSubdirectory("ofs-swap-bench-").FullName;
        var identities = Directory.CreateDirectory(Path.Combine(_folder, "identities")).FullName;
        File.Copy(Path.Combine(FaceFrames.RepoRoot, "tests", "fixtures", "faces", "grace_hopper.jpg"), Path.Combine(identities, "grace.jpg"));
        var swapper = Path.Combine(_folder, "inswapper.onnx");
        var embedder = Path.Combine(_folder, "arcface.onnx");
        InswapperStandIn.Build().Save(swapper);
        ArcFaceStandIn.Build().Save(embedder);
        var cpu = new InferenceOptions(ExecutionProvider.Cpu);
        _detector = BlazeFaceDetector.Open(FaceFrames.ModelPath(BlazeFaceModel.Back256), BlazeFaceModel.Back256, inference: cpu);
        _tracker = new FaceTracker(new FaceTrackerOptions());
        _engine = new SwapEngine(
            id => throw new InvalidOperationException(id),
            () => BlazeFaceDetector.Open(FaceFrames.ModelPath(BlazeFaceModel.Back256), BlazeFaceModel.Back256, inference: cpu),
            path => MediaTools.DecodeImageAsync(path, CancellationToken.None).GetAwaiter().GetResult());
        _engine.Configure(new SwapOptions(identities, "grace", SwapperModel: swapper, EmbedderModel: embedder, Provider: ExecutionProvider.Cpu));
        if (_engine.Problem is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        DetectTrackSwap();
        _tracks = [.. _tracker.Tracks];
        Console.WriteLine($"// swap pipeline on {Resolution}: {_tracks.Length} face(s), {_patches} patch(es) per frame");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine?.Dispose();
        _detector?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Baseline: one memcpy of the frame's bytes.</summary>
    [Benchmark(Baseline = true)]
    public void Memcpy() => _frame.AsSpan().CopyTo(_copy);

    /// <summary>Detect, track and swap every face: the swap pipeline's three stages.</summary>
    [Benchmark]
    public int DetectTrackSwap()
    {
        _detections.Clear();
        var faces = _detector!.Detect(_frame, _width, _height, _width * 4);
        for (var i = 0; i < faces.Count; i++)
        {
            _detections.Add(faces[i]);
        }

        var tracks = _tracker!.Update(_frameIndex++ / 30.0, CollectionsMarshal.AsSpan(_detections));
        if (_tracks.Length != tracks.Count)
        {
            _tracks = new FaceTrack[tracks.Count];
        }

        for (var i = 0; i < tracks.Count; i++)
        {
            _tracks[i] = tracks[i];
        }

        return Swap();
    }

    /// <summary>The swap stage alone on the setup frame's tracks.</summary>
    [Benchmark]
    public int Swap()
    {
        _patches = 0;
        _engine!.Process(new FramePixels(_frame, _width, _height, _width * 4), _tracks, this);
        return _patches;
    }

    void ISwapOutput.Face(in FaceTrack track, bool unswapped)
    {
    }

    void ISwapOutput.Patch(uint faceId, ReadOnlySpan<byte> bgra, int size, Affine2x3 patchToFrame, float opacity)
    {
        bgra[..(size * size * 4)].CopyTo(_patchCopy);
        _patches++;
    }
}
