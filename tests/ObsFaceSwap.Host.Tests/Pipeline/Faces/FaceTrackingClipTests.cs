using Microsoft.Extensions.Logging.Abstractions;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Host.Pipeline.Faces;
using ObsFaceSwap.Testing;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Video;
using ObsFaceSwap.Vision;
using Xunit.Abstractions;

namespace ObsFaceSwap.Host.Tests.Pipeline.Faces;

/// <summary>
/// The privacy pipeline as the host runs it (<see cref="FramePipeline.Create"/>: FaceDetectStage +
/// FaceTrackStage, the real BlazeFace back-256 on ONNX Runtime, the default <c>detect_interval</c>
/// 1 and tracker settings) over the synthetic test clip of tests/ObsFaceSwap.Testing/Media: the
/// astronaut, then Grace Hopper, side by side, H.264 (CRF 12, a key frame every 30 frames),
/// decoded to BGRA. Needs scripts/fetch-deps.sh (model, ONNX Runtime) and ffmpeg; the clips are
/// cached under .e2e/cache. docs/host.md ("Tracking on the test clip") has the figures.
/// </summary>
/// <remarks>
/// Known positions: the strip of faces is drawn at <see cref="ClipSpec.FaceStripX"/>, whole
/// pixels, so a face's centre in frame i is its centre in frame 0 plus
/// <c>PanPixelsPerFrame * i</c>. The frame-0 centres come from one raw detection of frame 0 (the
/// detector alone), checked against the layout: the astronaut's image (512x512 scaled to
/// FaceHeight) spans <c>[strip, strip + FaceHeight)</c>, Grace Hopper's starts
/// <c>FaceHeight + FaceGap</c> further right, and on astronaut.png BlazeFace finds the face at
/// (0.44, 0.25) of the image (PrivacyPipelineTests).
/// </remarks>
public sealed class FaceTrackingClipTests(ITestOutputHelper output)
{
    /// <summary>
    /// Box centre tolerance on the moving clip. The tracker reports the 1€-filtered box (no
    /// velocity added on a frame the detector ran on), which trails a face moving at v px/s by
    /// about v / (2π fc), fc = 1 Hz + 0.02 /px x |speed| >= 1 Hz: at most 30 / 2π = 4.8 px for the
    /// clip's 1 px/frame at 30 fps. Plus 3 px (1.4 % of the 220 px face) for the detector's own
    /// error against the frame-0 reference.
    /// </summary>
    private const double CentreTolerancePx = 8;

    /// <summary>
    /// Least reduction of the frame-to-frame landmark jitter by smoothing. At its minimum cutoff
    /// (1 Hz) and 30 fps the 1€ filter is a low-pass with α = 1 / (1 + 30 / 2π) = 0.173, which
    /// divides the RMS frame-to-frame change of white noise by sqrt(2 - α) / α = 7.8 and of
    /// noise made of lasting steps (coding noise that holds for a GOP) by sqrt((2 - α) / α) = 3.2.
    /// </summary>
    private const double MinJitterReduction = 3;

    /// <summary>
    /// Most smoothed frame-to-frame landmark jitter on a still face: a tenth of a pixel, far below
    /// a step a viewer could see in a mask edge. Guards the level, not only the ratio (a detector
    /// that got noisier would pass the ratio).
    /// </summary>
    private const double MaxSmoothedJitterPx = 0.1;

    /// <summary>Most distance between the mean smoothed and the mean raw landmark on a still face: smoothing adds no offset.</summary>
    private const double MaxSmoothingBiasPx = 0.25;

    private const int Fps = 30;

    // The shim's default: detect on every frame (native-shim faceswap-filter.c, frame-channel.md).
    private static readonly PipelineSettings Privacy = new(PipelineMode.Privacy);

