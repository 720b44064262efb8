using Google.Protobuf;

namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// inswapper's <c>emap</c>: the square matrix that maps a normalised ArcFace embedding to the
/// swap model's <c>source</c> latent (<see cref="SwapLatent"/>). The model file carries it as
/// its graph's last initializer, 512 x 512, unused by the graph itself (InsightFace's
/// <c>INSwapper.__init__</c>: <c>self.emap = numpy_helper.to_array(graph.initializer[-1])</c>).
/// </summary>
/// <remarks>
/// <see cref="Read"/> walks the file's protobuf fields and seeks over the weights, so reading the
/// 1 MiB matrix out of the 555 MB fp32 model touches little more than the matrix and the
/// message headers. Immutable; share one per model file.
/// </remarks>
public sealed class EmbeddingMap
{
    private readonly float[] _values;

    /// <summary>Wraps a row-major <paramref name="size"/> x <paramref name="size"/> matrix.</summary>
    /// <param name="values">size * size values, row-major (row i = embedding component i); copied.</param>
    /// <param name="size">Rows and columns, &gt; 0 (512 for inswapper).</param>
    /// <param name="name">The initializer's name in the model, for messages.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold size * size values, or one is not finite.</exception>
    public EmbeddingMap(ReadOnlySpan<float> values, int size, string name = "emap")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (values.Length != (long)size * size)
        {
            throw new ArgumentException($"a {size}x{size} matrix needs {(long)size * size} values, got {values.Length}", nameof(values));
        }

        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"the matrix '{name}' holds a non-finite value", nameof(values));
            }
        }

        _values = values.ToArray();
        Size = size;
        Name = name;
    }

    /// <summary>Rows and columns (512 for inswapper).</summary>
    public int Size { get; }

    /// <summary>The initializer's name in the model (<c>emap</c> in inswapper_128).</summary>
    public string Name { get; }

    /// <summary>The values, row-major: element (i, j) at <c>i * Size + j</c>.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>
    /// Reads the emap of a swap model: its graph's last initializer, which must be a float32 or
    /// float16 <paramref name="size"/> x <paramref name="size"/> matrix (float16 values are widened).
    /// </summary>
    /// <param name="modelPath">The .onnx file (inswapper_128.onnx or inswapper_128.fp16.onnx).</param>
    /// <param name="size">Expected rows and columns; <see cref="InswapperContract.LatentLength"/> by default.</param>
    /// <returns>The matrix.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">
    /// The file is not a readable ONNX model, its graph has no initializer, the last initializer
    /// is not a float32 or float16 size x size matrix (the message names its actual name, type
    /// and dims), its values are stored outside the file, or one is not finite.
    /// </exception>
    public static EmbeddingMap Read(string modelPath, int size = InswapperContract.LatentLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model not found: '{modelPath}'", modelPath);
        }

        try
        {
            var last = OnnxInitializerScanner.FindLast(modelPath)
                ?? throw new ModelLoadException(modelPath, $"its graph has no initializer; a swap model keeps its emap ({size}x{size} float) as the last one");
            var type = OnnxInitializerScanner.TypeName(last.DataType);
            var dims = $"[{string.Join(",", last.Dims)}]";
            if (last.DataType is not (OnnxInitializerScanner.Float or OnnxInitializerScanner.Float16)
                || last.Dims.Length != 2 || last.Dims[0] != size || last.Dims[1] != size)
            {
                throw new ModelLoadException(modelPath, $"its last initializer '{last.Name}' is {type} {dims}; expected the emap, a {size}x{size} float32 or float16 matrix");
            }

            if (last.External)
            {
                throw new ModelLoadException(modelPath, $"its emap '{last.Name}' is stored in an external data file, which is not supported");
            }

            var values = new float[size * size];
            OnnxInitializerScanner.ReadValues(modelPath, last, values);
            return new EmbeddingMap(values, size, last.Name);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException or EndOfStreamException or InvalidOperationException or ArgumentException)
        {
            throw new ModelLoadException(modelPath, $"cannot read its emap ({e.Message})", e);
        }
    }
}
