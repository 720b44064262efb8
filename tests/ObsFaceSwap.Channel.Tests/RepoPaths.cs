namespace ObsFaceSwap.Channel.Tests;

/// <summary>Paths in the repository, found by walking up from the test binaries to buildspec.json.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "buildspec.json")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no buildspec.json above {AppContext.BaseDirectory}");
    });

    public static string Root => RootLazy.Value;

    public static string WireHeader => Path.Combine(Root, "native-shim", "include", "obs-faceswap", "wire.h");
}