    [Fact]
    public async Task On_the_moving_clip_each_person_keeps_one_id_and_a_box_on_the_known_position()
    {
        var spec = new ClipSpec();
        Assert.Equal(Fps, spec.Fps);
        Assert.NotEqual(0, spec.PanPixelsPerFrame);
        var frames = await Decode(spec);
        var (astronaut0, hopper0) = ReferenceCentres(spec, frames[0]);

        var tracked = RunPipeline(frames);

        uint astronautId = 0, hopperId = 0;
        double maxError = 0, sumSquared = 0, sumLagX = 0;
        var coasting = 0;
        var ids = new HashSet<uint>();
        for (var i = 0; i < frames.Count; i++)
        {
            var faces = tracked[i];
            Assert.True(faces.Length == 2, $"frame {i}: {faces.Length} faces reported, expected 2");
            var shift = spec.PanPixelsPerFrame * i;
            var expectedAstronaut = (X: astronaut0.X + shift, astronaut0.Y);
            var expectedHopper = (X: hopper0.X + shift, hopper0.Y);

            // Who is who by position: the face nearer the astronaut's known place is the astronaut
            // (the faces are 230 px apart; the tolerance below is 8).
            var a = Distance(faces[0].Centre, expectedAstronaut) <= Distance(faces[1].Centre, expectedAstronaut) ? 0 : 1;
            var astronaut = faces[a];
            var hopper = faces[1 - a];
            astronautId = i == 0 ? astronaut.Id : astronautId;
            hopperId = i == 0 ? hopper.Id : hopperId;
            Assert.True(astronaut.Id == astronautId, $"frame {i}: the astronaut has id {astronaut.Id}, had {astronautId}");
            Assert.True(hopper.Id == hopperId, $"frame {i}: Grace Hopper has id {hopper.Id}, had {hopperId}");
            ids.Add(astronaut.Id);
            ids.Add(hopper.Id);
            coasting += faces.Count(f => f.Coasting);

            foreach (var (face, expected, who) in new[] { (astronaut, expectedAstronaut, "astronaut"), (hopper, expectedHopper, "Grace Hopper") })
            {
                var error = Distance(face.Centre, expected);
                maxError = Math.Max(maxError, error);
                sumSquared += error * error;
                sumLagX += expected.X - face.Centre.X;
                Assert.True(
                    error <= CentreTolerancePx,
                    $"frame {i}: {who}'s box centre ({face.Centre.X:0.0}, {face.Centre.Y:0.0}) is {error:0.0} px from ({expected.X:0.0}, {expected.Y:0.0}), tolerance {CentreTolerancePx}");
            }
        }

        var rms = Math.Sqrt(sumSquared / (2 * frames.Count));
        output.WriteLine($"moving clip: {frames.Count} frames, {spec.PanPixelsPerFrame} px/frame at {spec.Fps} fps; frame-0 centres: astronaut ({astronaut0.X:0.0}, {astronaut0.Y:0.0}), Grace Hopper ({hopper0.X:0.0}, {hopper0.Y:0.0})");
        output.WriteLine($"ids: astronaut {astronautId}, Grace Hopper {hopperId}; distinct ids over the clip: {ids.Count}; coasting face-frames: {coasting}");
        output.WriteLine($"box centre vs known position: RMS {rms:0.00} px, max {maxError:0.00} px (tolerance {CentreTolerancePx} px); mean lag in x {sumLagX / (2 * frames.Count):0.00} px");
        Assert.NotEqual(0u, astronautId);
        Assert.NotEqual(0u, hopperId);
        Assert.NotEqual(astronautId, hopperId);
        Assert.Equal(2, ids.Count);
        Assert.Equal(0, coasting);
    }

