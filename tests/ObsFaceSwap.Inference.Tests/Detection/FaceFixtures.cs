using System.Diagnostics;
using ObsFaceSwap.Inference.Detection;

namespace ObsFaceSwap.Inference.Tests.Detection;

/// <summary>The real BlazeFace models (.deps/models/blazeface) and the public-domain test faces (tests/fixtures/faces).</summary>
internal static class FaceFixtures
{
    /// <summary>The repository root: the first folder above the test binaries that holds buildspec.json.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "buildspec.json")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException("no buildspec.json above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The model file scripts/fetch-deps.sh places for <paramref name="model"/>; fails the test when it is missing.</summary>
    public static string ModelPath(BlazeFaceModel model)
    {
        var path = Path.Combine(Root, ".deps", "models", "blazeface", BlazeFaceDetector.ModelFileName(model));
        Assert.True(File.Exists(path), $"{path} is missing: run scripts/fetch-deps.sh");
        return path;
    }

    /// <summary>A fixture image decoded by ffmpeg to tightly packed BGRA, rows top to bottom.</summary>
    public static byte[] LoadBgra(string name)
    {
        var psi = new ProcessStartInfo("ffmpeg", ["-v", "error", "-i", Path.Combine(Root, "tests", "fixtures", "faces", name), "-f", "rawvideo", "-pix_fmt", "bgra", "-"])
        {
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return ms.ToArray();
    }
}
