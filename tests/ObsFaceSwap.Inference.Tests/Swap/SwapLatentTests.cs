using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Inference.Tests.Swap;

public sealed class SwapLatentTests
{
    [Fact]
    public void The_latent_is_the_normalised_product_of_the_normalised_embedding_and_emap()
    {
        var emapValues = InswapperStandIn.Emap();
        var emap = new EmbeddingMap(emapValues, 512);
        var embedding = SwapTestFiles.Embedding(seed: 3);

        var latent = SwapLatent.Create(embedding, emap);

        // By hand, in double: n = e / |e|; l = n x M; l / |l|.
        var norm = Math.Sqrt(embedding.Sum(v => (double)v * v));
        var product = new double[512];
        for (var j = 0; j < 512; j++)
        {
            for (var i = 0; i < 512; i++)
            {
                product[j] += embedding[i] / norm * emapValues[(i * 512) + j];
            }
        }

        var productNorm = Math.Sqrt(product.Sum(v => v * v));
        Assert.Equal(512, latent.Length);
        for (var j = 0; j < 512; j++)
        {
            Assert.Equal(product[j] / productNorm, latent.Values[j], 1e-6);
        }

        Assert.Equal(1.0, Math.Sqrt(latent.Values.ToArray().Sum(v => (double)v * v)), 1e-6);
    }

    [Fact]
    public void A_small_case_matches_a_worked_example()
    {
        // e = (3, 4) -> n = (0.6, 0.8); M = [[1, 2], [0, 1]] -> n M = (0.6, 2.0); / |.| = 2.08806...
        var latent = SwapLatent.Create([3f, 4f], new EmbeddingMap([1f, 2f, 0f, 1f], 2));

        var n = Math.Sqrt((0.6 * 0.6) + (2.0 * 2.0));
        Assert.Equal(0.6 / n, latent.Values[0], 1e-6);
        Assert.Equal(2.0 / n, latent.Values[1], 1e-6);
    }

    [Fact]
    public void Without_emap_the_latent_is_the_normalised_embedding()
    {
        var latent = SwapLatent.Create([3f, 0f, 4f], emap: null);

        Assert.Equal([0.6f, 0f, 0.8f], latent.Values.ToArray());
    }

    [Fact]
    public void Zero_or_mismatched_embeddings_are_argument_errors()
    {
        var emap = new EmbeddingMap(new float[4] { 1, 0, 0, 1 }, 2);
        Assert.Throws<ArgumentException>(() => SwapLatent.Create([0f, 0f], emap));
        Assert.Throws<ArgumentException>(() => SwapLatent.Create([1f, 2f, 3f], emap));
        Assert.Throws<ArgumentException>(() => SwapLatent.Create([float.NaN, 1f], emap));
    }
}
