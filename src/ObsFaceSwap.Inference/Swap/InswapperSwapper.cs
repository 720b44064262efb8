using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// One swap model (InsightFace's inswapper_128, fp32 or fp16, or another swapper with
/// <see cref="InswapperContract"/>'s contract) loaded once into an ONNX Runtime session, with its
/// input and output buffers allocated once.
/// </summary>
/// <remarks>
/// <para>The crop side <see cref="CropSize"/> and the latent length come from the model's
/// <c>target</c> and <c>source</c> shapes. Element types come from the session: float16 inputs
/// and outputs are converted with <see cref="Half"/>; callers always pass float32 spans.</para>
/// <para>Every output is inspected (<see cref="SwapOutputCheck.Inspect"/>); this class only
/// reports the fault. <see cref="SwapperSession"/> adds the fall back from an fp16 model to the
/// fp32 one. <see cref="Swap"/> allocates nothing on the managed heap. One caller at a time.</para>
/// </remarks>
public sealed class InswapperSwapper : IDisposable
{
    private readonly ModelSession _session;
    private readonly int _target;
    private readonly int _source;

    private InswapperSwapper(ModelSession session, int target, int source, int cropSize, int latentLength)
    {
        _session = session;
        _target = target;
        _source = source;
        CropSize = cropSize;
        LatentLength = latentLength;
    }

    /// <summary>The model file, as given to <see cref="Open"/>.</summary>
    public string ModelPath => _session.ModelPath;

    /// <summary>The execution provider that runs the model.</summary>
    public ExecutionProvider Provider => _session.Provider;

    /// <summary>Side S of the square target crop and of the output, pixels (128 for inswapper_128).</summary>
    public int CropSize { get; }

    /// <summary>Length of the <c>source</c> latent (512).</summary>
    public int LatentLength { get; }

    /// <summary>Floats in one target or output tensor: 3 * S * S.</summary>
    public int TensorLength => 3 * CropSize * CropSize;

    /// <summary>Element type of the model's <c>target</c> and <c>source</c> inputs.</summary>
    public TensorPrecision InputPrecision => _session.InputSpecs[_target].Precision;

    /// <summary>Element type of the model's output.</summary>
    public TensorPrecision OutputPrecision => _session.OutputSpecs[0].Precision;

    /// <summary>Loads a swap model and checks its contract. Expensive (seconds for the 555 MB file): do it once.</summary>
    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="inference">Execution provider and threads; <see cref="InferenceOptions.Default"/> when null.</param>
    /// <param name="logger">Gets the one line naming the execution provider.</param>
    /// <returns>The swapper.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">
    /// ONNX Runtime cannot load the file, or its tensors are not <c>target</c> [1,3,S,S] and
    /// <c>source</c> [1,512] in, one [1,3,S,S] out (float32 or float16, S fixed); the message
    /// names the file, the expected contract and the model's actual tensors.
    /// </exception>
    public static InswapperSwapper Open(string modelPath, InferenceOptions? inference = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        inference ??= InferenceOptions.Default;
        inference.Validate();
        return ModelSession.Open(modelPath, inference, logger ?? NullLogger.Instance, Create);
    }

    /// <summary>
    /// Runs the model on one aligned target face and one latent, and inspects the output.
    /// Allocates nothing.
    /// </summary>
    /// <param name="target"><see cref="TensorLength"/> floats: the R, G, B planes of the aligned S x S crop, each <c>x / 255</c> for x in 0..255.</param>
    /// <param name="latent"><see cref="LatentLength"/> floats: the identity's <see cref="SwapLatent"/>.</param>
    /// <param name="output">Receives <see cref="TensorLength"/> floats: the R, G, B planes of the swapped face, nominally in [0,1] (clamp when converting to bytes).</param>
    /// <returns><see cref="SwapFault.None"/>, or what is wrong with the output (then <paramref name="output"/> is not an image).</returns>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="ObjectDisposedException">The swapper was disposed.</exception>
    /// <exception cref="Microsoft.ML.OnnxRuntime.OnnxRuntimeException">ONNX Runtime failed during the run.</exception>
    public SwapFault Swap(ReadOnlySpan<float> target, ReadOnlySpan<float> latent, Span<float> output)
    {
        if (target.Length != TensorLength || output.Length != TensorLength)
        {
            throw new ArgumentException($"target and output must be {TensorLength} floats ([3,{CropSize},{CropSize}]), got {target.Length} and {output.Length}", nameof(target));
        }

        if (latent.Length != LatentLength)
        {
            throw new ArgumentException($"the latent must be {LatentLength} floats, got {latent.Length}", nameof(latent));
        }

        target.CopyTo(_session.Input(_target));
        latent.CopyTo(_session.Input(_source));
        _session.Run();
        var result = _session.Output(0);
        result.CopyTo(output);
        return SwapOutputCheck.Inspect(result);
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static InswapperSwapper Create(ModelSession session)
    {
        var target = session.InputIndex(InswapperContract.TargetName);
        var source = session.InputIndex(InswapperContract.SourceName);
        var size = target >= 0 && session.InputSpecs[target].Declared.Count == 4 ? session.InputSpecs[target].Declared[3] : -1;
        var ok = session.InputSpecs.Count == 2 && target >= 0 && source >= 0 && session.OutputSpecs.Count == 1
            && size is > 0 and <= 4096
            && Shape.Matches(session.InputSpecs[target].Declared, Shape.Batch, 3, size, size)
            && Shape.Matches(session.InputSpecs[source].Declared, Shape.Batch, InswapperContract.LatentLength)
            && Shape.Matches(session.OutputSpecs[0].Declared, Shape.Batch, 3, size, size);
        if (!ok)
        {
            throw new ModelLoadException(
                session.ModelPath,
                $"not an inswapper-style swap model: expected inputs '{InswapperContract.TargetName}' [1,3,S,S] (S fixed) and '{InswapperContract.SourceName}' [1,{InswapperContract.LatentLength}] and one output [1,3,S,S], float32 or float16; found inputs {Shape.Describe(session.InputSpecs)}; outputs {Shape.Describe(session.OutputSpecs)}");
        }

        return new InswapperSwapper(session, target, source, (int)size, InswapperContract.LatentLength);
    }
}
