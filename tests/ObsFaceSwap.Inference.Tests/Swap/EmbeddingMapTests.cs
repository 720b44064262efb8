using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Inference.Tests.Swap;

/// <summary>
/// <see cref="EmbeddingMap.Read"/>: inswapper's emap, the graph's last initializer, read by
/// walking the protobuf fields of the file.
/// </summary>
public sealed class EmbeddingMapTests : IDisposable
{
    private readonly SwapTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void The_emap_read_from_the_file_equals_the_builders_matrix()
    {
        var emap = InswapperStandIn.Emap();
        var path = _files.Save("inswapper.onnx", InswapperStandIn.Build(emap));

        var read = EmbeddingMap.Read(path);

        Assert.Equal(512, read.Size);
        Assert.Equal(InswapperStandIn.EmapName, read.Name);
        Assert.Equal(emap, read.Values.ToArray());
    }

    [Fact]
    public void A_float16_emap_is_widened_to_the_same_values_rounded_to_half()
    {
        var emap = InswapperStandIn.Emap();
        var path = _files.Save("inswapper-fp16.onnx", InswapperStandIn.Build(emap, float16: true, emapFloat16: true));

        var read = EmbeddingMap.Read(path);

        Assert.Equal(emap.Select(v => (float)(Half)v), read.Values.ToArray());
    }

    [Fact]
    public void A_float_data_emap_is_read_too()
    {
        // float_data (field 4, packed) instead of raw_data: another legal encoding.
        var values = Enumerable.Range(0, 16).Select(i => i * 0.25f - 1f).ToArray();
        var tensor = new Onnx.TensorProto { Name = "emap", DataType = (int)Onnx.TensorProto.Types.DataType.Float };
        tensor.Dims.Add(4);
        tensor.Dims.Add(4);
        tensor.FloatData.AddRange(values);
        var path = _files.Save("float-data.onnx", new OnnxGraphBuilder().Input("x", 1).Identity("x", "y").Output("y", 1).Initializer(tensor));

        Assert.Equal(values, EmbeddingMap.Read(path, size: 4).Values.ToArray());
    }

    [Fact]
    public void A_graph_without_initializers_is_an_error_naming_the_file()
    {
        var path = _files.Save("no-init.onnx", new OnnxGraphBuilder().Input("x", 1).Identity("x", "y").Output("y", 1));

        var e = Assert.Throws<ModelLoadException>(() => EmbeddingMap.Read(path));

        Assert.Contains("no-init.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("no initializer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_last_initializer_that_is_not_a_512_square_float_matrix_is_named_with_its_type_and_dims()
    {
        var path = _files.Save("emap-not-last.onnx", InswapperStandIn.Build(emapLast: false));

        var e = Assert.Throws<ModelLoadException>(() => EmbeddingMap.Read(path));

        Assert.Contains("'after_emap' is int64 [2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("512x512", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_matrix_of_the_wrong_size_is_named_with_its_dims()
    {
        var path = _files.Save("emap-256.onnx", InswapperStandIn.Build(latentLength: 256));

        var e = Assert.Throws<ModelLoadException>(() => EmbeddingMap.Read(path));

        Assert.Contains("'emap' is float32 [256,256]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_protobuf_is_a_model_load_error()
    {
        var path = _files.PathOf("garbage.onnx");
        File.WriteAllBytes(path, [0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]); // field 1, length 2^32-1: runs past the end

        var e = Assert.Throws<ModelLoadException>(() => EmbeddingMap.Read(path));

        Assert.Contains("garbage.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_file_not_found()
    {
        Assert.Throws<FileNotFoundException>(() => EmbeddingMap.Read(_files.PathOf("absent.onnx")));
    }
}
