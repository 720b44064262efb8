using BenchmarkDotNet.Attributes;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Detection;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// BlazeFace face detection per frame on this machine's CPU (ONNX Runtime CPU provider, its
/// default thread count), on a real frame: the two test faces side by side (<see cref="FaceFrames"/>),
/// BGRA. Baseline (ratio 1.00): a memcpy of the same frame's bytes, measured in the same run.
/// <list type="bullet">
/// <item><see cref="Preprocess"/>: BlazeFace's own letterbox resize + normalisation into the
/// NHWC RGB [-1,1] input tensor (the internal <c>Letterbox</c>, see <see cref="LetterboxAccess"/>);</item>
/// <item><see cref="Detect"/>: <see cref="BlazeFaceDetector.Detect"/>, the public API: the same
/// preprocessing, the model run, decoding and weighted NMS, mapped back to frame pixels, with
/// ONNX Runtime's default intra-op thread count (one per core: 2 here), as the host runs it;</item>
/// <item><see cref="DetectOneThread"/>: the same with a session limited to 1 intra-op thread
/// (steadier when another process wants the second core).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class DetectionBenchmarks
{
    private byte[] _frame = [];
    private byte[] _copy = [];
    private float[] _tensor = [];
    private LetterboxFill? _fill;
    private BlazeFaceDetector? _detector;
    private BlazeFaceDetector? _detectorOneThread;
    private int _width;
    private int _height;

    /// <summary>Frame size.</summary>
    [Params("640x360", "1280x720")]
    public string Resolution { get; set; } = "640x360";

    /// <summary>BlazeFace variant: front (128x128 input) or back (256x256, the privacy pipeline's).</summary>
    [Params(BlazeFaceModel.Front128, BlazeFaceModel.Back256)]
    public BlazeFaceModel Model { get; set; } = BlazeFaceModel.Back256;

    [GlobalSetup]
    public void Setup()
    {
        (_width, _height) = FaceFrames.Parse(Resolution);
        (_frame, _copy) = FaceFrames.BuildPinned(_width, _height);
        _fill = LetterboxAccess.Create();
        _detector = BlazeFaceDetector.Open(FaceFrames.ModelPath(Model), Model, inference: new InferenceOptions(ExecutionProvider.Cpu));
        _detectorOneThread = BlazeFaceDetector.Open(FaceFrames.ModelPath(Model), Model, inference: new InferenceOptions(ExecutionProvider.Cpu, IntraOpThreads: 1));
        var size = _detector.InputSize;
        _tensor = new float[size * size * 3];
        var faces = _detector.Detect(_frame, _width, _height, _width * 4);
        Console.WriteLine($"// {_detector.Name} on {Resolution}: {faces.Count} face(s): {string.Join("; ", faces.Select(f => FormattableString.Invariant($"box {f.Box.X:F0},{f.Box.Y:F0} {f.Box.Width:F0}x{f.Box.Height:F0} score {f.Score:F2}")))}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _detector?.Dispose();
        _detectorOneThread?.Dispose();
    }

    /// <summary>Baseline: one memcpy of the frame's bytes.</summary>
    [Benchmark(Baseline = true)]
    public void Memcpy() => _frame.AsSpan().CopyTo(_copy);

    /// <summary>Letterbox resize + normalise into the model's input tensor (no model run).</summary>
    [Benchmark]
    public void Preprocess() => _fill!(_frame, _width, _height, _width * 4, _detector!.InputSize, _tensor);

    /// <summary>Full detection through the public API.</summary>
    [Benchmark]
    public int Detect() => _detector!.Detect(_frame, _width, _height, _width * 4).Count;

    /// <summary>Full detection, ONNX Runtime limited to 1 intra-op thread.</summary>
    [Benchmark]
    public int DetectOneThread() => _detectorOneThread!.Detect(_frame, _width, _height, _width * 4).Count;
}
