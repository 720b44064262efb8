using System.Security.Cryptography;

namespace ObsFaceSwap.Models.Tests;

/// <summary>A temporary folder deleted on dispose, plus helpers to build model entries over random files.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("ofs-models-").FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string Write(string name, byte[] content)
    {
        var file = Combine(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, content);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class TestModels
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>An entry whose file is <paramref name="file"/> with the hash and size of <paramref name="content"/>.</summary>
    public static ModelEntry Entry(string id, string file, byte[]? content, IReadOnlyList<string>? urls = null, string? licenceNotice = null, bool pinSize = true) => new()
    {
        Id = id,
        File = file,
        Urls = urls ?? [],
        Sha256 = content is null ? null : Sha256(content),
        Size = content is null || !pinSize ? null : content.Length,
        Licence = licenceNotice is null ? "Apache-2.0" : "Test non-commercial",
        LicenceNotice = licenceNotice,
        Purpose = ModelPurposes.FaceDetection,
        Inputs = [new TensorSpec { Name = "input", Shape = [TensorDim.Fixed(1), TensorDim.Fixed(3), TensorDim.Symbolic("h"), TensorDim.Symbolic("w")], ElementType = "float32" }],
        Outputs = [new TensorSpec { Name = "out", Shape = [TensorDim.Dynamic, TensorDim.Fixed(4)], ElementType = "float32" }],
        Layout = "NCHW",
        ColourOrder = "RGB",
        Mean = [127.5f],
        Std = [128f],
        FetchHint = "test hint: copy it by hand",
    };

    public static ModelManifest Manifest(params ModelEntry[] entries) => new() { SchemaVersion = 1, Models = entries };

    /// <summary>The repository root (the folder holding obs-faceswap.sln).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "obs-faceswap.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Collects progress synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class ProgressLog : IProgress<TransferProgress>
{
    private readonly List<TransferProgress> _items = [];

    public IReadOnlyList<TransferProgress> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public void Report(TransferProgress value)
    {
        lock (_items)
        {
            _items.Add(value);
        }
    }
}
