namespace ObsFaceSwap.Controller.Recording;

/// <summary>A file in the recording folder.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Bytes">Size.</param>
/// <param name="LastWriteUtc">Last write time.</param>
public sealed record RecordingFile(string Path, long Bytes, DateTimeOffset LastWriteUtc);

/// <summary>
/// Which recordings <c>record prune</c> deletes. Pure: the caller lists the files. Never selects a file
/// written within <see cref="ActiveWindow"/> of now, nor, while OBS records, the newest recording (the one
/// being written).
/// </summary>
public static class RetentionPolicy
{
    /// <summary>Files written this recently are treated as being written.</summary>
    public static readonly TimeSpan ActiveWindow = TimeSpan.FromMinutes(2);

    /// <summary>The extensions of recordings (OBS's containers and our remux leftovers).</summary>
    public static IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mkv", ".mp4", ".mov", ".flv", ".ts", ".m3u8",
    };

    /// <summary>The files to delete, oldest first.</summary>
    /// <param name="files">The recordings (any order).</param>
    /// <param name="keepBytes">Keep the newest recordings up to this total size; null for no size rule.</param>
    /// <param name="keepAge">Delete recordings older than this; null for no age rule.</param>
    /// <param name="now">The current time.</param>
    /// <param name="recording">Whether OBS is recording now.</param>
    /// <returns>The selection; a file goes when either rule says so.</returns>
    public static IReadOnlyList<RecordingFile> Select(IEnumerable<RecordingFile> files, long? keepBytes, TimeSpan? keepAge, DateTimeOffset now, bool recording)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (keepBytes is null && keepAge is null)
        {
            throw new ArgumentException("give a size (--keep-gb) or an age (--keep-days)");
        }

        if (keepBytes < 0 || keepAge < TimeSpan.Zero)
        {
            throw new ArgumentException("--keep-gb and --keep-days must not be negative");
        }

        var newestFirst = files.OrderByDescending(f => f.LastWriteUtc).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
        var protectedFiles = newestFirst.Where(f => now - f.LastWriteUtc < ActiveWindow).ToHashSet();
        if (recording && newestFirst.Count > 0)
        {
            protectedFiles.Add(newestFirst[0]);
        }

        var selected = new List<RecordingFile>();
        long kept = 0;
        foreach (var file in newestFirst)
        {
            if (protectedFiles.Contains(file))
            {
                kept += file.Bytes;
                continue;
            }

            var tooOld = keepAge is { } age && now - file.LastWriteUtc > age;
            var overSize = keepBytes is { } limit && kept + file.Bytes > limit;
            if (tooOld || overSize)
            {
                selected.Add(file);
            }
            else
            {
                kept += file.Bytes;
            }
        }

        selected.Reverse();
        return selected;
    }

    /// <summary>Lists the recordings directly inside <paramref name="directory"/>.</summary>
    public static IReadOnlyList<RecordingFile> List(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles()
            .Where(f => Extensions.Contains(f.Extension))
            .Select(f => new RecordingFile(f.FullName, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .ToList();
}
