using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Host.Pipeline.Faces;

namespace ObsFaceSwap.Host.Tests.Pipeline.Faces;

/// <summary>The real BlazeFace detector from the model store and the astronaut fixture as BGRA and NV12 frames.</summary>
internal static class FaceFixture
{
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "buildspec.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (buildspec.json) not found above " + AppContext.BaseDirectory);
    }

    public static FaceDetectorFactory Detectors()
    {
        var model = Path.Combine(Root(), ".deps", "models", "blazeface", "face_detection_back_256x256_barracuda.onnx");
        Assert.True(File.Exists(model), $"{model} is missing: run scripts/fetch-deps.sh (scripts/setup.sh runs it)");
        return new FaceDetectorFactory(() => model, NullLogger.Instance);
    }

    public static (byte[] Pixels, int Width, int Height) AstronautBgra() => (Decode("bgra", 512 * 512 * 4), 512, 512);

    public static (byte[] Pixels, int Width, int Height) AstronautNv12() => (Decode("nv12", 512 * 512 * 3 / 2), 512, 512);

    private static byte[] Decode(string pixelFormat, int bytes)
    {
        var image = Path.Combine(Root(), "tests", "fixtures", "faces", "astronaut.png");
        var psi = new ProcessStartInfo("ffmpeg", ["-v", "error", "-i", image, "-f", "rawvideo", "-pix_fmt", pixelFormat, "-"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var ffmpeg = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg did not start");
        using var output = new MemoryStream();
        ffmpeg.StandardOutput.BaseStream.CopyTo(output);
        var errors = ffmpeg.StandardError.ReadToEnd();
        Assert.True(ffmpeg.WaitForExit(30_000), "ffmpeg did not finish");
        Assert.True(ffmpeg.ExitCode == 0 && output.Length == bytes, $"ffmpeg decoded {output.Length} bytes of {image} as {pixelFormat}, expected {bytes}: {errors}");
        return output.ToArray();
    }
}
