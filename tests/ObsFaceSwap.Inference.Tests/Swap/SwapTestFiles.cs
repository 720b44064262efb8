using Microsoft.Extensions.Logging;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Inference.Tests.Swap;

/// <summary>A temporary folder for the synthetic models of one test class, and shared inputs.</summary>
public sealed class SwapTestFiles : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ofs-swap-" + Guid.NewGuid().ToString("N"));

    public SwapTestFiles() => Directory.CreateDirectory(_dir);

    public static InferenceOptions Cpu { get; } = new(ExecutionProvider.Cpu);

    public string Save(string name, OnnxGraphBuilder builder)
    {
        var path = Path.Combine(_dir, name);
        builder.Save(path);
        return path;
    }

    public string PathOf(string name) => Path.Combine(_dir, name);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>An NCHW [3,S,S] target in x / 255 units with a different gradient per channel (never flat).</summary>
    public static float[] Target(int size, int seed = 0)
    {
        var t = new float[3 * size * size];
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    t[(c * size * size) + (y * size) + x] = ((x + (2 * y) + (50 * c) + seed) % 256) / 255f;
                }
            }
        }

        return t;
    }

    /// <summary>A deterministic, non-normalised 512-vector (a different one per seed).</summary>
    public static float[] Embedding(int seed, int length = 512)
    {
        var e = new float[length];
        for (var i = 0; i < length; i++)
        {
            e[i] = MathF.Sin((0.1f * i * (seed + 1)) + seed) * (1 + seed);
        }

        return e;
    }
}
