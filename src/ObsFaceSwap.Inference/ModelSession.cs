using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ObsFaceSwap.Inference;

/// <summary>Element type of a model tensor as stored in the model (callers always see float32).</summary>
public enum TensorPrecision
{
    /// <summary>IEEE single precision (ONNX <c>FLOAT</c>, .NET <see cref="float"/>).</summary>
    Fp32 = 0,

    /// <summary>IEEE half precision (ONNX <c>FLOAT16</c>, .NET <see cref="Half"/>).</summary>
    Fp16 = 1,
}

/// <summary>One tensor of a model: its name, bound shape, element count, element type and declared shape.</summary>
/// <param name="Name">The graph's input or output name, e.g. <c>input:0</c>.</param>
/// <param name="Shape">Dimensions the buffer is bound with; symbolic dimensions (the batch) are fixed to 1.</param>
/// <param name="Length">Number of elements, the product of <paramref name="Shape"/>.</param>
/// <param name="Precision">Element type in the model.</param>
/// <param name="Declared">Dimensions as the model declares them; -1 for a symbolic or dynamic one.</param>
public sealed record TensorSpec(string Name, IReadOnlyList<long> Shape, int Length, TensorPrecision Precision, IReadOnlyList<long> Declared)
{
    /// <summary>"name float16 [?,3,128,128]" (symbolic dimensions as ?), for error messages.</summary>
    /// <returns>The name, element type and declared shape.</returns>
    public override string ToString() =>
        $"{Name} {(Precision == TensorPrecision.Fp16 ? "float16" : "float32")} [{string.Join(",", Declared.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]";
}

