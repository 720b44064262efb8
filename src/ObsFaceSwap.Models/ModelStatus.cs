namespace ObsFaceSwap.Models;

/// <summary>State of one model in the cache.</summary>
public enum ModelState
{
    /// <summary>The file is present and its size and SHA-256 match the manifest.</summary>
    Verified,

    /// <summary>No file in the cache.</summary>
    Missing,

    /// <summary>The file's size or SHA-256 differs from the manifest's.</summary>
    HashMismatch,

    /// <summary>The file is present but the manifest pins no SHA-256 to check it against.</summary>
    Unpinned,
}

/// <summary>Result of checking one model's file.</summary>
/// <param name="Entry">The manifest entry.</param>
/// <param name="Path">Where the file is (or should be).</param>
/// <param name="State">What was found.</param>
/// <param name="ActualSha256">The file's SHA-256 when it was computed.</param>
/// <param name="ActualSize">The file's size when present.</param>
public sealed record ModelStatus(ModelEntry Entry, string Path, ModelState State, string? ActualSha256, long? ActualSize)
{
    /// <summary>Lowercase label: verified, missing, hash mismatch, unpinned.</summary>
    public string Label => State switch
    {
        ModelState.Verified => "verified",
        ModelState.Missing => "missing",
        ModelState.HashMismatch => ActualSize is { } size && Entry.Size is { } expected && size != expected ? "size mismatch" : "hash mismatch",
        _ => "unpinned",
    };
}

/// <summary>Progress of a download or import.</summary>
/// <param name="Id">The model id.</param>
/// <param name="BytesDone">Bytes in the .part file so far (including bytes from an earlier, resumed attempt).</param>
/// <param name="TotalBytes">Expected total, when known.</param>
/// <param name="Resumed">True when this attempt continued an existing .part file.</param>
public readonly record struct TransferProgress(string Id, long BytesDone, long? TotalBytes, bool Resumed)
{
    /// <summary>Fraction done in [0,1], or null when the total is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 ? Math.Clamp((double)BytesDone / TotalBytes.Value, 0, 1) : null;
}
