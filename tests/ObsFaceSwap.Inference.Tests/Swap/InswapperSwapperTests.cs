using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Inference.Tests.Swap;

/// <summary>
/// <see cref="InswapperSwapper"/> on <see cref="InswapperStandIn"/>, whose output is
/// 0.5 * target + sigmoid(source[c]) per channel c.
/// </summary>
public sealed class InswapperSwapperTests : IDisposable
{
    private readonly SwapTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void The_chosen_identitys_latent_reaches_the_model()
    {
        var path = _files.Save("inswapper.onnx", InswapperStandIn.Build());
        using var swapper = InswapperSwapper.Open(path, SwapTestFiles.Cpu);
        var emap = EmbeddingMap.Read(path);
        var alice = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), emap);
        var bob = SwapLatent.Create(SwapTestFiles.Embedding(seed: 2), emap);
        var target = SwapTestFiles.Target(128);
        var outAlice = new float[swapper.TensorLength];
        var outBob = new float[swapper.TensorLength];

        Assert.Equal(SwapFault.None, swapper.Swap(target, alice.Values, outAlice));
        Assert.Equal(SwapFault.None, swapper.Swap(target, bob.Values, outBob));

        AssertStandInOutput(target, alice, outAlice, 1e-5f);
        AssertStandInOutput(target, bob, outBob, 1e-5f);
        Assert.NotEqual(outAlice[0], outBob[0], 1e-3f);
    }

    [Fact]
    public void An_fp16_model_with_float16_inputs_and_outputs_works_through_float32_spans()
    {
        var path = _files.Save("inswapper.fp16.onnx", InswapperStandIn.Build(float16: true, emapFloat16: true));
        using var swapper = InswapperSwapper.Open(path, SwapTestFiles.Cpu);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), EmbeddingMap.Read(path));
        var target = SwapTestFiles.Target(128);
        var output = new float[swapper.TensorLength];

        Assert.Equal(TensorPrecision.Fp16, swapper.InputPrecision);
        Assert.Equal(TensorPrecision.Fp16, swapper.OutputPrecision);
        Assert.Equal(SwapFault.None, swapper.Swap(target, latent.Values, output));

        AssertStandInOutput(target, latent, output, 2e-3f);
    }

    [Fact]
    public void The_crop_size_comes_from_the_model_so_a_256_swapper_needs_no_code()
    {
        var path = _files.Save("swapper-256.onnx", InswapperStandIn.Build(cropSize: 256));
        using var swapper = InswapperSwapper.Open(path, SwapTestFiles.Cpu);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 4), EmbeddingMap.Read(path));
        var target = SwapTestFiles.Target(256);
        var output = new float[3 * 256 * 256];

        Assert.Equal(256, swapper.CropSize);
        Assert.Equal(SwapFault.None, swapper.Swap(target, latent.Values, output));
        AssertStandInOutput(target, latent, output, 1e-5f);
    }

    [Theory]
    [InlineData(InswapperFault.NaN, SwapFault.NonFinite)]
    [InlineData(InswapperFault.Flat, SwapFault.Flat)]
    public void A_faulty_output_is_reported(InswapperFault fault, SwapFault expected)
    {
        var path = _files.Save($"faulty-{fault}.onnx", InswapperStandIn.Build(fault: fault));
        using var swapper = InswapperSwapper.Open(path, SwapTestFiles.Cpu);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), EmbeddingMap.Read(path));

        Assert.Equal(expected, swapper.Swap(SwapTestFiles.Target(128), latent.Values, new float[swapper.TensorLength]));
    }

    [Fact]
    public void A_wrong_input_name_is_refused_naming_the_expected_and_actual_inputs()
    {
        var path = _files.Save("tgt.onnx", InswapperStandIn.Build(targetName: "tgt"));

        var e = Assert.Throws<ModelLoadException>(() => InswapperSwapper.Open(path, SwapTestFiles.Cpu));

        Assert.Contains("tgt.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("'target' [1,3,S,S]", e.Message, StringComparison.Ordinal);
        Assert.Contains("tgt float32 [1,3,128,128]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_latent_length_is_refused_naming_the_expected_and_actual_shapes()
    {
        var path = _files.Save("latent-256.onnx", InswapperStandIn.Build(latentLength: 256));

        var e = Assert.Throws<ModelLoadException>(() => InswapperSwapper.Open(path, SwapTestFiles.Cpu));

        Assert.Contains("'source' [1,512]", e.Message, StringComparison.Ordinal);
        Assert.Contains("source float32 [1,256]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_square_target_is_refused()
    {
        var b = new OnnxGraphBuilder()
            .Input("target", 1, 3, 128, 64)
            .Input("source", 1, 512)
            .Identity("target", "output")
            .Output("output", 1, 3, 128, 64);
        var path = _files.Save("wide.onnx", b);

        var e = Assert.Throws<ModelLoadException>(() => InswapperSwapper.Open(path, SwapTestFiles.Cpu));

        Assert.Contains("target float32 [1,3,128,64]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Swapping_allocates_nothing_once_warm_also_with_float16_conversions()
    {
        var path = _files.Save("inswapper.fp16.onnx", InswapperStandIn.Build(float16: true));
        using var swapper = InswapperSwapper.Open(path, SwapTestFiles.Cpu);
        var latent = SwapLatent.Create(SwapTestFiles.Embedding(seed: 1), EmbeddingMap.Read(path));
        var target = SwapTestFiles.Target(128);
        var output = new float[swapper.TensorLength];
        for (var i = 0; i < 200; i++)
        {
            swapper.Swap(target, latent.Values, output);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            swapper.Swap(target, latent.Values, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    internal static void AssertStandInOutput(float[] target, SwapLatent latent, float[] output, float tolerance)
    {
        var plane = target.Length / 3;
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < plane; i += 97)
            {
                var k = (c * plane) + i;
                Assert.Equal(InswapperStandIn.Expected(target[k], latent.Values[c]), output[k], tolerance);
            }
        }
    }
}
