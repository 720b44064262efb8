using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Inference.Tests.Swap;

/// <summary>
/// <see cref="ArcFaceEmbedder"/> on <see cref="ArcFaceStandIn"/>: the w600k_r50 contract, whose
/// embedding is the per-channel mean of the input times a known 3 x 512 matrix.
/// </summary>
public sealed class ArcFaceEmbedderTests : IDisposable
{
    private readonly SwapTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void The_embedding_of_a_tensor_is_the_hand_computed_one_L2_normalised()
    {
        var path = _files.Save("arcface.onnx", ArcFaceStandIn.Build());
        using var embedder = ArcFaceEmbedder.Open(path, SwapTestFiles.Cpu);
        var input = new float[ArcFaceContract.InputLength];
        const int Plane = 112 * 112;
        for (var i = 0; i < Plane; i++)
        {
            input[i] = (i % 112) / 112f - 0.5f;       // R: mean ~ -0.0045
            input[Plane + i] = 0.25f;                  // G
            input[(2 * Plane) + i] = -0.75f + (i % 7 == 0 ? 0.7f : 0f); // B
        }

        var embedding = new float[512];
        var norm = embedder.Embed(input, embedding);

        var expected = HandEmbedding(input);
        var expectedNorm = Math.Sqrt(expected.Sum(v => v * v));
        Assert.Equal(expectedNorm, norm, 1e-3 * expectedNorm);
        Assert.Equal(1.0, Math.Sqrt(embedding.Sum(v => (double)v * v)), 1e-5);
        for (var j = 0; j < 512; j++)
        {
            Assert.Equal(expected[j] / expectedNorm, embedding[j], 1e-4);
        }
    }

    [Fact]
    public void A_BGRA_crop_is_read_as_RGB_scaled_to_minus_one_one_and_different_faces_differ()
    {
        var path = _files.Save("arcface.onnx", ArcFaceStandIn.Build());
        using var embedder = ArcFaceEmbedder.Open(path, SwapTestFiles.Cpu);
        const int Stride = (112 * 4) + 16; // padded rows
        var first = Crop(Stride, b: 10, g: 128, r: 250);
        var second = Crop(Stride, b: 250, g: 40, r: 10);

        var e1 = new float[512];
        var e2 = new float[512];
        embedder.Embed(first, Stride, e1);
        embedder.Embed(second, Stride, e2);

        // Hand computation: R, G, B planes, each (x - 127.5) / 127.5.
        var h1 = HandFromMeans([(250 - 127.5) / 127.5, (128 - 127.5) / 127.5, (10 - 127.5) / 127.5]);
        var h2 = HandFromMeans([(10 - 127.5) / 127.5, (40 - 127.5) / 127.5, (250 - 127.5) / 127.5]);
        for (var j = 0; j < 512; j++)
        {
            Assert.Equal(h1[j], e1[j], 1e-4);
            Assert.Equal(h2[j], e2[j], 1e-4);
        }

        var cosine = e1.Zip(e2, (a, b) => (double)a * b).Sum();
        Assert.True(cosine < 0.9, $"two different faces gave cosine {cosine}");
    }

    [Fact]
    public void A_model_with_another_input_size_is_refused_naming_the_expected_and_actual_shapes()
    {
        var path = _files.Save("arcface-128.onnx", ArcFaceStandIn.Build(inputSize: 128));

        var e = Assert.Throws<ModelLoadException>(() => ArcFaceEmbedder.Open(path, SwapTestFiles.Cpu));

        Assert.Contains("arcface-128.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("[N,3,112,112]", e.Message, StringComparison.Ordinal);
        Assert.Contains("input.1 float32 [?,3,128,128]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_another_embedding_length_is_refused_naming_the_expected_and_actual_outputs()
    {
        var path = _files.Save("arcface-256.onnx", ArcFaceStandIn.Build(embeddingLength: 256));

        var e = Assert.Throws<ModelLoadException>(() => ArcFaceEmbedder.Open(path, SwapTestFiles.Cpu));

        Assert.Contains("[N,512]", e.Message, StringComparison.Ordinal);
        Assert.Contains("683 float32 [?,256]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_span_lengths_are_argument_errors()
    {
        var path = _files.Save("arcface.onnx", ArcFaceStandIn.Build());
        using var embedder = ArcFaceEmbedder.Open(path, SwapTestFiles.Cpu);

        Assert.Throws<ArgumentException>(() => embedder.Embed(new float[100], new float[512]));
        Assert.Throws<ArgumentException>(() => embedder.Embed(new float[ArcFaceContract.InputLength], new float[511]));
        Assert.Throws<ArgumentOutOfRangeException>(() => embedder.Embed(new byte[112 * 448], 400, new float[512]));
    }

    [Fact]
    public void Embedding_allocates_nothing_once_warm()
    {
        var path = _files.Save("arcface.onnx", ArcFaceStandIn.Build());
        using var embedder = ArcFaceEmbedder.Open(path, SwapTestFiles.Cpu);
        var input = new float[ArcFaceContract.InputLength];
        input.AsSpan().Fill(0.3f);
        var embedding = new float[512];
        for (var i = 0; i < 200; i++)
        {
            embedder.Embed(input, embedding);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            embedder.Embed(input, embedding);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static byte[] Crop(int stride, byte b, byte g, byte r)
    {
        var crop = new byte[stride * 112];
        for (var y = 0; y < 112; y++)
        {
            for (var x = 0; x < 112; x++)
            {
                var o = (y * stride) + (x * 4);
                crop[o] = b;
                crop[o + 1] = g;
                crop[o + 2] = r;
                crop[o + 3] = 255;
            }
        }

        return crop;
    }

    private static double[] HandEmbedding(float[] input)
    {
        const int Plane = 112 * 112;
        var means = new double[3];
        for (var c = 0; c < 3; c++)
        {
            means[c] = input.Skip(c * Plane).Take(Plane).Select(v => (double)v).Average();
        }

        var p = ArcFaceStandIn.Projection();
        var e = new double[512];
        for (var j = 0; j < 512; j++)
        {
            e[j] = (means[0] * p[j]) + (means[1] * p[512 + j]) + (means[2] * p[1024 + j]);
        }

        return e;
    }

    private static double[] HandFromMeans(double[] means)
    {
        var p = ArcFaceStandIn.Projection();
        var e = new double[512];
        for (var j = 0; j < 512; j++)
        {
            e[j] = (means[0] * p[j]) + (means[1] * p[512 + j]) + (means[2] * p[1024 + j]);
        }

        var norm = Math.Sqrt(e.Sum(v => v * v));
        return [.. e.Select(v => v / norm)];
    }
}
