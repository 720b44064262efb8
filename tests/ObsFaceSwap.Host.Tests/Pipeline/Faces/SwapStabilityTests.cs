using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Onnx;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;
using Xunit.Abstractions;

namespace ObsFaceSwap.Host.Tests.Pipeline.Faces;

/// <summary>
/// Stability of the pasted patch (issue 4): on the still test clip, the frame-to-frame jitter of
/// the patch's corners as the swap stage places them (from the tracker's smoothed landmarks)
/// against the same patches placed from the detector's raw landmarks, frame by frame.
/// </summary>
public sealed class SwapStabilityTests(ITestOutputHelper output) : IDisposable
{
    private const int PatchSide = 128;
    private readonly string _folder = Directory.CreateTempSubdirectory("ofs-swap-jitter-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public async Task On_a_still_clip_the_pasted_patch_jitters_far_less_than_one_placed_by_raw_detections(int sensorNoise)
    {
        var frames = await FaceTrackingClipTests.Decode(new ClipSpec { PanPixelsPerFrame = 0, FrameCount = 90 });
        FaceTrackingClipTests.AddSensorNoise(frames, sensorNoise);
        var swapper = Path.Combine(_folder, "inswapper.onnx");
        InswapperStandIn.Build().Save(swapper);
        var settings = SwapPipelineTests.SwapSettings(_folder, swapper);

        // Raw: patch corners from the detector's landmarks on each frame (left face first).
        var raw = new List<double[]>[2] { [], [] };
        using (var detector = FaceFixture.Detectors().Create())
        {
            foreach (var frame in frames)
            {
                var faces = detector.Detect(frame.Bgra, frame.Width, frame.Height, frame.Stride).OrderBy(d => d.Box.X).ToArray();
                Assert.Equal(2, faces.Length);
                for (var p = 0; p < 2; p++)
                {
                    raw[p].Add(Corners(FaceTemplate.CropToFrame(faces[p].Landmarks, PatchSide)));
                }
            }
        }

        // Swapped: the patches' affines the pipeline sends (left patch first).
        var pasted = PastedCorners(frames, settings);

        var rawJitter = FaceTrackingClipTests.RmsFrameToFrame(raw[0], raw[1]);
        var pastedJitter = FaceTrackingClipTests.RmsFrameToFrame(pasted[0], pasted[1]);
        output.WriteLine($"still clip, sensor noise ±{sensorNoise}, {frames.Count} frames, patch corners of both faces: raw {rawJitter:0.000} px, pasted {pastedJitter:0.000} px frame to frame, reduced {rawJitter / pastedJitter:0.0}x");
        Assert.True(rawJitter > 0.01, $"raw patch jitter {rawJitter:0.000} px: nothing to smooth");
        Assert.True(pastedJitter * 3 <= rawJitter, $"pasted patch jitter {pastedJitter:0.000} px is not 3x below the raw {rawJitter:0.000} px");
        Assert.True(pastedJitter <= 0.15, $"pasted patch jitter {pastedJitter:0.000} px over 0.15 px");
    }

    /// <summary>Runs the frames through swap mode as the host does; per face (left first), the corners of its patch per frame.</summary>
    private static unsafe List<double[]>[] PastedCorners(IReadOnlyList<ObsFaceSwap.Testing.Video.VideoFrame> frames, PipelineSettings settings)
    {
        var pasted = new List<double[]>[2] { [], [] };
        var pipeline = SwapPipelineTests.Pipeline();
        var result = new ResultBuilder(1 << 21);
        try
        {
            foreach (var frame in frames)
            {
                result.Reset();
                pipeline.Run(new FrameContext((ulong)frame.Index + 1, (ulong)frame.Index * 33_333_333UL, PixelFormat.Bgra, frame.Width, frame.Height, frame.Bgra, frame.Stride, default, 0, settings), result, PipelineMode.Swap);
                var patches = new List<double[]>();
                foreach (var item in result.Items)
                {
                    if (item.Kind == (uint)ItemKind.Patch)
                    {
                        patches.Add(Corners(new Affine2x3(item.Affine[0], item.Affine[1], item.Affine[2], item.Affine[3], item.Affine[4], item.Affine[5])));
                    }
                }

                Assert.True(patches.Count == 2, $"frame {frame.Index}: {patches.Count} patches, expected 2");
                patches.Sort((a, b) => a[0].CompareTo(b[0]));
                pasted[0].Add(patches[0]);
                pasted[1].Add(patches[1]);
            }
        }
        finally
        {
            pipeline.DisposeStages();
        }

        return pasted;
    }

    /// <summary>The four patch corners in frame pixels: x0, y0, ..., x3, y3.</summary>
    private static double[] Corners(Affine2x3 patchToFrame)
    {
        var corners = new double[8];
        var k = 0;
        foreach (var (u, v) in new[] { (0f, 0f), (PatchSide, 0f), (0f, PatchSide), (PatchSide, PatchSide) })
        {
            var p = patchToFrame.Apply(new PointF(u, v));
            corners[k++] = p.X;
            corners[k++] = p.Y;
        }

        return corners;
    }
}
