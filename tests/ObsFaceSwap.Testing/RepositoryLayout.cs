namespace ObsFaceSwap.Testing;

/// <summary>Where things are: the repository root (the folder holding buildspec.json) and paths under it.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The shared folder beside the repository (<c>../shared</c>), which holds the public-domain media.</summary>
    public static string SharedDirectory => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>The test fixtures committed to the repository.</summary>
    public static string FixturesDirectory => Path.Combine(Root, "tests", "fixtures");

    /// <summary>End-to-end artifacts (git-ignored): one folder per test, and the clip cache.</summary>
    public static string E2eDirectory => Path.Combine(Root, ".e2e");

    /// <summary>Cache of generated clips, keyed by content hash.</summary>
    public static string CacheDirectory => Path.Combine(E2eDirectory, "cache");

    /// <summary>
    /// A fresh artifact folder <c>.e2e/NAME</c> for one test (emptied if it exists).
    /// </summary>
    /// <param name="name">The test's name (file-name safe characters are kept, others become '_').</param>
    /// <returns>The folder's full path.</returns>
    public static string CreateArtifactDirectory(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var safe = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        return CreateEmptyDirectory(Path.Combine(E2eDirectory, safe));
    }

    /// <summary>Creates a folder, emptying it if it exists.</summary>
    /// <param name="path">The folder.</param>
    /// <returns>Its full path.</returns>
    public static string CreateEmptyDirectory(string path)
    {
        var dir = Path.GetFullPath(path);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "buildspec.json")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"No buildspec.json above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}: run from inside the obs-faceswap repository.");
    }
}
