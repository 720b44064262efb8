using System.Diagnostics;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Media;
using ObsFaceSwap.Testing.Onnx;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Swap.Tests;

/// <summary>
/// What the swap tests run on: the real BlazeFace back-256 model and public-domain faces, and
/// synthetic ArcFace and inswapper models with the real contracts (the real ones cannot be
/// fetched here) in a temporary folder. The swapper's emap makes the latent's first three
/// components follow the face's colour, so identities made from differently tinted pictures
/// give clearly different tints (the stand-in swapper outputs 0.5 x target + sigmoid(latent[c])).
/// </summary>
internal sealed class SwapAssets : IDisposable
{
    private SwapAssets(string folder)
    {
        Folder = folder;
        Swapper = Path.Combine(folder, "inswapper-stand-in.onnx");
        Embedder = Path.Combine(folder, "arcface-stand-in.onnx");
        Identities = Path.Combine(folder, "identities");
        Directory.CreateDirectory(Identities);
        Emap = AmplifiedEmap();
        InswapperStandIn.Build(Emap).Save(Swapper);
        ArcFaceStandIn.Build().Save(Embedder);
    }

    public string Folder { get; }

    public string Swapper { get; }

    public string Embedder { get; }

    public string Identities { get; }

    public float[] Emap { get; }

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

    public static string Face(string name) => Path.Combine(Root, "tests", "fixtures", "faces", name);

    public static SwapAssets Create() => new(Directory.CreateTempSubdirectory("ofs-swap-").FullName);

    public static BlazeFaceDetector Detector()
    {
        var path = Path.Combine(Root, ".deps", "models", "blazeface", BlazeFaceDetector.ModelFileName(BlazeFaceModel.Back256));
        Assert.True(File.Exists(path), $"{path} is missing: run scripts/fetch-deps.sh");
        return BlazeFaceDetector.Open(path, BlazeFaceModel.Back256);
    }

    public static (byte[] Bgra, int Width, int Height) Decode(string path) =>
        MediaTools.DecodeImageAsync(path, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Runs ffmpeg with <paramref name="arguments"/> (output last); fails the test on error.</summary>
    public static void Ffmpeg(params string[] arguments)
    {
        var psi = new ProcessStartInfo("ffmpeg", ["-v", "error", "-y", .. arguments]) { RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"ffmpeg {string.Join(' ', arguments)}: {err}");
    }

    /// <summary>Writes a colour-tinted copy of a fixture face as identity <paramref name="name"/>.</summary>
    public string TintedIdentity(string name, string face, string mixer)
    {
        var path = Path.Combine(Identities, name + ".png");
        Ffmpeg("-i", Face(face), "-vf", $"colorchannelmixer={mixer}", path);
        return path;
    }

    /// <summary>The astronaut and Grace Hopper side by side, both 400 px high (two faces).</summary>
    public string TwoFaces()
    {
        var path = Path.Combine(Folder, "two-faces.png");
        Ffmpeg("-i", Face("astronaut.png"), "-i", Face("grace_hopper.jpg"), "-filter_complex", "[0:v]scale=-2:400[a];[1:v]scale=-2:400[b];[a][b]hstack=inputs=2", path);
        return path;
    }

    public SwapOptions Options(string identity = "#1", FaceMappingMode mapping = FaceMappingMode.All, string faceMap = "", float colour = 0f) =>
        new(Identities, identity, mapping, faceMap, Swapper, Embedder, colour, 1f, ObsFaceSwap.Inference.ExecutionProvider.Cpu);

    public static SwapEngine Engine() =>
        new(id => throw new InvalidOperationException($"tests name models by path, not '{id}'"), () => Detector(), Decode);

    /// <summary>Tracks for every face the detector finds, ids from 1 in detection order sorted left to right.</summary>
    public static FaceTrack[] Tracks(IFaceDetector detector, byte[] bgra, int width, int height) =>
        detector.Detect(bgra, width, height, width * 4).OrderBy(d => d.Box.X)
            .Select((d, i) => new FaceTrack((uint)(i + 1), d.Box, d.Landmarks, d.Score, FaceTrackState.Confirmed, 0)).ToArray();

    /// <summary>sigmoid(latent[c]) x 255 for c = R, G, B: the tint the stand-in swapper adds.</summary>
    public static float[] Tint(Identity identity) =>
        [.. Enumerable.Range(0, 3).Select(c => 255f / (1f + MathF.Exp(-identity.Latent.Values[c])))];

    /// <summary>The patch's expected centre pixel (B, G, R): 0.5 x the crop + the tint, clamped.</summary>
    public static float[] ExpectedCentre(byte[] frame, int width, int height, in FaceTrack track, Identity identity, int size = 128)
    {
        var crop = new byte[size * size * 4];
        AffineWarp.BgraToBgra(frame, width, height, width * 4, FaceTemplate.CropToFrame(track.Landmarks, size), size, crop);
        var o = ((size / 2 * size) + (size / 2)) * 4;
        var tint = Tint(identity);
        return [Math.Min(255f, (0.5f * crop[o]) + tint[2]), Math.Min(255f, (0.5f * crop[o + 1]) + tint[1]), Math.Min(255f, (0.5f * crop[o + 2]) + tint[0])];
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    // emap = I + 30 x (columns 0..2: the stand-in ArcFace's normalised projection rows), so the
    // latent's first three components follow the face's mean colour.
    private static float[] AmplifiedEmap()
    {
        const int n = 512;
        var p = ArcFaceStandIn.Projection(n);
        var emap = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            emap[(i * n) + i] = 1f;
        }

        for (var j = 0; j < 3; j++)
        {
            var norm = MathF.Sqrt(Enumerable.Range(0, n).Sum(i => p[(j * n) + i] * p[(j * n) + i]));
            for (var i = 0; i < n; i++)
            {
                emap[(i * n) + j] += 30f * p[(j * n) + i] / norm;
            }
        }

        return emap;
    }
}

/// <summary>Records what the engine reports.</summary>
internal sealed class RecordingOutput : ISwapOutput
{
    public List<(uint Id, bool Unswapped)> Faces { get; } = [];

    public List<(byte[] Bgra, int Size, Affine2x3 PatchToFrame, float Opacity)> Patches { get; } = [];

    public void Face(in FaceTrack track, bool unswapped) => Faces.Add((track.Id, unswapped));

    public void Patch(uint faceId, ReadOnlySpan<byte> bgra, int size, Affine2x3 patchToFrame, float opacity) =>
        Patches.Add((bgra.ToArray(), size, patchToFrame, opacity));
}
