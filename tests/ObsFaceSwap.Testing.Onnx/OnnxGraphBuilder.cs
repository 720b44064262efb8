using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace ObsFaceSwap.Testing.Onnx;

/// <summary>
/// Builds small ONNX models for tests (IR version 8, default opset 17, the limits ONNX Runtime
/// 1.30 and Debian's onnx checker both accept; ../shared/reference/dependencies.md): float
/// inputs and outputs with shapes, float and int64 initializers, and nodes. Nothing is checked
/// here beyond argument sanity: ONNX Runtime validates the graph when it loads it.
/// </summary>
/// <example>
/// <code>
/// var bytes = new OnnxGraphBuilder("double")
///     .Input("x", 1, 4)
///     .Initializer("two", [2f], [])
///     .Mul("x", "two", "y")
///     .Output("y", 1, 4)
///     .ToBytes();
/// </code>
/// </example>
public sealed class OnnxGraphBuilder
{
    /// <summary>The IR version written into every model.</summary>
    public const long IrVersion = 8;

    /// <summary>The default opset of the standard (empty) domain.</summary>
    public const long DefaultOpset = 17;

    private readonly GraphProto _graph;
    private readonly long _opset;
    private int _nodeCount;

    /// <summary>Starts an empty graph.</summary>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="opset">Opset of the standard domain, 7..17.</param>
    public OnnxGraphBuilder(string graphName = "synthetic", long opset = DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 7);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(opset, DefaultOpset);
        _graph = new GraphProto { Name = graphName };
        _opset = opset;
    }

    /// <summary>Adds a float graph input.</summary>
    /// <param name="name">Input name.</param>
    /// <param name="shape">Dimensions, fixed or symbolic.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Input(string name, params OnnxDim[] shape)
    {
        _graph.Input.Add(ValueInfo(name, shape));
        return this;
    }

    /// <summary>Adds a graph input of another element type (e.g. float16).</summary>
    /// <param name="name">Input name.</param>
    /// <param name="elementType">Element type.</param>
    /// <param name="shape">Dimensions, fixed or symbolic.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Input(string name, TensorProto.Types.DataType elementType, params OnnxDim[] shape)
    {
        _graph.Input.Add(ValueInfo(name, shape, elementType));
        return this;
    }

    /// <summary>Adds a graph output of another element type (e.g. float16).</summary>
    /// <param name="name">Output name.</param>
    /// <param name="elementType">Element type.</param>
    /// <param name="shape">Dimensions, fixed or symbolic.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Output(string name, TensorProto.Types.DataType elementType, params OnnxDim[] shape)
    {
        _graph.Output.Add(ValueInfo(name, shape, elementType));
        return this;
    }

    /// <summary>Adds a float graph output; some node (or an initializer) must produce <paramref name="name"/>.</summary>
    /// <param name="name">Output name.</param>
    /// <param name="shape">Dimensions, fixed or symbolic.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Output(string name, params OnnxDim[] shape)
    {
        _graph.Output.Add(ValueInfo(name, shape));
        return this;
    }

    /// <summary>Adds a float initializer (a constant weight).</summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="values">Row-major values; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions; empty for a scalar.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Initializer(string name, ReadOnlySpan<float> values, ReadOnlySpan<long> shape)
    {
        _graph.Initializer.Add(FloatTensor(name, values, shape));
        return this;
    }

    /// <summary>Adds a float16 initializer (raw little-endian IEEE half values).</summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="values">Row-major values, rounded to float16; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions; empty for a scalar.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder InitializerFloat16(string name, ReadOnlySpan<float> values, ReadOnlySpan<long> shape)
    {
        var tensor = NewTensor(name, TensorProto.Types.DataType.Float16, values.Length, shape);
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        tensor.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>Adds an initializer built elsewhere (any type or encoding).</summary>
    /// <param name="tensor">The tensor; its name is the initializer's.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Initializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary><c>output = Cast(input)</c> to <paramref name="to"/>.</summary>
    /// <param name="input">Input name.</param>
    /// <param name="output">Output name.</param>
    /// <param name="to">Target element type.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Cast(string input, string output, TensorProto.Types.DataType to) =>
        Node("Cast", [input], [output], OnnxAttributes.Scalar("to", (long)to));

    /// <summary>Adds an int64 initializer (shapes for Reshape, axes, ...).</summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="values">Row-major values; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions; empty for a scalar.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder InitializerInt64(string name, ReadOnlySpan<long> values, ReadOnlySpan<long> shape)
    {
        var tensor = NewTensor(name, TensorProto.Types.DataType.Int64, values.Length, shape);
        var bytes = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        }

        tensor.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>Adds a node of any operator of the standard domain.</summary>
    /// <param name="opType">Operator, e.g. <c>Add</c>.</param>
    /// <param name="inputs">Input names in the operator's order (empty string for a skipped optional input).</param>
    /// <param name="outputs">Output names.</param>
    /// <param name="attributes">Attributes, made with the <see cref="OnnxAttributes"/> helpers.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    /// <summary>A <c>Constant</c> node producing a float tensor.</summary>
    /// <param name="output">Output name.</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="shape">Dimensions; empty for a scalar.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Constant(string output, ReadOnlySpan<float> values, ReadOnlySpan<long> shape) =>
        Node("Constant", [], [output], OnnxAttributes.Tensor("value", FloatTensor(output + "_value", values, shape)));

    /// <summary><c>output = a + b</c> (numpy broadcasting).</summary>
    /// <param name="a">First input.</param>
    /// <param name="b">Second input.</param>
    /// <param name="output">Output name.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Add(string a, string b, string output) => Node("Add", [a, b], [output]);

    /// <summary><c>output = a * b</c> (numpy broadcasting).</summary>
    /// <param name="a">First input.</param>
    /// <param name="b">Second input.</param>
    /// <param name="output">Output name.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Mul(string a, string b, string output) => Node("Mul", [a, b], [output]);

    /// <summary><c>output = a @ b</c>.</summary>
    /// <param name="a">First input.</param>
    /// <param name="b">Second input.</param>
    /// <param name="output">Output name.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder MatMul(string a, string b, string output) => Node("MatMul", [a, b], [output]);

    /// <summary><c>output = input</c>.</summary>
    /// <param name="input">Input name.</param>
    /// <param name="output">Output name.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Identity(string input, string output) => Node("Identity", [input], [output]);

    /// <summary>Reshape <paramref name="input"/> to <paramref name="shape"/> (an int64 initializer named <c>{output}_shape</c> is added).</summary>
    /// <param name="input">Input name.</param>
    /// <param name="output">Output name.</param>
    /// <param name="shape">Target shape; -1 infers one dimension, 0 copies the input's.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Reshape(string input, string output, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var shapeName = output + "_shape";
        InitializerInt64(shapeName, shape, [shape.Length]);
        return Node("Reshape", [input, shapeName], [output]);
    }

    /// <summary>2-D convolution (NCHW), weights <paramref name="weights"/> [M, C/group, kH, kW].</summary>
    /// <param name="input">Input name.</param>
    /// <param name="weights">Weight tensor name.</param>
    /// <param name="bias">Bias tensor name [M], or null.</param>
    /// <param name="output">Output name.</param>
    /// <param name="strides">Strides (h, w); null for 1.</param>
    /// <param name="pads">Pads (top, left, bottom, right); null for none.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Conv(string input, string weights, string? bias, string output, long[]? strides = null, long[]? pads = null)
    {
        var attributes = new List<AttributeProto>();
        if (strides is not null)
        {
            attributes.Add(OnnxAttributes.List("strides", strides));
        }

        if (pads is not null)
        {
            attributes.Add(OnnxAttributes.List("pads", pads));
        }

        string[] inputs = bias is null ? [input, weights] : [input, weights, bias];
        return Node("Conv", inputs, [output], [.. attributes]);
    }

    /// <summary>The model: IR version 8, one opset import of the standard domain.</summary>
    /// <returns>A copy of the model built so far.</returns>
    public ModelProto Build()
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "ObsFaceSwap.Testing.Onnx",
            ProducerVersion = "1",
            Graph = _graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = _opset });
        return model;
    }

    /// <summary>The serialised model, as an .onnx file holds it.</summary>
    /// <returns>Protobuf bytes.</returns>
    public byte[] ToBytes() => Build().ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/>.</summary>
    /// <param name="path">File to create or overwrite.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToBytes());
    }

    /// <summary>A float <see cref="TensorProto"/> (raw little-endian data).</summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="values">Row-major values; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions; empty for a scalar.</param>
    /// <returns>The tensor.</returns>
    public static TensorProto FloatTensor(string name, ReadOnlySpan<float> values, ReadOnlySpan<long> shape)
    {
        var tensor = NewTensor(name, TensorProto.Types.DataType.Float, values.Length, shape);
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        tensor.RawData = ByteString.CopyFrom(bytes);
        return tensor;
    }

    private static TensorProto NewTensor(string name, TensorProto.Types.DataType type, int count, ReadOnlySpan<long> shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        long expected = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            expected *= d;
        }

        if (expected != count)
        {
            throw new ArgumentException($"tensor '{name}' has {count} values but its shape [{string.Join(",", shape.ToArray())}] needs {expected}", nameof(shape));
        }

        var tensor = new TensorProto { Name = name, DataType = (int)type };
        foreach (var d in shape)
        {
            tensor.Dims.Add(d);
        }

        return tensor;
    }

    private static ValueInfoProto ValueInfo(string name, OnnxDim[] shape, TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        var tensorShape = new TensorShapeProto();
        foreach (var d in shape)
        {
            tensorShape.Dim.Add(d.Symbol is null
                ? new TensorShapeProto.Types.Dimension { DimValue = d.Value }
                : new TensorShapeProto.Types.Dimension { DimParam = d.Symbol });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)elementType,
                    Shape = tensorShape,
                },
            },
        };
    }
}
