using System.Diagnostics;
using ObsFaceSwap.Models;

namespace ObsFaceSwap.Cli.Tests;

/// <summary>
/// For <c>detect</c> / <c>process</c>: a model cache holding the real BlazeFace models (imported from
/// scripts/fetch-deps.sh's .deps/models/blazeface), the face fixtures, and a 2 s test clip made with ffmpeg.
/// </summary>
public sealed class OfflineFixture : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ofs-offline-").FullName;

    public string Cache => Path.Combine(Root, "cache");

    public string Faces { get; private set; } = string.Empty;

    public string Astronaut => Path.Combine(Faces, "astronaut.png");

    public string GraceHopper => Path.Combine(Faces, "grace_hopper.jpg");

    /// <summary>2 s at 15 fps (30 frames) of astronaut.png with a 440 Hz AAC tone.</summary>
    public string Clip => Path.Combine(Root, "clip.mp4");

    public async Task InitializeAsync()
    {
        string? repo = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && repo is null; dir = dir.Parent)
        {
            repo = File.Exists(Path.Combine(dir.FullName, "buildspec.json")) ? dir.FullName : null;
        }

        Assert.True(repo is not null, "cannot find the repository root (buildspec.json) above " + AppContext.BaseDirectory);
        Faces = Path.Combine(repo!, "tests", "fixtures", "faces");
        var models = Path.Combine(repo!, ".deps", "models", "blazeface");
        Assert.True(
            File.Exists(Path.Combine(models, "face_detection_back_256x256_barracuda.onnx")),
            $"the BlazeFace models are missing from {models}: run scripts/fetch-deps.sh first (detect/process tests need the real models)");
        using (var store = new ModelStore(ModelManifest.LoadEmbedded(), Cache))
        {
            await store.ImportFolderAsync(models);
        }

        await FfmpegAsync("-loop", "1", "-i", Astronaut, "-f", "lavfi", "-i", "sine=f=440:sample_rate=44100", "-t", "2", "-r", "15",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", Clip);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs ffmpeg (-y, errors only); fails the test on a non-zero exit.</summary>
    public static async Task FfmpegAsync(params string[] args)
    {
        var (code, _, err) = await RunToolAsync("ffmpeg", ["-nostdin", "-v", "error", "-y", .. args]);
        Assert.True(code == 0, $"ffmpeg {string.Join(' ', args)} failed: {err}");
    }

    /// <summary>Decodes every video frame of <paramref name="path"/> to packed BGRA.</summary>
    public static async Task<byte[]> DecodeAsync(string path)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "bgra", "-" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var err = process.StandardError.ReadToEndAsync();
        using var buffer = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(buffer);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"decoding {path} failed: {await err}");
        return buffer.ToArray();
    }

    /// <summary>ffprobe: "video,30\naudio,87"-style lines of codec type and counted frames.</summary>
    public static async Task<string[]> StreamsAsync(string path)
    {
        var (code, output, err) = await RunToolAsync("ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=codec_type,nb_read_frames", "-of", "csv=p=0", path]);
        Assert.True(code == 0, $"ffprobe {path} failed: {err}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static async Task<(int Code, string Out, string Err)> RunToolAsync(string tool, string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var err = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await err);
    }
}
