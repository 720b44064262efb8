using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ObsFaceSwap.Inference;

/// <summary>One float tensor of a model: its name, fixed shape and element count.</summary>
/// <param name="Name">The graph's input or output name, e.g. <c>input:0</c>.</param>
/// <param name="Shape">Dimensions; symbolic dimensions (the batch) are fixed to 1.</param>
/// <param name="Length">Number of float elements, the product of <paramref name="Shape"/>.</param>
public sealed record TensorSpec(string Name, IReadOnlyList<long> Shape, int Length);

/// <summary>
/// An ONNX model loaded once into an ONNX Runtime <see cref="InferenceSession"/> and run many
/// times. Every input and output is a float tensor with a fixed shape (symbolic dimensions are
/// taken as 1); their buffers are allocated once, bound to the session with an
/// <see cref="OrtIoBinding"/>, and reused by every <see cref="Run"/>: the caller writes inputs
/// into <see cref="Input"/> spans and reads results from <see cref="Output"/> spans, and a run
/// allocates nothing on the managed heap.
/// </summary>
/// <remarks>
/// One caller at a time: the buffers are shared, so <see cref="Run"/> and the spans must not be
/// used from two threads at once (create one session per thread instead). The session owns
/// native memory; dispose it.
/// </remarks>
public sealed class ModelSession : IDisposable
{

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtIoBinding _binding;
    private readonly float[][] _inputs;
    private readonly float[][] _outputs;
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
        _values = new OrtValue[inputSpecs.Length + outputSpecs.Length];
        for (var i = 0; i < inputSpecs.Length; i++)
        {
            _inputs[i] = new float[inputSpecs[i].Length];
            _values[i] = OrtValue.CreateTensorValueFromMemory(_inputs[i], [.. inputSpecs[i].Shape]);
            _binding.BindInput(inputSpecs[i].Name, _values[i]);
        }

        for (var i = 0; i < outputSpecs.Length; i++)
        {
            _outputs[i] = new float[outputSpecs[i].Length];
            var value = OrtValue.CreateTensorValueFromMemory(_outputs[i], [.. outputSpecs[i].Shape]);
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
    /// <param name="modelPath">An .onnx file whose inputs and outputs are all float tensors.</param>
    /// <param name="options">Provider and threads; <see cref="InferenceOptions.Default"/> when null.</param>
    /// <param name="logger">
    /// Receives one line naming the provider that runs and why: Information, or Warning when a
    /// provider asked for by name cannot run and the CPU runs the model instead.
    /// </param>
    /// <returns>The ready session.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">
    /// ONNX Runtime cannot load the file (corrupt, truncated, unsupported), even on the CPU, or a
    /// tensor is not float. The message names the file. (A provider that cannot run is not an
    /// error: the CPU runs the model.)
    /// </exception>
    public static ModelSession Open(string modelPath, InferenceOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        options ??= InferenceOptions.Default;
        options.Validate();
        return Open(modelPath, options, logger ?? NullLogger.Instance, environment: null);
    }

    /// <summary><see cref="Open(string, InferenceOptions?, ILogger?)"/> on a given provider environment (tests).</summary>
    internal static ModelSession Open(string modelPath, InferenceOptions options, ILogger logger, OrtProviderEnvironment? environment)
    {
        return SessionLoader.Open(modelPath, options, logger, (session, provider) =>
            new ModelSession(
                modelPath,
                session,
                provider,
                Specs(modelPath, session.InputNames, session.InputMetadata),
                Specs(modelPath, session.OutputNames, session.OutputMetadata)),
            environment);
    }

    /// <summary>The pre-allocated buffer of input <paramref name="index"/> (graph order), row-major, length <see cref="TensorSpec.Length"/>.</summary>
    /// <param name="index">0 .. InputSpecs.Count - 1.</param>
    /// <returns>The buffer ONNX Runtime reads on the next <see cref="Run"/>.</returns>
    public Span<float> Input(int index) => _inputs[index];

    /// <summary>The pre-allocated buffer of output <paramref name="index"/> (graph order), row-major; valid after <see cref="Run"/>.</summary>
    /// <param name="index">0 .. OutputSpecs.Count - 1.</param>
    /// <returns>The buffer ONNX Runtime wrote on the last <see cref="Run"/>.</returns>
    public ReadOnlySpan<float> Output(int index) => _outputs[index];

    /// <summary>Index of the input named <paramref name="name"/>, or -1.</summary>
    /// <param name="name">Graph input name.</param>
    /// <returns>The index for <see cref="Input"/>.</returns>
    public int InputIndex(string name) => IndexOf(InputSpecs, name);

    /// <summary>Index of the output named <paramref name="name"/>, or -1.</summary>
    /// <param name="name">Graph output name.</param>
    /// <returns>The index for <see cref="Output"/>.</returns>
    public int OutputIndex(string name) => IndexOf(OutputSpecs, name);

    /// <summary>Runs the model on the current input buffers, writing the output buffers. Allocates nothing managed.</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed during the run.</exception>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _session.RunWithBinding(_runOptions, _binding);
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
            if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
            {
                throw new ModelLoadException(modelPath, $"tensor '{names[i]}' is {meta.OnnxValueType}/{meta.ElementDataType}; only float tensors are supported");
            }

            var shape = new long[meta.Dimensions.Length];
            long length = 1;
            for (var d = 0; d < shape.Length; d++)
            {
                shape[d] = meta.Dimensions[d] > 0 ? meta.Dimensions[d] : 1;
                length *= shape[d];
            }

            if (length > Array.MaxLength)
            {
                throw new ModelLoadException(modelPath, $"tensor '{names[i]}' has {length} elements, too many for one buffer");
            }

            specs[i] = new TensorSpec(names[i], shape, (int)length);
        }

        return specs;
    }


}
