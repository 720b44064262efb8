using ObsFaceSwap.Inference.Tests.Swap;
using ObsFaceSwap.Testing.Onnx;
using Onnx;

namespace ObsFaceSwap.Inference.Tests;

/// <summary><see cref="ModelSession"/> on small synthetic graphs: tensor specs, float16 conversion, no managed allocation per run.</summary>
public sealed class ModelSessionTests : IDisposable
{
    private const TensorProto.Types.DataType F16 = TensorProto.Types.DataType.Float16;
    private const TensorProto.Types.DataType F32 = TensorProto.Types.DataType.Float;

    private readonly SwapTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Specs_give_the_declared_shape_the_bound_shape_and_the_precision()
    {
        using var session = Open(new OnnxGraphBuilder()
            .Input("x", F16, "N", 4)
            .Identity("x", "y")
            .Output("y", F16, "N", 4));

        var x = Assert.Single(session.InputSpecs);
        Assert.Equal(TensorPrecision.Fp16, x.Precision);
        Assert.Equal([-1L, 4L], x.Declared);
        Assert.Equal([1L, 4L], x.Shape);
        Assert.Equal(4, x.Length);
        Assert.Equal("x float16 [?,4]", x.ToString());
        Assert.Equal(0, session.OutputIndex("y"));
    }

    [Fact]
    public void Float16_tensors_are_read_and_written_through_float32_spans()
    {
        // y (float16) = Cast(Cast(a, float) + b, float16); a float16, b float32.
        using var session = Open(new OnnxGraphBuilder()
            .Input("a", F16, 1, 3)
            .Input("b", 1, 3)
            .Cast("a", "a32", F32)
            .Add("a32", "b", "sum")
            .Cast("sum", "y", F16)
            .Output("y", F16, 1, 3));
        Assert.Equal(TensorPrecision.Fp32, session.InputSpecs[1].Precision);

        new[] { 0.1f, -2.5f, 1000.3f }.CopyTo(session.Input(session.InputIndex("a")));
        new[] { 1f, 0.5f, 0f }.CopyTo(session.Input(session.InputIndex("b")));
        session.Run();

        float[] expected = [H(H(0.1f) + 1f), H(-2.5f + 0.5f), H(H(1000.3f))];
        Assert.Equal(expected, session.Output(0).ToArray());
    }

    [Theory]
    [InlineData(TensorProto.Types.DataType.Float)]
    [InlineData(TensorProto.Types.DataType.Float16)]
    public void Run_allocates_nothing_managed(TensorProto.Types.DataType type)
    {
        using var session = Open(new OnnxGraphBuilder().Input("x", type, 1, 64).Identity("x", "y").Output("y", type, 1, 64));
        session.Input(0).Fill(0.25f);
        session.Run();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            session.Run();
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(0.25f, session.Output(0)[63]);
    }

    [Fact]
    public void A_tensor_neither_float32_nor_float16_is_refused_naming_it()
    {
        var path = _files.Save("int64.onnx", new OnnxGraphBuilder()
            .Input("ids", TensorProto.Types.DataType.Int64, 1, 2)
            .Identity("ids", "out")
            .Output("out", TensorProto.Types.DataType.Int64, 1, 2));

        var e = Assert.Throws<ModelLoadException>(() => ModelSession.Open(path, SwapTestFiles.Cpu));

        Assert.Contains("tensor 'ids'", e.Message, StringComparison.Ordinal);
        Assert.Contains("only float32 and float16 tensors are supported", e.Message, StringComparison.Ordinal);
    }

    private static float H(float value) => (float)(Half)value;

    private ModelSession Open(OnnxGraphBuilder builder) =>
        ModelSession.Open(_files.Save(Guid.NewGuid().ToString("N") + ".onnx", builder), SwapTestFiles.Cpu);
}
