using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ObsFaceSwap.Inference.Swap;

/// <summary>Element type of a model tensor as the swap stage sees it.</summary>
public enum TensorPrecision
{
    /// <summary>IEEE single precision (ONNX <c>FLOAT</c>, .NET <see cref="float"/>).</summary>
    Fp32 = 0,

    /// <summary>IEEE half precision (ONNX <c>FLOAT16</c>, .NET <see cref="Half"/>).</summary>
    Fp16 = 1,
}

/// <summary>One tensor of a <see cref="TypedModelSession"/>.</summary>
/// <param name="Name">Graph name.</param>
/// <param name="Declared">Dimensions as the model declares them; -1 for a symbolic or dynamic one.</param>
/// <param name="Shape">The dimensions the buffer is bound with: symbolic ones fixed to 1.</param>
/// <param name="Length">Element count, the product of <paramref name="Shape"/>.</param>
/// <param name="Precision">Element type.</param>
internal sealed record TypedTensor(string Name, long[] Declared, long[] Shape, int Length, TensorPrecision Precision)
{
    /// <summary>"name float16 [1,3,128,128]" (symbolic dimensions as ?), for error messages.</summary>
    public override string ToString() =>
        $"{Name} {(Precision == TensorPrecision.Fp16 ? "float16" : "float32")} [{string.Join(",", Declared.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>
/// <see cref="ModelSession"/> for models whose tensors may be float16: opened through
/// <see cref="SessionLoader"/> (one provider log line, provider fall back, load errors as
/// <see cref="ModelLoadException"/>), every input and output bound once to a pre-allocated
/// buffer, and <see cref="Run"/> allocating nothing managed. Callers always read and write
/// float32 spans; for a float16 tensor the session keeps a second, float16 buffer that ONNX
/// Runtime reads or writes, and converts with <see cref="Half"/> before or after the run.
/// </summary>
/// <remarks>
/// Symbolic dimensions (the batch) are bound as 1. One caller at a time. (ModelSession accepts
/// float tensors only; the fp16 inswapper exports may declare float16 inputs and outputs.)
/// </remarks>
internal sealed class TypedModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtIoBinding _binding;
    private readonly float[][] _inputs;
    private readonly float[][] _outputs;
    private readonly Float16[]?[] _inputHalves;
    private readonly Float16[]?[] _outputHalves;
    private readonly List<OrtValue> _values = [];
    private bool _disposed;

    private TypedModelSession(string modelPath, InferenceSession session, ExecutionProvider provider)
    {
        ModelPath = modelPath;
        _session = session;
        Provider = provider;
        Inputs = Specs(modelPath, session.InputNames, session.InputMetadata);
        Outputs = Specs(modelPath, session.OutputNames, session.OutputMetadata);
        _runOptions = new RunOptions();
        _binding = session.CreateIoBinding();
        _inputs = new float[Inputs.Count][];
        _outputs = new float[Outputs.Count][];
        _inputHalves = new Float16[Inputs.Count][];
        _outputHalves = new Float16[Outputs.Count][];
        for (var i = 0; i < Inputs.Count; i++)
        {
            _inputs[i] = new float[Inputs[i].Length];
            _binding.BindInput(Inputs[i].Name, Bind(Inputs[i], _inputs[i], out _inputHalves[i]));
        }

        for (var i = 0; i < Outputs.Count; i++)
        {
            _outputs[i] = new float[Outputs[i].Length];
            _binding.BindOutput(Outputs[i].Name, Bind(Outputs[i], _outputs[i], out _outputHalves[i]));
        }
    }

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>The provider that runs the model.</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>Inputs in graph order.</summary>
    public IReadOnlyList<TypedTensor> Inputs { get; }

    /// <summary>Outputs in graph order.</summary>
    public IReadOnlyList<TypedTensor> Outputs { get; }

