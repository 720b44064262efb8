namespace ObsFaceSwap.Swap;

/// <summary>One identity of an identity folder: its name and the images of its face.</summary>
/// <param name="Name">The file name without extension (one image), or the sub-folder's name (several images).</param>
/// <param name="ImagePaths">Full paths of its images, sorted; at least one.</param>
public sealed record IdentitySource(string Name, IReadOnlyList<string> ImagePaths);

/// <summary>An identity the settings name does not exist, or an identity folder cannot be read.</summary>
public sealed class IdentityNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was asked for and what exists.</param>
    public IdentityNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public IdentityNotFoundException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public IdentityNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The identity folder (filter setting <c>identity_folder</c>): each image file (one face) or
/// sub-folder (its image files: several pictures of one person, averaged) is one identity,
/// named after it. Identities are ordered by name (ordinal, ignoring case), which is the order
/// <c>#N</c> and the hotkeys "identity 1-9" use.
/// </summary>
public static class IdentityFolder
{
    /// <summary>Image file extensions read (ffmpeg decodes them), lower case.</summary>
    public static readonly IReadOnlyList<string> ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>Lists the identities of <paramref name="folder"/>; sub-folders without images are left out.</summary>
    /// <param name="folder">The folder.</param>
    /// <returns>The identities, by name.</returns>
    /// <exception cref="IdentityNotFoundException">The folder does not exist, or holds no identity.</exception>
    public static IReadOnlyList<IdentitySource> Scan(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
        {
            throw new IdentityNotFoundException($"identity folder '{folder}' does not exist (set identity_folder to a folder of face images)");
        }

        var identities = new List<IdentitySource>();
        foreach (var file in Directory.EnumerateFiles(folder).Where(IsImage))
        {
            identities.Add(new IdentitySource(Path.GetFileNameWithoutExtension(file), [file]));
        }

        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            var images = Directory.EnumerateFiles(sub).Where(IsImage).Order(StringComparer.Ordinal).ToArray();
            if (images.Length > 0)
            {
                identities.Add(new IdentitySource(Path.GetFileName(sub), images));
            }
        }

        if (identities.Count == 0)
        {
            throw new IdentityNotFoundException(
                $"identity folder '{folder}' holds no identity: expected image files ({string.Join(", ", ImageExtensions)}) or sub-folders of them");
        }

        identities.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
        return identities;
    }

    /// <summary>Finds <paramref name="identity"/>: a name (any case) or <c>#N</c>, the N-th identity (from 1).</summary>
    /// <param name="identities">The folder's identities (<see cref="Scan"/>).</param>
    /// <param name="identity">The setting's value.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="IdentityNotFoundException">No such name, or N out of range; the message lists what exists.</exception>
    public static IdentitySource Resolve(IReadOnlyList<IdentitySource> identities, string identity)
    {
        ArgumentNullException.ThrowIfNull(identities);
        var trimmed = (identity ?? string.Empty).Trim();
        if (trimmed.StartsWith('#'))
        {
            if (int.TryParse(trimmed.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                && n >= 1 && n <= identities.Count)
            {
                return identities[n - 1];
            }

            throw new IdentityNotFoundException($"identity '{trimmed}' is out of range: the folder has {identities.Count} (#1..#{identities.Count}: {Names(identities)})");
        }

        return identities.FirstOrDefault(i => string.Equals(i.Name, trimmed, StringComparison.OrdinalIgnoreCase))
            ?? throw new IdentityNotFoundException($"no identity '{trimmed}' in the folder; it has: {Names(identities)}");
    }

    private static bool IsImage(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private static string Names(IReadOnlyList<IdentitySource> identities) => string.Join(", ", identities.Select(i => i.Name));
}
