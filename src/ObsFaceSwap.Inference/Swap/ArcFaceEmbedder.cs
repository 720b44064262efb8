using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// Identity embeddings with InsightFace's ArcFace (Deng et al., "ArcFace: Additive Angular
/// Margin Loss for Deep Face Recognition", CVPR 2019), w600k_r50 of buffalo_l, run as ONNX on
/// one session per model with buffers allocated once (<see cref="ArcFaceContract"/> has the
/// tensor contract).
/// </summary>
/// <remarks>
/// The caller aligns the face (5-point similarity transform to the ArcFace template) and hands
/// either the model-ready tensor or the aligned BGRA crop. The embedding comes back
/// L2-normalised. <see cref="Embed(ReadOnlySpan{float}, Span{float})"/> allocates nothing on the
/// managed heap. One caller at a time; create one embedder per thread.
/// </remarks>
public sealed class ArcFaceEmbedder : IDisposable
{
    private readonly ModelSession _session;

    private ArcFaceEmbedder(ModelSession session)
    {
        _session = session;
        Input = session.InputSpecs[0];
        Output = session.OutputSpecs[0];
    }

    /// <summary>The model file, as given to <see cref="Open"/>.</summary>
    public string ModelPath => _session.ModelPath;

    /// <summary>The execution provider that runs the model.</summary>
    public ExecutionProvider Provider => _session.Provider;

    /// <summary>Element type of the model's input (float32 for the published w600k_r50).</summary>
    public TensorPrecision InputPrecision => Input.Precision;

    private TensorSpec Input { get; }

    private TensorSpec Output { get; }

    /// <summary>Loads an ArcFace model and checks its contract. Expensive: do it once and reuse the embedder.</summary>
    /// <param name="modelPath">The .onnx file (w600k_r50.onnx of buffalo_l, or another ArcFace [N,3,112,112] -&gt; [N,512] model).</param>
    /// <param name="inference">Execution provider and threads; <see cref="InferenceOptions.Default"/> when null.</param>
    /// <param name="logger">Gets the one line naming the execution provider.</param>
    /// <returns>The embedder.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">
    /// ONNX Runtime cannot load the file, or its tensors are not one float input [N,3,112,112]
    /// and one float output [N,512]; the message names the file, the expected contract and the
    /// model's actual tensors.
    /// </exception>
    public static ArcFaceEmbedder Open(string modelPath, InferenceOptions? inference = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        inference ??= InferenceOptions.Default;
        inference.Validate();
        return ModelSession.Open(modelPath, inference, logger ?? NullLogger.Instance, session =>
        {
            Check(session);
            return new ArcFaceEmbedder(session);
        });
    }

    /// <summary>
    /// Embeds one aligned face given as the model's input tensor. Allocates nothing.
    /// </summary>
    /// <param name="input">
    /// <see cref="ArcFaceContract.InputLength"/> floats: the R, G and B planes of the 112 x 112
    /// aligned crop, each value <c>(x - 127.5) / 127.5</c> for x in 0..255 (as
    /// <see cref="ArcFaceContract.FillInput"/> writes them).
    /// </param>
    /// <param name="embedding">Receives the L2-normalised embedding, <see cref="ArcFaceContract.EmbeddingLength"/> floats.</param>
    /// <returns>The L2 norm of the raw embedding, before normalisation (&gt; 0).</returns>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The model gave a zero or non-finite embedding (a broken model or input).</exception>
    /// <exception cref="ObjectDisposedException">The embedder was disposed.</exception>
    public float Embed(ReadOnlySpan<float> input, Span<float> embedding)
    {
        if (input.Length != ArcFaceContract.InputLength)
        {
            throw new ArgumentException($"expected {ArcFaceContract.InputLength} floats ([3,112,112]), got {input.Length}", nameof(input));
        }

        if (embedding.Length != ArcFaceContract.EmbeddingLength)
        {
            throw new ArgumentException($"expected room for {ArcFaceContract.EmbeddingLength} floats, got {embedding.Length}", nameof(embedding));
        }

        input.CopyTo(_session.Input(0));
        _session.Run();
        return Normalise(_session.Output(0), embedding);
    }

    /// <summary>Embeds one aligned face given as a BGRA crop. Allocates nothing.</summary>
    /// <param name="bgra">The 112 x 112 aligned crop, B, G, R, A bytes (alpha ignored), rows top to bottom.</param>
    /// <param name="stride">Bytes from one row to the next, &gt;= 448.</param>
    /// <param name="embedding">Receives the L2-normalised embedding, <see cref="ArcFaceContract.EmbeddingLength"/> floats.</param>
    /// <returns>The L2 norm of the raw embedding.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is less than 448.</exception>
    /// <exception cref="ArgumentException">A span is too short or has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The model gave a zero or non-finite embedding.</exception>
    /// <exception cref="ObjectDisposedException">The embedder was disposed.</exception>
    public float Embed(ReadOnlySpan<byte> bgra, int stride, Span<float> embedding)
    {
        if (embedding.Length != ArcFaceContract.EmbeddingLength)
        {
            throw new ArgumentException($"expected room for {ArcFaceContract.EmbeddingLength} floats, got {embedding.Length}", nameof(embedding));
        }

        ArcFaceContract.FillInput(bgra, ArcFaceContract.InputSize, stride, _session.Input(0));
        _session.Run();
        return Normalise(_session.Output(0), embedding);
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static float Normalise(ReadOnlySpan<float> raw, Span<float> embedding)
    {
        double sum = 0;
        foreach (var v in raw)
        {
            sum += (double)v * v;
        }

        var norm = Math.Sqrt(sum);
        if (!(norm > 0) || double.IsInfinity(norm))
        {
            throw new InvalidOperationException($"ArcFace gave a {(double.IsFinite(norm) ? "zero" : "non-finite")} embedding (L2 norm {norm}); the model or its input is broken");
        }

        var scale = 1 / norm;
        for (var i = 0; i < embedding.Length; i++)
        {
            embedding[i] = (float)(raw[i] * scale);
        }

        return (float)norm;
    }

    private static void Check(ModelSession session)
    {
        const string Expected = "one input [N,3,112,112] (RGB, (x - 127.5) / 127.5) and one output [N,512]";
        var inputs = session.InputSpecs;
        var outputs = session.OutputSpecs;
        var ok = inputs.Count == 1 && outputs.Count == 1
            && Shape.Matches(inputs[0].Declared, Shape.Batch, 3, ArcFaceContract.InputSize, ArcFaceContract.InputSize)
            && Shape.Matches(outputs[0].Declared, Shape.Batch, ArcFaceContract.EmbeddingLength);
        if (!ok)
        {
            throw new ModelLoadException(session.ModelPath, $"not an ArcFace model: expected {Expected}, found inputs {Shape.Describe(inputs)}; outputs {Shape.Describe(outputs)}");
        }
    }
}
