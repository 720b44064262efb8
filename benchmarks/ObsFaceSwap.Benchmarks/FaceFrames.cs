using System.Diagnostics;
using System.Globalization;
using ObsFaceSwap.Inference.Detection;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// The real frames the face benchmarks run on: the two test faces (tests/fixtures/faces/,
/// astronaut.png and grace_hopper.jpg) side by side, 3/4 of the frame high, centred on a
/// flat background, composed by ffmpeg and decoded straight to BGRA (stride 4 x width). Each
/// frame is also written to <c>BenchmarkDotNet.Artifacts/faces/faces-WxH.bgra</c>, where
/// scripts/bench-opencv.py reads the same bytes.
/// </summary>
internal static class FaceFrames
{
    /// <summary>The resolutions the face benchmarks use.</summary>
    public static readonly string[] Resolutions = ["640x360", "1280x720"];

    /// <summary>The repository root (the folder holding obs-faceswap.sln), found above the running binary.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Where the raw BGRA frames are written.</summary>
    public static string FrameDirectory => Path.Combine(RepoRoot, "BenchmarkDotNet.Artifacts", "faces");

    /// <summary>"640x360" to (640, 360).</summary>
    public static (int Width, int Height) Parse(string resolution)
    {
        var parts = resolution.Split('x');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Path of the raw BGRA file of a frame size.</summary>
    public static string RawPath(int width, int height) =>
        Path.Combine(FrameDirectory, FormattableString.Invariant($"faces-{width}x{height}.bgra"));

    /// <summary>Path of a BlazeFace model fetched by scripts/fetch-deps.sh.</summary>
    public static string ModelPath(BlazeFaceModel model)
    {
        var path = Path.Combine(RepoRoot, ".deps", "models", "blazeface", BlazeFaceDetector.ModelFileName(model));
        return File.Exists(path) ? path : throw new FileNotFoundException("BlazeFace model missing: run scripts/fetch-deps.sh", path);
    }

    /// <summary>
    /// <see cref="Build"/> into a pinned array, plus a pinned scratch array of the same size that a
    /// benchmark copies the frame into on each run (stages write into the frame they get).
    /// </summary>
    public static (byte[] Frame, byte[] Scratch) BuildPinned(int width, int height)
    {
        var pixels = Build(width, height);
        var frame = GC.AllocateUninitializedArray<byte>(pixels.Length, pinned: true);
        pixels.CopyTo(frame, 0);
        return (frame, GC.AllocateUninitializedArray<byte>(pixels.Length, pinned: true));
    }

    /// <summary>Composes the two-face frame with ffmpeg, decodes it to BGRA, writes the raw file and returns the pixels.</summary>
    public static byte[] Build(int width, int height)
    {
        var faces = Path.Combine(RepoRoot, "tests", "fixtures", "faces");
        var faceHeight = height * 3 / 4;
        var gap = width / 32;
        static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var graph = string.Join(';',
            $"[1:v]scale=-2:{I(faceHeight)},setsar=1,pad=iw+{I(gap)}:ih:0:0:color=0x50607a[a]",
            $"[2:v]scale=-2:{I(faceHeight)},setsar=1[b]",
            "[a][b]hstack=inputs=2[faces]",
            "[0:v][faces]overlay=x=(W-w)/2:y=(H-h)/2:format=rgb,format=bgra[v]");
        Directory.CreateDirectory(FrameDirectory);
        var path = RawPath(width, height);
        var temporary = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"color=c=0x50607a:s={I(width)}x{I(height)}:d=1",
            "-i", Path.Combine(faces, "astronaut.png"),
            "-i", Path.Combine(faces, "grace_hopper.jpg"),
            "-filter_complex", graph, "-map", "[v]",
            "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgra", temporary,
        ])
        {
            start.ArgumentList.Add(argument);
        }

        using (var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start ffmpeg"))
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg exited with {process.ExitCode}: {stderr.Result}");
            }
        }

        var bytes = File.ReadAllBytes(temporary);
        if (bytes.Length != width * height * 4)
        {
            throw new InvalidDataException($"ffmpeg wrote {bytes.Length} bytes for a {width}x{height} BGRA frame");
        }

        File.Move(temporary, path, overwrite: true);
        return bytes;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "obs-faceswap.sln")))
            {
                return dir.FullName;
            }
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "obs-faceswap.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("obs-faceswap.sln not found above " + AppContext.BaseDirectory);
    }
}
