using System.Security.Cryptography;

namespace ObsFaceSwap.Models;

/// <summary>Streamed SHA-256 of files.</summary>
public static class FileHash
{
    private const int BufferSize = 1 << 20;

    /// <summary>SHA-256 of a file as 64 lowercase hex digits, read in 1 MiB blocks.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash);
        }
    }

    /// <summary>SHA-256 of a file as 64 lowercase hex digits (synchronous).</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
