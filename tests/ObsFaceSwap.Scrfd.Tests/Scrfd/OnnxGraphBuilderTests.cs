using ObsFaceSwap.Inference;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Scrfd.Tests.Scrfd;

/// <summary>Models from <see cref="OnnxGraphBuilder"/> load and compute right in ONNX Runtime (through <see cref="ModelSession"/>).</summary>
public sealed class OnnxGraphBuilderTests : IDisposable
{
    private static readonly InferenceOptions Cpu = new(ExecutionProvider.Cpu, IntraOpThreads: 1);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_model_is_ir_8_opset_17()
    {
        var model = new OnnxGraphBuilder().Input("x", 1).Identity("x", "y").Output("y", 1).Build();

        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal((string.Empty, 17L), (opset.Domain, opset.Version));
    }

    [Fact]
    public void MatMul_add_mul_reshape_and_identity_compute_as_numpy_would()
    {
        // y = reshape((x @ W + b) * 2, [2, 2]); x [1,3], W [3,4].
        var builder = new OnnxGraphBuilder("affine")
            .Input("x", 1, 3)
            .Initializer("W", [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1], [3, 4])
            .Initializer("b", [0.5f, 0, 0, -1], [4])
            .Initializer("two", [2f], [])
            .MatMul("x", "W", "xw")
            .Add("xw", "b", "xwb")
            .Mul("xwb", "two", "scaled")
            .Reshape("scaled", "square", 2, 2)
            .Identity("square", "y")
            .Output("y", 2, 2);
        using var session = Open(builder);

        new[] { 1f, 2f, 3f }.CopyTo(session.Input(0));
        session.Run();

        // x @ W = [1, 2, 3, 6]; + b = [1.5, 2, 3, 5]; * 2.
        Assert.Equal([3f, 4f, 6f, 10f], session.Output(0).ToArray());
        Assert.Equal([2L, 2L], session.OutputSpecs[0].Shape);
    }

    [Fact]
    public void Constant_and_conv_compute_as_numpy_would()
    {
        // A 1x1x3x3 input, a 2x2 kernel of ones plus bias 1, stride 1, no padding: 2x2 sums + 1,
        // then + a Constant [1,1,2,2].
        var builder = new OnnxGraphBuilder("conv")
            .Input("x", 1, 1, 3, 3)
            .Initializer("k", [1f, 1f, 1f, 1f], [1, 1, 2, 2])
            .Initializer("bias", [1f], [1])
            .Conv("x", "k", "bias", "c", strides: [1, 1])
            .Constant("offset", [0f, 10f, 20f, 30f], [1, 1, 2, 2])
            .Add("c", "offset", "y")
            .Output("y", 1, 1, 2, 2);
        using var session = Open(builder);

        new[] { 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f }.CopyTo(session.Input(0));
        session.Run();

        Assert.Equal([13f, 27f, 45f, 59f], session.Output(0).ToArray());
    }

    [Fact]
    public void Bad_arguments_are_refused_before_onnx_runtime_sees_them()
    {
        var builder = new OnnxGraphBuilder();

        Assert.Throws<ArgumentException>(() => builder.Initializer("w", [1f, 2f], [3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxGraphBuilder(opset: 18));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxDim.Fixed(-1));
    }

    private ModelSession Open(OnnxGraphBuilder builder)
    {
        var path = _dir.File("model.onnx");
        builder.Save(path);
        return ModelSession.Open(path, Cpu);
    }
}
