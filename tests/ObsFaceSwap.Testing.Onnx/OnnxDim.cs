namespace ObsFaceSwap.Testing.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size or a symbolic name.</summary>
public readonly record struct OnnxDim
{
    private OnnxDim(long value, string? symbol)
    {
        Value = value;
        Symbol = symbol;
    }

    /// <summary>The fixed size; 0 when <see cref="Symbol"/> is set.</summary>
    public long Value { get; }

    /// <summary>The symbolic name (e.g. <c>batch</c>), or null for a fixed size.</summary>
    public string? Symbol { get; }

    /// <summary>A dimension of fixed size.</summary>
    /// <param name="value">Size, &gt;= 0.</param>
    /// <returns>The dimension.</returns>
    public static OnnxDim Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new OnnxDim(value, null);
    }

    /// <summary>A symbolic dimension, resolved by the runtime.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The dimension.</returns>
    public static OnnxDim Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new OnnxDim(0, name);
    }

    /// <summary>Same as <see cref="Fixed"/>.</summary>
    /// <param name="value">Size.</param>
    public static implicit operator OnnxDim(long value) => Fixed(value);

    /// <summary>Same as <see cref="Symbolic"/>.</summary>
    /// <param name="name">The parameter name.</param>
    public static implicit operator OnnxDim(string name) => Symbolic(name);

    /// <summary>Same as <see cref="Fixed"/>.</summary>
    /// <param name="value">Size.</param>
    /// <returns>The dimension.</returns>
    public static OnnxDim FromInt64(long value) => Fixed(value);

    /// <summary>Same as <see cref="Symbolic"/>.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The dimension.</returns>
    public static OnnxDim FromString(string name) => Symbolic(name);

    /// <inheritdoc/>
    public override string ToString() => Symbol ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
