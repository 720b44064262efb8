using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Blending;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// The swap stage's host work per face, model inference excluded (issue 4), on the real face
/// frames (<see cref="FaceFrames"/>) at 720p and 1080p, with the landmarks BlazeFace back-256
/// finds on them (the first face):
/// <list type="bullet">
/// <item><see cref="Estimate"/>: Umeyama similarity from the five landmarks to the 128 template, inverted (<see cref="FaceTemplate.CropToFrame"/>);</item>
/// <item><see cref="WarpTensor"/>: bilinear warp of the BGRA frame into inswapper's 3x128x128 RGB tensor, values / 255;</item>
/// <item><see cref="WarpCrop"/>: the same warp into a 128x128 BGRA crop (the target's colours for colour correction);</item>
/// <item><see cref="WarpTensorNv12"/>: the tensor from the same frame sent as NV12;</item>
/// <item><see cref="WritePatch"/>: the model output (here: the tensor) to the BGRA wire patch with alpha = the feathered mask;</item>
/// <item><see cref="ColourCorrect"/>: Lab mean/std transfer of the patch toward the target crop (strength 1);</item>
/// <item><see cref="PerFace"/>: estimate + warp into the tensor + write the patch with its mask: the per-face host time.</item>
/// </list>
/// OpenCV's equivalent (cv2.warpAffine and friends, scripts/bench-opencv.py --align) runs after
/// the BenchmarkDotNet run in the same command, on the same frames and the same transform
/// (<see cref="OpenCvComparison"/>); <see cref="Setup"/> writes what it needs beside the frames.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AlignmentBenchmarks
{
    /// <summary>Crop side: inswapper_128's input.</summary>
    public const int Size = FaceTemplate.InswapperSize;

    private readonly float[] _tensor = new float[3 * Size * Size];
    private readonly byte[] _crop = new byte[Size * Size * 4];
    private readonly byte[] _patch = new byte[Size * Size * 4];
    private readonly ColourCorrection _colour = new();
    private byte[] _frame = [];
    private byte[] _y = [];
    private byte[] _uv = [];
    private FiveLandmarks _landmarks;
    private Affine2x3 _cropToFrame;
    private int _width;
    private int _height;

    /// <summary>Frame size.</summary>
    [Params("1280x720", "1920x1080")]
    public string Resolution { get; set; } = "1280x720";

    [GlobalSetup]
    public void Setup()
    {
        (_width, _height) = FaceFrames.Parse(Resolution);
        var path = FaceFrames.RawPath(_width, _height);
        _frame = File.Exists(path) && new FileInfo(path).Length == _width * _height * 4L ? File.ReadAllBytes(path) : FaceFrames.Build(_width, _height);
        (_y, _uv) = ToNv12(_frame, _width, _height);
        using (var detector = BlazeFaceDetector.Open(FaceFrames.ModelPath(BlazeFaceModel.Back256), BlazeFaceModel.Back256, inference: new InferenceOptions(ExecutionProvider.Cpu)))
        {
            var faces = detector.Detect(_frame, _width, _height, _width * 4);
            if (faces.Count == 0)
            {
                throw new InvalidOperationException($"no face found in the {Resolution} frame");
            }

            _landmarks = faces[0].Landmarks;
            Console.WriteLine(FormattableString.Invariant($"// alignment on {Resolution}: face box {faces[0].Box.X:F0},{faces[0].Box.Y:F0} {faces[0].Box.Width:F0}x{faces[0].Box.Height:F0}"));
        }

        _cropToFrame = FaceTemplate.CropToFrame(_landmarks, Size);
        AffineWarp.BgraToTensor(_frame, _width, _height, _width * 4, _cropToFrame, Size, PixelNormalization.Inswapper, _tensor);
        AffineWarp.BgraToBgra(_frame, _width, _height, _width * 4, _cropToFrame, Size, _crop);
        WriteForOpenCv();
    }

    /// <summary>Umeyama from the landmarks to the template, inverted.</summary>
    [Benchmark]
    public Affine2x3 Estimate() => FaceTemplate.CropToFrame(_landmarks, Size);

    /// <summary>BGRA frame -> 3x128x128 RGB tensor / 255.</summary>
    [Benchmark]
    public void WarpTensor() => AffineWarp.BgraToTensor(_frame, _width, _height, _width * 4, _cropToFrame, Size, PixelNormalization.Inswapper, _tensor);

    /// <summary>BGRA frame -> 128x128 BGRA crop.</summary>
    [Benchmark]
    public void WarpCrop() => AffineWarp.BgraToBgra(_frame, _width, _height, _width * 4, _cropToFrame, Size, _crop);

    /// <summary>NV12 frame -> 3x128x128 RGB tensor / 255.</summary>
    [Benchmark]
    public void WarpTensorNv12() => AffineWarp.Nv12ToTensor(_y, _width, _uv, _width, _width, _height, _cropToFrame, Size, PixelNormalization.Inswapper, _tensor);

    /// <summary>Model output -> BGRA patch with alpha = mask.</summary>
    [Benchmark]
    public Affine2x3 WritePatch() => SwapPatch.WriteBgra(_tensor, Size, FeatheredMask.Get(Size).Alpha, _cropToFrame, _patch, Size * 4);

    /// <summary>Lab mean/std transfer of the patch toward the target crop, strength 1.</summary>
    [Benchmark]
    public void ColourCorrect() => _colour.Apply(_patch, Size * 4, _crop, Size * 4, FeatheredMask.Get(Size).Alpha, Size, 1f);

    /// <summary>The per-face host time without the model: estimate, warp into the tensor, write the patch and mask.</summary>
    [Benchmark]
    public Affine2x3 PerFace()
    {
        var cropToFrame = FaceTemplate.CropToFrame(_landmarks, Size);
        AffineWarp.BgraToTensor(_frame, _width, _height, _width * 4, cropToFrame, Size, PixelNormalization.Inswapper, _tensor);
        return SwapPatch.WriteBgra(_tensor, Size, FeatheredMask.Get(Size).Alpha, cropToFrame, _patch, Size * 4);
    }

    /// <summary>Path of the file telling scripts/bench-opencv.py --align the transform for a frame size.</summary>
    public static string CasePath(int width, int height) =>
        Path.Combine(FaceFrames.FrameDirectory, FormattableString.Invariant($"align-{width}x{height}.json"));

    /// <summary>
    /// Writes the landmarks, template and transform (in OpenCV's pixel convention: pixel i's
    /// centre at i, i.e. ours minus 0.5) and our tensor and crop, for the script to time OpenCV on
    /// the same crop and compare outputs.
    /// </summary>
    private void WriteForOpenCv()
    {
        Directory.CreateDirectory(FaceFrames.FrameDirectory);
        Span<PointF> points = stackalloc PointF[5];
        Span<PointF> template = stackalloc PointF[5];
        FaceTemplate.ToPoints(_landmarks, points);
        FaceTemplate.Points(Size, template);

        // M(p) = T(p + 0.5) - 0.5: the same map in OpenCV's convention (cv2.warpAffine with WARP_INVERSE_MAP).
        var t = _cropToFrame;
        var m = new[] { t.A, t.B, t.C + (0.5f * (t.A + t.B)) - 0.5f, t.D, t.E, t.F + (0.5f * (t.D + t.E)) - 0.5f };
        var json = new Dictionary<string, object>
        {
            ["size"] = Size,
            ["landmarks"] = points.ToArray().Select(p => new[] { p.X - 0.5f, p.Y - 0.5f }).ToArray(),
            ["template"] = template.ToArray().Select(p => new[] { p.X, p.Y }).ToArray(),
            ["crop_to_frame"] = m,
        };
        File.WriteAllText(CasePath(_width, _height), JsonSerializer.Serialize(json));
        File.WriteAllBytes(Path.ChangeExtension(CasePath(_width, _height), ".ours.f32"), MemoryMarshal.AsBytes(_tensor.AsSpan()).ToArray());
        File.WriteAllBytes(Path.ChangeExtension(CasePath(_width, _height), ".ours.bgra"), _crop);
    }

    /// <summary>BGRA to NV12 (BT.709 limited range, chroma averaged over each 2x2 block), Y and UV strides = width.</summary>
    private static (byte[] Y, byte[] Uv) ToNv12(byte[] bgra, int width, int height)
    {
        var y = new byte[width * height];
        var uv = new byte[width * height / 2];
        for (var row = 0; row < height; row++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((row * width) + x) * 4;
                var luma = (0.0722 * bgra[i]) + (0.7152 * bgra[i + 1]) + (0.2126 * bgra[i + 2]);
                y[(row * width) + x] = (byte)Math.Clamp(Math.Round(16 + (219.0 / 255 * luma)), 0, 255);
            }
        }

        for (var j = 0; j < height / 2; j++)
        {
            for (var k = 0; k < width / 2; k++)
            {
                double u = 0, v = 0;
                for (var d = 0; d < 4; d++)
                {
                    var i = ((((2 * j) + (d >> 1)) * width) + (2 * k) + (d & 1)) * 4;
                    var luma = (0.0722 * bgra[i]) + (0.7152 * bgra[i + 1]) + (0.2126 * bgra[i + 2]);
                    u += (bgra[i] - luma) / 1.8556;
                    v += (bgra[i + 2] - luma) / 1.5748;
                }

                uv[(j * width) + (2 * k)] = (byte)Math.Clamp(Math.Round(128 + (224.0 / 255 * u / 4)), 0, 255);
                uv[(j * width) + (2 * k) + 1] = (byte)Math.Clamp(Math.Round(128 + (224.0 / 255 * v / 4)), 0, 255);
            }
        }

        return (y, uv);
    }
}