/// <summary>
/// An ONNX model loaded once into an ONNX Runtime <see cref="InferenceSession"/> and run many
/// times. Every input and output is a float32 or float16 tensor with a fixed shape (symbolic
/// dimensions are taken as 1); their buffers are allocated once, bound to the session with an
/// <see cref="OrtIoBinding"/>, and reused by every <see cref="Run"/>: the caller writes inputs
/// into <see cref="Input"/> spans and reads results from <see cref="Output"/> spans, and a run
/// allocates nothing on the managed heap.
/// </summary>
/// <remarks>
/// <para>Callers always read and write float32 spans. For a float16 tensor the session keeps a
/// second, float16 buffer that ONNX Runtime reads or writes, and <see cref="Run"/> converts with
/// <see cref="Half"/> before (inputs) or after (outputs) the run; a float32 tensor is bound
/// directly, with no copy.</para>
/// <para>One caller at a time: the buffers are shared, so <see cref="Run"/> and the spans must
/// not be used from two threads at once (create one session per thread instead). The session
/// owns native memory; dispose it.</para>
/// </remarks>
public sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtIoBinding _binding;
    private readonly float[][] _inputs;
    private readonly float[][] _outputs;
    private readonly Float16[]?[] _inputHalves;
    private readonly Float16[]?[] _outputHalves;
    private readonly OrtValue[] _values;
    private bool _disposed;

    private ModelSession(
        string modelPath,
        InferenceSession session,
        ExecutionProvider provider,
        TensorSpec[] inputSpecs,
        TensorSpec[] outputSpecs)
    {
        ModelPath = modelPath;
        _session = session;
        Provider = provider;
        InputSpecs = inputSpecs;
        OutputSpecs = outputSpecs;
        _runOptions = new RunOptions();
        _binding = session.CreateIoBinding();
        _inputs = new float[inputSpecs.Length][];
        _outputs = new float[outputSpecs.Length][];
        _inputHalves = new Float16[inputSpecs.Length][];
        _outputHalves = new Float16[outputSpecs.Length][];
        _values = new OrtValue[inputSpecs.Length + outputSpecs.Length];
        for (var i = 0; i < inputSpecs.Length; i++)
        {
            _inputs[i] = new float[inputSpecs[i].Length];
            _values[i] = Bind(inputSpecs[i], _inputs[i], out _inputHalves[i]);
            _binding.BindInput(inputSpecs[i].Name, _values[i]);
        }

        for (var i = 0; i < outputSpecs.Length; i++)
        {
            _outputs[i] = new float[outputSpecs[i].Length];
            var value = Bind(outputSpecs[i], _outputs[i], out _outputHalves[i]);
            _values[inputSpecs.Length + i] = value;
            _binding.BindOutput(outputSpecs[i].Name, value);
        }
    }

    /// <summary>Path of the model file, as given to <see cref="Open(string, InferenceOptions?, ILogger?)"/>.</summary>
    public string ModelPath { get; }

    /// <summary>The execution provider that actually runs the model (never <see cref="ExecutionProvider.Auto"/>).</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>The model's inputs in graph order.</summary>
    public IReadOnlyList<TensorSpec> InputSpecs { get; }

    /// <summary>The model's outputs in graph order.</summary>
    public IReadOnlyList<TensorSpec> OutputSpecs { get; }

    /// <summary>
    /// Loads <paramref name="modelPath"/> and prepares its buffers. Expensive (tens of
    /// milliseconds to seconds): do it once per model and reuse the session.
    /// </summary>
    /// <param name="modelPath">An .onnx file whose inputs and outputs are all float32 or float16 tensors.</param>
    /// <param name="options">Provider and threads; <see cref="InferenceOptions.Default"/> when null.</param>
    /// <param name="logger">
    /// Receives one line naming the provider that runs and why: Information, or Warning when a
    /// provider asked for by name cannot run and the CPU runs the model instead.
    /// </param>
    /// <returns>The ready session.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">
    /// ONNX Runtime cannot load the file (corrupt, truncated, unsupported), even on the CPU, or a
    /// tensor is neither float32 nor float16. The message names the file. (A provider that cannot
    /// run is not an error: the CPU runs the model.)
    /// </exception>
    public static ModelSession Open(string modelPath, InferenceOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        options ??= InferenceOptions.Default;
        options.Validate();
        return Open(modelPath, options, logger ?? NullLogger.Instance, environment: null);
    }

    /// <summary><see cref="Open(string, InferenceOptions?, ILogger?)"/> on a given provider environment (tests).</summary>
    internal static ModelSession Open(string modelPath, InferenceOptions options, ILogger logger, OrtProviderEnvironment? environment) =>
        Open(modelPath, options, logger, static session => session, environment);

    /// <summary>
    /// Opens <paramref name="modelPath"/> (options already validated) and hands the session to
    /// <paramref name="build"/>, which checks the model's contract and wraps the session. If
    /// <paramref name="build"/> throws, the session is disposed and the provider line is not logged.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">ONNX Runtime cannot load the file, a tensor is neither float32 nor float16, or <paramref name="build"/> refuses it.</exception>
    internal static T Open<T>(string modelPath, InferenceOptions options, ILogger logger, Func<ModelSession, T> build, OrtProviderEnvironment? environment = null) =>
        SessionLoader.Open(
            modelPath,
            options,
            logger,
            (session, provider) =>
            {
                var model = new ModelSession(
                    modelPath,
                    session,
                    provider,
                    Specs(modelPath, session.InputNames, session.InputMetadata),
                    Specs(modelPath, session.OutputNames, session.OutputMetadata));
                try
                {
                    return build(model);
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
            },
            environment);

    /// <summary>The pre-allocated float32 buffer of input <paramref name="index"/> (graph order), row-major, length <see cref="TensorSpec.Length"/>.</summary>
    /// <param name="index">0 .. InputSpecs.Count - 1.</param>
    /// <returns>The buffer the next <see cref="Run"/> reads (converted to float16 first for a float16 input).</returns>
    public Span<float> Input(int index) => _inputs[index];

    /// <summary>The pre-allocated float32 buffer of output <paramref name="index"/> (graph order), row-major; valid after <see cref="Run"/>.</summary>
    /// <param name="index">0 .. OutputSpecs.Count - 1.</param>
    /// <returns>The buffer the last <see cref="Run"/> wrote (converted from float16 for a float16 output).</returns>
    public ReadOnlySpan<float> Output(int index) => _outputs[index];

    /// <summary>Index of the input named <paramref name="name"/>, or -1.</summary>
    /// <param name="name">Graph input name.</param>
    /// <returns>The index for <see cref="Input"/>.</returns>
    public int InputIndex(string name) => IndexOf(InputSpecs, name);

    /// <summary>Index of the output named <paramref name="name"/>, or -1.</summary>
    /// <param name="name">Graph output name.</param>
    /// <returns>The index for <see cref="Output"/>.</returns>
    public int OutputIndex(string name) => IndexOf(OutputSpecs, name);

    /// <summary>
    /// Runs the model on the current input buffers, writing the output buffers; float16 inputs are
    /// converted before the run and float16 outputs after it. Allocates nothing managed.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
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

    private static OrtValue Bind(TensorSpec spec, float[] single, out Float16[]? half)
    {
        long[] shape = [.. spec.Shape];
        if (spec.Precision == TensorPrecision.Fp16)
        {
            half = new Float16[spec.Length];
            return OrtValue.CreateTensorValueFromMemory(half, shape);
        }

        half = null;
        return OrtValue.CreateTensorValueFromMemory(single, shape);
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

    private static int IndexOf(IReadOnlyList<TensorSpec> specs, string name)
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

    private static TensorSpec[] Specs(string modelPath, IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var specs = new TensorSpec[names.Count];
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
            specs[i] = new TensorSpec(names[i], shape, (int)length, precision, declared);
        }

        return specs;
    }
}
