using Google.Protobuf;
using Onnx;

namespace ObsFaceSwap.Testing.Onnx;

/// <summary>Makers of node attributes for <see cref="OnnxGraphBuilder.Node"/>.</summary>
public static class OnnxAttributes
{
    /// <summary>An integer attribute (e.g. <c>keepdims</c>).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value.</param>
    /// <returns>The attribute.</returns>
    public static AttributeProto Scalar(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute (e.g. <c>alpha</c>).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value.</param>
    /// <returns>The attribute.</returns>
    public static AttributeProto Scalar(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An integer list attribute (e.g. <c>axes</c>, <c>strides</c>, <c>pads</c>).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Values.</param>
    /// <returns>The attribute.</returns>
    public static AttributeProto List(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A string attribute (e.g. <c>auto_pad</c>).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value, UTF-8 encoded.</param>
    /// <returns>The attribute.</returns>
    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A tensor attribute (the <c>value</c> of a <c>Constant</c>).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">The tensor.</param>
    /// <returns>The attribute.</returns>
    public static AttributeProto Tensor(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };
}