    /// <summary>
    /// A still clip: the jitter of the smoothed landmarks the pipeline reports against the raw
    /// landmarks of the detector alone on the same frames, as RMS over frames and the ten landmark
    /// coordinates of both faces of the change from one frame to the next. With no added noise
    /// the raw jitter comes mostly from the frame-index barcode along the top edge (its low bits,
    /// above the astronaut, change every frame: with the strip blanked her raw jitter falls from
    /// 0.13 to 0.013 px) and from H.264 coding noise, which steps at key frames;
    /// <paramref name="sensorNoise"/> adds fresh per-frame pixel noise as a camera sensor would.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public async Task On_a_still_clip_the_smoothed_landmarks_jitter_far_less_than_the_raw_detections(int sensorNoise)
    {
        var spec = new ClipSpec { PanPixelsPerFrame = 0 };
        var frames = await Decode(spec);
        AddSensorNoise(frames, sensorNoise);

        // Raw: the detector alone on every frame, the two faces told apart by x.
        var raw = new List<double[]>[2] { [], [] };
        using (var detector = FaceFixture.Detectors().Create())
        {
            foreach (var frame in frames)
            {
                var detections = detector.Detect(frame.Bgra, frame.Width, frame.Height, frame.Stride);
                Assert.True(detections.Count == 2, $"frame {frame.Index}: the detector found {detections.Count} faces, expected 2");
                var left = detections[0].Box.X < detections[1].Box.X ? 0 : 1;
                raw[0].Add(Flatten(detections[left].Landmarks));
                raw[1].Add(Flatten(detections[1 - left].Landmarks));
            }
        }

        // Smoothed: what the pipeline reports for the same frames, by the track ids of frame 0.
        var tracked = RunPipeline(frames);
        var smooth = new List<double[]>[2] { [], [] };
        var ids = tracked[0].OrderBy(f => f.Centre.X).Select(f => f.Id).ToArray();
        Assert.Equal(2, ids.Distinct().Count());
        for (var i = 0; i < tracked.Count; i++)
        {
            var faces = tracked[i];
            Assert.True(faces.Length == 2 && faces.All(f => ids.Contains(f.Id)), $"frame {i}: ids {string.Join(", ", faces.Select(f => f.Id))} reported, expected {ids[0]} and {ids[1]}");
            for (var p = 0; p < 2; p++)
            {
                smooth[p].Add(Assert.Single(faces, f => f.Id == ids[p]).Landmarks);
            }
        }

        string[] names = ["astronaut", "Grace Hopper"];
        for (var p = 0; p < 2; p++)
        {
            output.WriteLine(
                $"{names[p]} (id {ids[p]}): raw {RmsFrameToFrame(raw[p]):0.000} px frame to frame, std {StdAboutMean(raw[p]):0.000} px; "
                + $"smoothed {RmsFrameToFrame(smooth[p]):0.000} px, std {StdAboutMean(smooth[p]):0.000} px; bias {MeanOffset(raw[p], smooth[p]):0.000} px");
        }

        var rawJitter = RmsFrameToFrame(raw[0], raw[1]);
        var smoothJitter = RmsFrameToFrame(smooth[0], smooth[1]);
        var bias = Math.Max(MeanOffset(raw[0], smooth[0]), MeanOffset(raw[1], smooth[1]));
        output.WriteLine($"still clip, sensor noise ±{sensorNoise}, {frames.Count} frames, both faces: raw {rawJitter:0.000} px, smoothed {smoothJitter:0.000} px, reduced {rawJitter / smoothJitter:0.0}x");

        // The comparison means something only if the raw landmarks do move.
        Assert.True(rawJitter > 0.01, $"raw jitter {rawJitter:0.000} px: the detector's landmarks hardly move, nothing to smooth");
        Assert.True(smoothJitter * MinJitterReduction <= rawJitter, $"smoothed jitter {smoothJitter:0.000} px is not {MinJitterReduction}x below the raw {rawJitter:0.000} px");
        Assert.True(smoothJitter <= MaxSmoothedJitterPx, $"smoothed jitter {smoothJitter:0.000} px over {MaxSmoothedJitterPx} px");
        Assert.True(bias <= MaxSmoothingBiasPx, $"mean smoothed landmark {bias:0.000} px from the mean raw one, over {MaxSmoothingBiasPx} px");
    }

    private readonly record struct TrackedFace(uint Id, (double X, double Y) Centre, double[] Landmarks, bool Coasting);

    internal static async Task<IReadOnlyList<VideoFrame>> Decode(ClipSpec spec)
    {
        var clip = await TestClip.EnsureAsync(spec);
        return await clip.DecodeFramesAsync();
    }

    /// <summary>Runs every frame through the privacy pipeline as the host does; the faces it reports, per frame.</summary>
    private static unsafe List<TrackedFace[]> RunPipeline(IReadOnlyList<VideoFrame> frames)
    {
        var pipeline = FramePipeline.Create(FaceFixture.Detectors().Create);
        var result = new ResultBuilder(1 << 20);
        var tracked = new List<TrackedFace[]>(frames.Count);
        try
        {
            foreach (var frame in frames)
            {
                result.Reset();
                var timestampNs = (ulong)frame.Index * 1_000_000_000UL / Fps;
                pipeline.Run(
                    new FrameContext((ulong)frame.Index + 1, timestampNs, PixelFormat.Bgra, frame.Width, frame.Height, frame.Bgra, frame.Stride, default, 0, Privacy),
                    result,
                    PipelineMode.Privacy);
                var faces = new List<TrackedFace>();
                foreach (var item in result.Items)
                {
                    Assert.Equal((uint)ItemKind.Face, item.Kind);
                    var landmarks = new double[10];
                    for (var k = 0; k < landmarks.Length; k++)
                    {
                        landmarks[k] = item.Landmarks[k];
                    }

                    var centre = (item.Box[0] + (item.Box[2] / 2.0), item.Box[1] + (item.Box[3] / 2.0));
                    faces.Add(new TrackedFace(item.FaceId, centre, landmarks, (item.Flags & Wire.FaceFlagCoasting) != 0));
                }

                tracked.Add([.. faces]);
            }
        }
        finally
        {
            pipeline.DisposeStages();
        }

        return tracked;
    }

