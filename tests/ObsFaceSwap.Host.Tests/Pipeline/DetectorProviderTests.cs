using Microsoft.Extensions.Logging;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Host.Pipeline.Faces;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Host.Tests.Pipeline;

/// <summary>
/// The privacy pipeline opens its detector (one ONNX Runtime session) for the channel's
/// <c>execution_provider</c> once, reuses it for every frame, and opens a new one once when the
/// setting changes.
/// </summary>
public sealed class DetectorProviderTests
{
    private const int Side = 64;

    [Fact]
    public void One_detector_per_provider_choice_opened_once_and_reused()
    {
        var opened = new List<(ExecutionProvider Provider, CountingDetector Detector)>();
        var pipeline = FramePipeline.Create(provider =>
        {
            var detector = new CountingDetector();
            opened.Add((provider, detector));
            return detector;
        });
        var frame = new byte[Side * Side * 4];

        void Run(ExecutionProvider provider, int frames)
        {
            var settings = new PipelineSettings(PipelineMode.Privacy, DetectInterval: 1, Provider: provider);
            for (var i = 0; i < frames; i++)
            {
                pipeline.Run(new FrameContext(1, 0, PixelFormat.Bgra, Side, Side, frame, Side * 4, default, 0, settings), new ResultBuilder(1 << 16), PipelineMode.Privacy);
            }
        }

        Run(ExecutionProvider.Auto, 5);
        Assert.Equal([ExecutionProvider.Auto], opened.Select(o => o.Provider));
        Assert.Equal(5, opened[0].Detector.Calls);

        Run(ExecutionProvider.Cuda, 3);
        Assert.Equal([ExecutionProvider.Auto, ExecutionProvider.Cuda], opened.Select(o => o.Provider));
        Assert.True(opened[0].Detector.Disposed, "the previous provider's detector is disposed");
        Assert.Equal(3, opened[1].Detector.Calls);

        Run(ExecutionProvider.Cuda, 2);
        Assert.Equal(2, opened.Count);
        Assert.Equal(5, opened[1].Detector.Calls);

        pipeline.DisposeStages();
        Assert.True(opened[1].Detector.Disposed);
    }

    [Fact]
    public void A_failed_creation_is_kept_for_its_provider_and_retried_once_for_another()
    {
        var attempts = new List<ExecutionProvider>();
        var pipeline = FramePipeline.Create(provider =>
        {
            attempts.Add(provider);
            return provider == ExecutionProvider.TensorRT ? throw new ModelLoadException("x.onnx", "broken") : new CountingDetector();
        });
        var frame = new byte[Side * Side * 4];
        void Run(ExecutionProvider provider) => pipeline.Run(
            new FrameContext(1, 0, PixelFormat.Bgra, Side, Side, frame, Side * 4, default, 0, new PipelineSettings(PipelineMode.Privacy, Provider: provider)),
            new ResultBuilder(1 << 16),
            PipelineMode.Privacy);

        Assert.Throws<ModelLoadException>(() => Run(ExecutionProvider.TensorRT));
        Assert.Throws<ModelLoadException>(() => Run(ExecutionProvider.TensorRT));
        Assert.Equal([ExecutionProvider.TensorRT], attempts);
        Run(ExecutionProvider.Cpu);
        Run(ExecutionProvider.Cpu);
        Assert.Equal([ExecutionProvider.TensorRT, ExecutionProvider.Cpu], attempts);
        pipeline.DisposeStages();
    }

    [Fact]
    public void The_factory_opens_the_real_model_on_the_requested_provider_with_one_log_line()
    {
        var model = Path.Combine(Root(), ".deps", "models", "blazeface", "face_detection_back_256x256_barracuda.onnx");
        Assert.True(File.Exists(model), $"{model} is missing: run scripts/fetch-deps.sh");
        var logger = new LineLogger();
        var factory = new FaceDetectorFactory(() => model, logger);
        using var detector = factory.Create(ExecutionProvider.Cpu);
        Assert.Empty(detector.Detect(new byte[Side * Side * 4], Side, Side, Side * 4));
        var line = Assert.Single(logger.Lines);
        Assert.Contains("CPU runs face_detection_back_256x256_barracuda.onnx (requested CPU", line, StringComparison.Ordinal);
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "buildspec.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (buildspec.json) not found above " + AppContext.BaseDirectory);
    }

    private sealed class CountingDetector : IFaceDetector
    {
        public int Calls { get; private set; }

        public bool Disposed { get; private set; }

        public string Name => "counting";

        public IReadOnlyList<FaceDetection> Detect(ReadOnlySpan<byte> bgra, int width, int height, int stride)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            Calls++;
            return [];
        }

        public void Dispose() => Disposed = true;
    }

    private sealed class LineLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
