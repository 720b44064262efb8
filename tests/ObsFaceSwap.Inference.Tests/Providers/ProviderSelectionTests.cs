namespace ObsFaceSwap.Inference.Tests.Providers;

/// <summary>Which providers a request tries and why one cannot run, on made-up ONNX Runtime environments.</summary>
public sealed class ProviderSelectionTests : IDisposable
{
    private const string Cuda = "CUDAExecutionProvider";
    private const string TensorRt = "TensorrtExecutionProvider";
    private const string Dml = "DmlExecutionProvider";
    private const string CoreMl = "CoreMLExecutionProvider";
    private const string Cpu = "CPUExecutionProvider";

    private readonly string _dir = Directory.CreateTempSubdirectory("ofs-ort-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Auto_tries_cuda_then_the_platform_gpu_provider()
    {
        Assert.Equal([ExecutionProvider.Cuda], ProviderSelection.Candidates(ExecutionProvider.Auto, OrtOs.Linux));
        Assert.Equal([ExecutionProvider.Cuda, ExecutionProvider.DirectML], ProviderSelection.Candidates(ExecutionProvider.Auto, OrtOs.Windows));
        Assert.Equal([ExecutionProvider.Cuda, ExecutionProvider.CoreML], ProviderSelection.Candidates(ExecutionProvider.Auto, OrtOs.MacOS));
        Assert.Empty(ProviderSelection.Candidates(ExecutionProvider.Cpu, OrtOs.Windows));
        Assert.Equal([ExecutionProvider.TensorRT], ProviderSelection.Candidates(ExecutionProvider.TensorRT, OrtOs.Linux));
    }

    [Fact]
    public void A_provider_onnx_runtime_does_not_list_is_unavailable()
    {
        var env = new OrtProviderEnvironment([Cpu], _dir, OrtOs.Linux);
        Assert.Contains("no CUDA provider (it lists CPUExecutionProvider)", ProviderSelection.Unavailable(ExecutionProvider.Cuda, env), StringComparison.Ordinal);
        Assert.Contains("no TensorRT provider", ProviderSelection.Unavailable(ExecutionProvider.TensorRT, env), StringComparison.Ordinal);
        var windows = new OrtProviderEnvironment([Cpu], _dir, OrtOs.Windows);
        Assert.Contains("no DirectML provider", ProviderSelection.Unavailable(ExecutionProvider.DirectML, windows), StringComparison.Ordinal);
        var mac = new OrtProviderEnvironment([Cpu], _dir, OrtOs.MacOS);
        Assert.Contains("no CoreML provider", ProviderSelection.Unavailable(ExecutionProvider.CoreML, mac), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "libonnxruntime_providers_cuda.so")]
    [InlineData(true, "onnxruntime_providers_cuda.dll")]
    public void Cuda_needs_its_provider_library_beside_onnx_runtime(bool windows, string file)
    {
        var env = new OrtProviderEnvironment([Cuda, Cpu], _dir, windows ? OrtOs.Windows : OrtOs.Linux);
        var why = ProviderSelection.Unavailable(ExecutionProvider.Cuda, env);
        Assert.Contains(file, why, StringComparison.Ordinal);
        Assert.Contains(_dir, why, StringComparison.Ordinal);

        File.WriteAllBytes(Path.Combine(_dir, file), []);
        Assert.Null(ProviderSelection.Unavailable(ExecutionProvider.Cuda, env));
        Assert.Null(ProviderSelection.Unavailable(ExecutionProvider.Cuda, env with { Available = [Cuda, TensorRt, Cpu] }));
    }

    [Fact]
    public void TensorRT_needs_its_own_provider_library()
    {
        var env = new OrtProviderEnvironment([TensorRt, Cuda, Cpu], _dir, OrtOs.Linux);
        File.WriteAllBytes(Path.Combine(_dir, "libonnxruntime_providers_cuda.so"), []);
        Assert.Contains("libonnxruntime_providers_tensorrt.so", ProviderSelection.Unavailable(ExecutionProvider.TensorRT, env), StringComparison.Ordinal);
        File.WriteAllBytes(Path.Combine(_dir, "libonnxruntime_providers_tensorrt.so"), []);
        Assert.Null(ProviderSelection.Unavailable(ExecutionProvider.TensorRT, env));
    }

    [Fact]
    public void A_missing_onnx_runtime_folder_is_a_reason_too()
    {
        var env = new OrtProviderEnvironment([Cuda, Cpu], null, OrtOs.Linux);
        Assert.Contains("folder was not found", ProviderSelection.Unavailable(ExecutionProvider.Cuda, env), StringComparison.Ordinal);
    }

    [Fact]
    public void DirectML_and_CoreML_run_only_on_their_systems()
    {
        var all = new[] { Cuda, TensorRt, Dml, CoreMl, Cpu };
        Assert.Equal("DirectML runs only on Windows", ProviderSelection.Unavailable(ExecutionProvider.DirectML, new(all, _dir, OrtOs.Linux)));
        Assert.Equal("CoreML runs only on macOS", ProviderSelection.Unavailable(ExecutionProvider.CoreML, new(all, _dir, OrtOs.Windows)));
        Assert.Null(ProviderSelection.Unavailable(ExecutionProvider.DirectML, new(all, _dir, OrtOs.Windows)));
        Assert.Null(ProviderSelection.Unavailable(ExecutionProvider.CoreML, new(all, _dir, OrtOs.MacOS)));
    }

    [Fact]
    public void This_process_finds_the_onnx_runtime_library_it_loaded()
    {
        var env = OrtProviderEnvironment.Current;
        Assert.Contains(Cpu, env.Available);
        Assert.NotNull(env.CoreLibraryDirectory);
        Assert.True(
            Directory.EnumerateFiles(env.CoreLibraryDirectory!, env.Os == OrtOs.Windows ? "onnxruntime.dll" : "libonnxruntime*").Any(),
            $"no ONNX Runtime library in {env.CoreLibraryDirectory}");
    }
}
