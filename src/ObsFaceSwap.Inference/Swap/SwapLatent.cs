namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// The swap model's <c>source</c> input for one identity:
/// <c>L2norm(L2norm(embedding) x emap)</c>, the embedding a row vector and emap the model's
/// <see cref="EmbeddingMap"/> (InsightFace's <c>INSwapper.get</c>:
/// <c>latent = np.dot(normed_embedding.reshape(1, -1), emap); latent /= np.linalg.norm(latent)</c>).
/// </summary>
/// <remarks>
/// Compute it once per identity and keep it (one 512-float array): recomputing it per frame is a
/// 512 x 512 product each time (../shared/reference/face-models.md: 86 ms instead of 30 ms per
/// frame in one live tool). Immutable, so one instance may be shared between threads.
/// </remarks>
public sealed class SwapLatent
{
    private readonly float[] _values;

    private SwapLatent(float[] values) => _values = values;

    /// <summary>The latent, unit L2 norm, <see cref="Length"/> floats.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Number of values (512 for inswapper).</summary>
    public int Length => _values.Length;

    /// <summary>Computes the latent of an identity.</summary>
    /// <param name="embedding">The ArcFace embedding, normalised or not (it is normalised first); emap.Size floats.</param>
    /// <param name="emap">The swap model's matrix; null for swap models fed the normalised embedding itself (then the latent is that).</param>
    /// <returns>The latent.</returns>
    /// <exception cref="ArgumentException">Wrong length, or the embedding (or its product with emap) is zero or not finite.</exception>
    public static SwapLatent Create(ReadOnlySpan<float> embedding, EmbeddingMap? emap)
    {
        var values = new float[emap?.Size ?? embedding.Length];
        Compute(embedding, emap, values);
        return new SwapLatent(values);
    }

    /// <summary>Computes the latent into <paramref name="latent"/> without allocating.</summary>
    /// <param name="embedding">The ArcFace embedding; emap.Size floats (any length when <paramref name="emap"/> is null).</param>
    /// <param name="emap">The swap model's matrix, or null.</param>
    /// <param name="latent">Receives the unit-norm latent; as long as <paramref name="embedding"/>.</param>
    /// <exception cref="ArgumentException">Wrong length, or a zero or non-finite vector.</exception>
    public static void Compute(ReadOnlySpan<float> embedding, EmbeddingMap? emap, Span<float> latent)
    {
        var n = emap?.Size ?? embedding.Length;
        if (embedding.Length != n || latent.Length != n || n == 0)
        {
            throw new ArgumentException($"expected an embedding and a latent of {n} floats, got {embedding.Length} and {latent.Length}", nameof(embedding));
        }

        var inverse = 1 / Norm(embedding, nameof(embedding));
        if (emap is null)
        {
            for (var i = 0; i < n; i++)
            {
                latent[i] = (float)(embedding[i] * inverse);
            }

            return;
        }

        // Row vector times matrix, accumulated in double: latent[j] = sum_i e[i] * emap[i, j].
        Span<double> sums = n <= 1024 ? stackalloc double[n] : new double[n];
        sums.Clear();
        var m = emap.Values;
        for (var i = 0; i < n; i++)
        {
            var e = embedding[i] * inverse;
            var row = m.Slice(i * n, n);
            for (var j = 0; j < n; j++)
            {
                sums[j] += e * row[j];
            }
        }

        double sum = 0;
        foreach (var v in sums)
        {
            sum += v * v;
        }

        var norm = Math.Sqrt(sum);
        if (!(norm > 0) || !double.IsFinite(norm))
        {
            throw new ArgumentException($"the embedding times '{emap.Name}' has L2 norm {norm}; cannot normalise it", nameof(embedding));
        }

        for (var j = 0; j < n; j++)
        {
            latent[j] = (float)(sums[j] / norm);
        }
    }

    private static double Norm(ReadOnlySpan<float> v, string name)
    {
        double sum = 0;
        foreach (var x in v)
        {
            sum += (double)x * x;
        }

        var norm = Math.Sqrt(sum);
        return norm > 0 && double.IsFinite(norm)
            ? norm
            : throw new ArgumentException($"the embedding has L2 norm {norm}; cannot normalise it", name);
    }
}
