namespace ObsFaceSwap.Testing.Onnx;

/// <summary>
/// A stand-in for InsightFace's ArcFace w600k_r50 with its contract (input <c>input.1</c>
/// [N,3,112,112], output <c>683</c> [N,512], as models/manifest.json records them) and a
/// predictable embedding: the per-channel mean of the input image ([N,3], GlobalAveragePool)
/// times a fixed 3 x E matrix, so different faces give different, hand-computable embeddings.
/// </summary>
/// <remarks>
/// Expected raw embedding for one image: <c>e[j] = sum_c mean_c * projection[c * E + j]</c>,
/// mean_c the mean of input plane c (R, G, B). The embedder L2-normalises it.
/// </remarks>
public static class ArcFaceStandIn
{
    /// <summary>w600k_r50's input name.</summary>
    public const string InputName = "input.1";

    /// <summary>w600k_r50's output name.</summary>
    public const string OutputName = "683";

    /// <summary>A deterministic 3 x <paramref name="embeddingLength"/> projection with distinct, non-degenerate rows.</summary>
    /// <param name="embeddingLength">E.</param>
    /// <returns>Row-major 3 x E values.</returns>
    public static float[] Projection(int embeddingLength = 512)
    {
        var p = new float[3 * embeddingLength];
        for (var c = 0; c < 3; c++)
        {
            for (var j = 0; j < embeddingLength; j++)
            {
                p[(c * embeddingLength) + j] = MathF.Sin((0.37f * j) + (1.9f * c) + 0.3f) + (c == j % 3 ? 0.5f : 0f);
            }
        }

        return p;
    }

    /// <summary>Builds the stand-in.</summary>
    /// <param name="projection">Row-major 3 x E matrix (E = <paramref name="embeddingLength"/>); <see cref="Projection"/> when null.</param>
    /// <param name="inputSize">Input side (112 for the real contract).</param>
    /// <param name="embeddingLength">E (512 for the real contract).</param>
    /// <param name="inputName">Input name.</param>
    /// <param name="outputName">Output name.</param>
    /// <param name="channels">Input channels (3 for the real contract).</param>
    /// <returns>The builder, ready to <see cref="OnnxGraphBuilder.Save"/>.</returns>
    public static OnnxGraphBuilder Build(
        float[]? projection = null,
        int inputSize = 112,
        int embeddingLength = 512,
        string inputName = InputName,
        string outputName = OutputName,
        int channels = 3)
    {
        projection ??= Projection(embeddingLength);
        if (projection.Length != channels * embeddingLength)
        {
            throw new ArgumentException($"projection needs {channels} x {embeddingLength} values, got {projection.Length}", nameof(projection));
        }

        return new OnnxGraphBuilder("arcface_stand_in")
            .Input(inputName, "N", channels, inputSize, inputSize)
            .Node("GlobalAveragePool", [inputName], ["pooled"])
            .Reshape("pooled", "means", -1, channels)
            .Initializer("projection", projection, [channels, embeddingLength])
            .MatMul("means", "projection", outputName)
            .Output(outputName, "N", embeddingLength);
    }
}
