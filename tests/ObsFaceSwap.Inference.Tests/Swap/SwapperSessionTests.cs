using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Inference.Tests.Swap;

/// <summary>
/// <see cref="SwapperSession"/>: the fall back from a faulty fp16 model to the fp32 one, and the
/// status when there is none.
/// </summary>
public sealed class SwapperSessionTests : IDisposable
{
    private const int FellBack = 610;
    private const int NoFallback = 611;

    private readonly SwapTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_working_fp16_model_swaps_without_fallback_or_fault_lines()
    {
        var fp16 = _files.Save("inswapper_128.fp16.onnx", InswapperStandIn.Build(float16: true));
        var fp32 = _files.Save("inswapper_128.onnx", InswapperStandIn.Build());
        var logger = new TestLogger();
        using var session = SwapperSession.Open(fp16, fp32, SwapTestFiles.Cpu, logger);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), EmbeddingMap.Read(fp16));
        var target = SwapTestFiles.Target(128);
        var output = new float[session.TensorLength];

        Assert.Equal(SwapResult.Swapped, session.Swap(target, latent, output));

        Assert.False(session.UsingFallback);
        Assert.Equal(fp16, session.ModelPath);
        InswapperSwapperTests.AssertStandInOutput(target, latent, output, 2e-3f);
        Assert.DoesNotContain(logger.Entries, e => e.EventId is FellBack or NoFallback);
    }

    [Theory]
    [InlineData(InswapperFault.NaN, "NonFinite")]
    [InlineData(InswapperFault.Flat, "Flat")]
    public void A_faulty_fp16_model_falls_back_to_fp32_with_exactly_one_log_line(InswapperFault fault, string faultName)
    {
        var fp16 = _files.Save("inswapper_128.fp16.onnx", InswapperStandIn.Build(float16: true, fault: fault));
        var fp32 = _files.Save("inswapper_128.onnx", InswapperStandIn.Build());
        var logger = new TestLogger();
        using var session = SwapperSession.Open(fp16, fp32, SwapTestFiles.Cpu, logger);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), EmbeddingMap.Read(fp16));
        var target = SwapTestFiles.Target(128);
        var output = new float[session.TensorLength];

        // The faulty frame itself is swapped again on the fp32 model, and so are the next ones.
        for (var frame = 0; frame < 3; frame++)
        {
            Assert.Equal(SwapResult.Swapped, session.Swap(target, latent, output));
            InswapperSwapperTests.AssertStandInOutput(target, latent, output, 1e-5f);
        }

        Assert.True(session.UsingFallback);
        Assert.Equal(fp32, session.ModelPath);
        Assert.Equal(SwapFault.None, session.LastFault);
        var line = Assert.Single(logger.Entries, e => e.EventId is FellBack or NoFallback);
        Assert.Equal(FellBack, line.EventId);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, line.Level);
        Assert.Contains("inswapper_128.fp16.onnx", line.Message, StringComparison.Ordinal);
        Assert.Contains(faultName, line.Message, StringComparison.Ordinal);
        Assert.Contains("falling back to inswapper_128.onnx", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_faulty_fp16_model_without_fp32_reports_faulted_and_logs_once()
    {
        var fp16 = _files.Save("inswapper_128.fp16.onnx", InswapperStandIn.Build(float16: true, fault: InswapperFault.NaN));
        var logger = new TestLogger();
        using var session = SwapperSession.Open(fp16, fallbackModelPath: null, SwapTestFiles.Cpu, logger);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), EmbeddingMap.Read(fp16));
        var output = new float[session.TensorLength];

        for (var frame = 0; frame < 3; frame++)
        {
            Assert.Equal(SwapResult.Faulted, session.Swap(SwapTestFiles.Target(128), latent, output));
            Assert.Equal(SwapFault.NonFinite, session.LastFault);
        }

        Assert.False(session.UsingFallback);
        var line = Assert.Single(logger.Entries, e => e.EventId is FellBack or NoFallback);
        Assert.Equal(NoFallback, line.EventId);
        Assert.Contains("inswapper_128.fp16.onnx", line.Message, StringComparison.Ordinal);
        Assert.Contains("NonFinite", line.Message, StringComparison.Ordinal);
        Assert.Contains("no fp32 model was given", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_fp32_file_is_reported_as_no_fallback_naming_the_path()
    {
        var fp16 = _files.Save("inswapper_128.fp16.onnx", InswapperStandIn.Build(float16: true, fault: InswapperFault.Flat));
        var missing = _files.PathOf("inswapper_128.onnx");
        var logger = new TestLogger();
        using var session = SwapperSession.Open(fp16, missing, SwapTestFiles.Cpu, logger);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), EmbeddingMap.Read(fp16));

        Assert.Equal(SwapResult.Faulted, session.Swap(SwapTestFiles.Target(128), latent, new float[session.TensorLength]));

        Assert.Equal(SwapFault.Flat, session.LastFault);
        var line = Assert.Single(logger.Entries, e => e.EventId is FellBack or NoFallback);
        Assert.Contains(missing, line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fallback_with_another_contract_is_not_used()
    {
        var fp16 = _files.Save("inswapper_128.fp16.onnx", InswapperStandIn.Build(float16: true, fault: InswapperFault.NaN));
        var other = _files.Save("swapper-256.onnx", InswapperStandIn.Build(cropSize: 256));
        var logger = new TestLogger();
        using var session = SwapperSession.Open(fp16, other, SwapTestFiles.Cpu, logger);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), EmbeddingMap.Read(fp16));

        Assert.Equal(SwapResult.Faulted, session.Swap(SwapTestFiles.Target(128), latent, new float[session.TensorLength]));

        Assert.False(session.UsingFallback);
        var line = Assert.Single(logger.Entries, e => e.EventId is FellBack or NoFallback);
        Assert.Contains("crop 256", line.Message, StringComparison.Ordinal);
    }
}