    /// <summary>The two face centres in frame 0 from one raw detection, checked against the image layout.</summary>
    private static ((double X, double Y) Astronaut, (double X, double Y) Hopper) ReferenceCentres(ClipSpec spec, VideoFrame frame0)
    {
        using var detector = FaceFixture.Detectors().Create();
        var detections = detector.Detect(frame0.Bgra, frame0.Width, frame0.Height, frame0.Stride);
        Assert.True(detections.Count == 2, $"frame 0: the detector found {detections.Count} faces, expected 2");
        var centres = detections.Select(d => (X: d.Box.X + (d.Box.Width / 2.0), Y: d.Box.Y + (d.Box.Height / 2.0))).OrderBy(c => c.X).ToArray();
        var strip = spec.FaceStripX(0);
        var hopperLeft = strip + spec.FaceHeight + spec.FaceGap;
        Assert.InRange(centres[0].X, strip, strip + spec.FaceHeight);
        Assert.InRange(centres[1].X, hopperLeft, spec.Width);
        Assert.InRange(centres[0].Y, spec.FaceTop, spec.FaceTop + spec.FaceHeight);
        Assert.InRange(centres[1].Y, spec.FaceTop, spec.FaceTop + spec.FaceHeight);

        // astronaut.png: the face at (0.44, 0.25) of the image, within 6 % of its side per axis.
        var size = spec.FaceHeight;
        var known = (X: strip + (0.44 * size), Y: spec.FaceTop + (0.25 * size));
        Assert.True(
            Math.Abs(centres[0].X - known.X) <= 0.06 * size && Math.Abs(centres[0].Y - known.Y) <= 0.06 * size,
            $"frame 0: astronaut centre ({centres[0].X:0.0}, {centres[0].Y:0.0}), expected near ({known.X:0.0}, {known.Y:0.0})");
        return (centres[0], centres[1]);
    }

    /// <summary>
    /// Adds fresh noise to B, G and R of every frame, as a camera sensor would (seeded, so runs
    /// repeat): the difference of two uniform integers 0..<paramref name="amplitude"/>, a
    /// triangular distribution on ±amplitude (amplitude + 1 a power of two, so unbiased).
    /// </summary>
    internal static void AddSensorNoise(IReadOnlyList<VideoFrame> frames, int amplitude)
    {
        if (amplitude == 0)
        {
            return;
        }

        Assert.True(int.IsPow2(amplitude + 1), "amplitude + 1 must be a power of two");
        var random = new Random(20261121);
        var noise = new byte[frames[0].Bgra.Length * 2];
        foreach (var frame in frames)
        {
            random.NextBytes(noise);
            var pixels = frame.Bgra;
            for (var i = 0; i < pixels.Length; i++)
            {
                if ((i & 3) != 3)
                {
                    var offset = (noise[2 * i] & amplitude) - (noise[(2 * i) + 1] & amplitude);
                    pixels[i] = (byte)Math.Clamp(pixels[i] + offset, 0, 255);
                }
            }
        }
    }

    private static double Distance((double X, double Y) a, (double X, double Y) b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    private static double[] Flatten(FiveLandmarks l) =>
    [
        l.RightEye.X, l.RightEye.Y, l.LeftEye.X, l.LeftEye.Y, l.Nose.X, l.Nose.Y,
        l.RightMouth.X, l.RightMouth.Y, l.LeftMouth.X, l.LeftMouth.Y,
    ];

    /// <summary>RMS over frames and coordinates (of every series given) of the change from one frame to the next.</summary>
    internal static double RmsFrameToFrame(params List<double[]>[] series)
    {
        double sum = 0;
        var n = 0;
        foreach (var frames in series)
        {
            for (var f = 1; f < frames.Count; f++)
            {
                for (var k = 0; k < frames[f].Length; k++)
                {
                    var d = frames[f][k] - frames[f - 1][k];
                    sum += d * d;
                    n++;
                }
            }
        }

        return Math.Sqrt(sum / n);
    }

    /// <summary>Standard deviation about the mean, pooled over coordinates.</summary>
    private static double StdAboutMean(List<double[]> frames)
    {
        double sum = 0;
        var n = 0;
        for (var k = 0; k < frames[0].Length; k++)
        {
            var mean = frames.Average(f => f[k]);
            foreach (var f in frames)
            {
                sum += (f[k] - mean) * (f[k] - mean);
                n++;
            }
        }

        return Math.Sqrt(sum / n);
    }

    /// <summary>Largest distance, over coordinates, between the means of two series.</summary>
    private static double MeanOffset(List<double[]> a, List<double[]> b)
    {
        double max = 0;
        for (var k = 0; k < a[0].Length; k++)
        {
            max = Math.Max(max, Math.Abs(a.Average(f => f[k]) - b.Average(f => f[k])));
        }

        return max;
    }
}
