using ObsFaceSwap.Testing.Processes;

namespace ObsFaceSwap.Testing.Media;

/// <summary>Facts about Debian's ffmpeg.</summary>
public static class Ffmpeg
{
    /// <summary>The first line of <c>ffmpeg -version</c>.</summary>
    /// <returns>The version line.</returns>
    public static async Task<string> VersionAsync() =>
        (await ExternalTool.RunAsync("ffmpeg", ["-version"], TimeSpan.FromSeconds(20)).ConfigureAwait(false)).Split('\n')[0].Trim();
}