    /// <summary>
    /// Opens <paramref name="modelPath"/> through <see cref="SessionLoader"/> and hands the
    /// session to <paramref name="build"/> (which checks the contract and wraps it). If
    /// <paramref name="build"/> throws, the session is disposed and nothing is logged.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">ONNX Runtime cannot load the file, a tensor is neither float32 nor float16, or <paramref name="build"/> refuses it.</exception>
    public static T Open<T>(string modelPath, InferenceOptions options, ILogger logger, Func<TypedModelSession, T> build) =>
        SessionLoader.Open(modelPath, options, logger, (session, provider) =>
        {
            var typed = new TypedModelSession(modelPath, session, provider);
            try
            {
                return build(typed);
            }
            catch
            {
                typed.Dispose();
                throw;
            }
        });

    /// <summary>Index of the input named <paramref name="name"/>, or -1.</summary>
    public int InputIndex(string name) => IndexOf(Inputs, name);

    /// <summary>The float32 buffer of input <paramref name="index"/>, row-major; read by the next <see cref="Run"/>.</summary>
    public Span<float> Input(int index) => _inputs[index];

    /// <summary>The float32 buffer of output <paramref name="index"/>, row-major; written by <see cref="Run"/>.</summary>
    public ReadOnlySpan<float> Output(int index) => _outputs[index];

    /// <summary>Converts float16 inputs, runs, converts float16 outputs. Allocates nothing managed.</summary>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed during the run.</exception>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var i = 0; i < _inputs.Length; i++)
        {
            if (_inputHalves[i] is { } half)
            {
                ToHalf(_inputs[i], MemoryMarshal.Cast<Float16, Half>(half.AsSpan()));
            }
        }

        _session.RunWithBinding(_runOptions, _binding);
        for (var i = 0; i < _outputs.Length; i++)
        {
            if (_outputHalves[i] is { } half)
            {
                ToSingle(MemoryMarshal.Cast<Float16, Half>(half.AsSpan()), _outputs[i]);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _binding.Dispose();
        foreach (var value in _values)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    private static void ToHalf(ReadOnlySpan<float> source, Span<Half> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (Half)source[i];
        }
    }

    private static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }

    private static int IndexOf(IReadOnlyList<TypedTensor> specs, string name)
    {
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static TypedTensor[] Specs(string modelPath, IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var specs = new TypedTensor[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var meta = metadata[names[i]];
            if (!meta.IsTensor || meta.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16))
            {
                throw new ModelLoadException(modelPath, $"tensor '{names[i]}' is {meta.OnnxValueType}/{meta.ElementDataType}; only float32 and float16 tensors are supported");
            }

            var declared = new long[meta.Dimensions.Length];
            var shape = new long[declared.Length];
            long length = 1;
            for (var d = 0; d < shape.Length; d++)
            {
                declared[d] = meta.Dimensions[d] > 0 ? meta.Dimensions[d] : -1;
                shape[d] = declared[d] > 0 ? declared[d] : 1;
                length *= shape[d];
            }

            if (length > Array.MaxLength)
            {
                throw new ModelLoadException(modelPath, $"tensor '{names[i]}' has {length} elements, too many for one buffer");
            }

            var precision = meta.ElementDataType == TensorElementType.Float16 ? TensorPrecision.Fp16 : TensorPrecision.Fp32;
            specs[i] = new TypedTensor(names[i], declared, shape, (int)length, precision);
        }

        return specs;
    }

    private OrtValue Bind(TypedTensor spec, float[] single, out Float16[]? half)
    {
        OrtValue value;
        if (spec.Precision == TensorPrecision.Fp16)
        {
            half = new Float16[spec.Length];
            value = OrtValue.CreateTensorValueFromMemory(half, spec.Shape);
        }
        else
        {
            half = null;
            value = OrtValue.CreateTensorValueFromMemory(single, spec.Shape);
        }

        _values.Add(value);
        return value;
    }
}
