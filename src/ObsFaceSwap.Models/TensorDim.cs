using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ObsFaceSwap.Models;

/// <summary>
/// One dimension of a tensor shape in the manifest: a fixed size (1 or more), -1 for "any size",
/// or a symbolic name such as <c>"N"</c> or <c>"height"</c> (also any size). In JSON a number or a string.
/// </summary>
[JsonConverter(typeof(TensorDimJsonConverter))]
public readonly record struct TensorDim
{
    /// <summary>A fixed size.</summary>
    public static TensorDim Fixed(long size) => new(size, null);

    /// <summary>An unnamed dynamic dimension (-1).</summary>
    public static TensorDim Dynamic => new(-1, null);

    /// <summary>A named dynamic dimension.</summary>
    public static TensorDim Symbolic(string name) => new(-1, name);

    private TensorDim(long value, string? symbol)
    {
        Value = value;
        Symbol = symbol;
    }

    /// <summary>The size, or -1 when dynamic.</summary>
    public long Value { get; }

    /// <summary>The symbolic name, or null.</summary>
    public string? Symbol { get; }

    /// <summary>True when the dimension has one fixed size.</summary>
    public bool IsFixed => Symbol is null && Value >= 0;

    /// <summary>True when the dimension is valid in a manifest: a size of 1 or more, -1, or a non-empty name.</summary>
    public bool IsWellFormed => Symbol is null ? Value == -1 || Value > 0 : Symbol.Length > 0;

    /// <summary>True when a model's actual dimension (-1 when dynamic) is compatible with this one.</summary>
    public bool Accepts(long actual) => !IsFixed || actual < 0 || actual == Value;

    /// <inheritdoc />
    public override string ToString() => Symbol ?? Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a shape as <c>[1,3,height,width]</c>.</summary>
    public static string Format(IEnumerable<TensorDim> shape) => "[" + string.Join(",", shape) + "]";

    /// <summary>Formats an actual shape (-1 for dynamic) as <c>[1,3,-1,-1]</c>.</summary>
    public static string Format(IEnumerable<long> shape) => "[" + string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}

/// <summary>Reads a <see cref="TensorDim"/> from a JSON number or string.</summary>
public sealed class TensorDimJsonConverter : JsonConverter<TensorDim>
{
    /// <inheritdoc />
    public override TensorDim Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var v) => v == -1 ? TensorDim.Dynamic : TensorDim.Fixed(v),
            JsonTokenType.String => TensorDim.Symbolic(reader.GetString() ?? string.Empty),
            _ => throw new JsonException("a shape dimension must be an integer (-1 for dynamic) or a symbolic name"),
        };
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TensorDim value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Symbol is not null)
        {
            writer.WriteStringValue(value.Symbol);
        }
        else
        {
            writer.WriteNumberValue(value.Value);
        }
    }
}
