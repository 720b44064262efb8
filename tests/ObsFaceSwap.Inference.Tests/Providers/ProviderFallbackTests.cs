using Microsoft.Extensions.Logging;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Inference.Tests.Detection;

namespace ObsFaceSwap.Inference.Tests.Providers;

/// <summary>
/// Provider choice on the real ONNX Runtime and the real BlazeFace model: on a machine without a
/// usable GPU provider (this project's build machines), every request ends on the CPU with one
/// log line saying why, nothing from ONNX Runtime on stderr, and a session that detects faces.
/// The tests of this class run one after another (they redirect the process's stderr).
/// </summary>
public sealed class ProviderFallbackTests
{
    private static string ModelPath => FaceFixtures.ModelPath(BlazeFaceModel.Front128);

    [Fact]
    public void Auto_without_a_usable_gpu_provider_runs_on_the_cpu_with_one_line_and_no_load_error()
    {
        var env = OrtProviderEnvironment.Current;
        var cudaUnavailable = ProviderSelection.Unavailable(ExecutionProvider.Cuda, env);
        if (cudaUnavailable is null)
        {
            return; // A machine with CUDA: Auto picks it; nothing to check here.
        }

        var logger = new TestLogger();
        BlazeFaceDetector detector;
        string stderr;
        using (var capture = new StderrCapture())
        {
            detector = BlazeFaceDetector.Open(ModelPath, BlazeFaceModel.Front128, inference: new InferenceOptions(ExecutionProvider.Auto), logger: logger);
            stderr = capture.Text();
        }

        using (detector)
        {
            Assert.Equal(ExecutionProvider.Cpu, detector.Provider);
            var line = Assert.Single(logger.Entries);
            Assert.Equal(LogLevel.Information, line.Level);
            Assert.Equal(600, line.EventId);
            Assert.Contains("CPU runs face_detection_front_128x128_barracuda.onnx (requested auto; CUDA: ", line.Message, StringComparison.Ordinal);
            Assert.Contains(cudaUnavailable, line.Message, StringComparison.Ordinal);
            AssertNothingFromOnnxRuntime(stderr);
            AssertFindsTheAstronaut(detector);
        }
    }

    [Theory]
    [InlineData(ExecutionProvider.Cuda, "CUDA")]
    [InlineData(ExecutionProvider.TensorRT, "TensorRT")]
    [InlineData(ExecutionProvider.DirectML, "DirectML")]
    [InlineData(ExecutionProvider.CoreML, "CoreML")]
    public void An_explicit_provider_that_cannot_run_falls_back_to_the_cpu_with_one_warning(ExecutionProvider requested, string name)
    {
        var why = ProviderSelection.Unavailable(requested, OrtProviderEnvironment.Current);
        if (why is null)
        {
            return; // The provider can run on this machine.
        }

        var logger = new TestLogger();
        BlazeFaceDetector detector;
        string stderr;
        using (var capture = new StderrCapture())
        {
            detector = BlazeFaceDetector.Open(ModelPath, BlazeFaceModel.Front128, inference: new InferenceOptions(requested), logger: logger);
            stderr = capture.Text();
        }

        using (detector)
        {
            Assert.Equal(ExecutionProvider.Cpu, detector.Provider);
            var line = Assert.Single(logger.Entries);
            Assert.Equal(LogLevel.Warning, line.Level);
            Assert.Equal(601, line.EventId);
            Assert.Contains($"requested {name}, running CPU for face_detection_front_128x128_barracuda.onnx, because {why}", line.Message, StringComparison.Ordinal);
            AssertNothingFromOnnxRuntime(stderr);
            AssertFindsTheAstronaut(detector);
        }
    }

    [Fact]
    public void Cpu_is_logged_as_requested()
    {
        var logger = new TestLogger();
        using var session = ModelSession.Open(ModelPath, new InferenceOptions(ExecutionProvider.Cpu, IntraOpThreads: 1), logger);
        Assert.Equal(ExecutionProvider.Cpu, session.Provider);
        var line = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("CPU runs face_detection_front_128x128_barracuda.onnx (requested CPU; no other provider tried)", line.Message, StringComparison.Ordinal);
        session.Run();
        Assert.Equal(4, session.OutputSpecs.Count);
        for (var i = 0; i < session.OutputSpecs.Count; i++)
        {
            Assert.All(session.Output(i).ToArray(), v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void A_provider_that_fails_to_load_leaves_the_cpu_running_and_says_why()
    {
        // An environment that claims a CUDA provider library where there is only an empty file:
        // ONNX Runtime is asked to add CUDA, cannot load it, and the CPU runs the model.
        var dir = Directory.CreateTempSubdirectory("ofs-ort-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "libonnxruntime_providers_cuda.so"), []);
            var env = new OrtProviderEnvironment(["CUDAExecutionProvider", "CPUExecutionProvider"], dir, OrtOs.Linux);
            var logger = new TestLogger();
            ModelSession session;
            using (new StderrCapture())
            {
                session = ModelSession.Open(ModelPath, new InferenceOptions(ExecutionProvider.Cuda), logger, env);
            }

            using (session)
            {
                Assert.Equal(ExecutionProvider.Cpu, session.Provider);
                var line = Assert.Single(logger.Entries);
                Assert.Equal(LogLevel.Warning, line.Level);
                Assert.Contains("requested CUDA, running CPU", line.Message, StringComparison.Ordinal);
                Assert.Contains("because it did not load: ", line.Message, StringComparison.Ordinal);
                session.Run();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Other test classes may run meanwhile (their child processes share fd 2), so only ONNX
    // Runtime's own lines count: they name onnxruntime, and a provider load error names CUDA.
    private static void AssertNothingFromOnnxRuntime(string stderr)
    {
        Assert.DoesNotContain("onnxruntime", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cuda", stderr, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertFindsTheAstronaut(BlazeFaceDetector detector)
    {
        var face = Assert.Single(detector.Detect(FaceFixtures.LoadBgra("astronaut.png"), 512, 512, 512 * 4));
        Assert.True(face.Score > 0.8f, $"score {face.Score}");
    }
}
