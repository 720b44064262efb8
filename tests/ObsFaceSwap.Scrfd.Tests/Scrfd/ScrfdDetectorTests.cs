using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Scrfd;
using ObsFaceSwap.Testing.Onnx;
using ObsFaceSwap.Vision;
using static ObsFaceSwap.Scrfd.Tests.Scrfd.ScrfdDecoderTests;

namespace ObsFaceSwap.Scrfd.Tests.Scrfd;

/// <summary>
/// <see cref="ScrfdDetector"/> on the real ONNX Runtime, with det_10g stand-ins built by
/// <see cref="ScrfdStandIn"/> (input <c>input.1</c>, nine outputs with det_10g's names and
/// shapes, constant values): the known anchor responses must come back as the known faces.
/// </summary>
public sealed class ScrfdDetectorTests : IDisposable
{
    private static readonly float[] Kps = [1f, 1f, 2f, 1f, 1.5f, 2f, 1f, 3f, 2f, 3f];
    private static readonly InferenceOptions Cpu = new(ExecutionProvider.Cpu, IntraOpThreads: 1);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_det_10g_stand_in_decodes_to_the_known_face()
    {
        var t = OneFace();
        using var detector = Open(ScrfdStandIn.Build(t.All));

        Assert.Equal("input.1", detector.InputName);
        Assert.Equal(ScrfdContract.Det10gOutputNames, detector.OutputNames);
        Assert.Equal(ExecutionProvider.Cpu, detector.Provider);
        Assert.Equal((640, 640), (detector.InputWidth, detector.InputHeight));

        var face = Assert.Single(detector.Detect(Frame(640, 640, 0, 0, 0), 640, 640, 640 * 4));

        Assert.Equal(0.9f, face.Score, 1e-5f);
        AssertBox(new BoxF(48, 24, 32, 48), face.Box);
        AssertPoint(new PointF(64, 48), face.Landmarks.RightEye);
        AssertPoint(new PointF(72, 48), face.Landmarks.LeftEye);
        AssertPoint(new PointF(68, 56), face.Landmarks.Nose);
        AssertPoint(new PointF(64, 64), face.Landmarks.RightMouth);
        AssertPoint(new PointF(72, 64), face.Landmarks.LeftMouth);
    }

    [Fact]
    public void The_letterbox_of_a_wide_frame_is_undone()
    {
        using var detector = Open(ScrfdStandIn.Build(OneFace().All));

        // 1280x720 with a padded stride: scale 0.5 into the top-left of the 640 input.
        var face = Assert.Single(detector.Detect(Frame(1280, 720, 0, 0, 0, stride: 1300 * 4), 1280, 720, 1300 * 4));

        AssertBox(new BoxF(96, 48, 64, 96), face.Box);
        AssertPoint(new PointF(128, 96), face.Landmarks.RightEye);
        AssertPoint(new PointF(144, 128), face.Landmarks.LeftMouth);
    }

    [Fact]
    public void A_dynamic_input_runs_at_the_configured_size_with_outputs_in_graph_order()
    {
        var t = OneFace();
        using var detector = Open(ScrfdStandIn.Build(t.All, dynamicInput: true));

        Assert.Equal((640, 640), (detector.InputWidth, detector.InputHeight));
        Assert.Equal(ScrfdContract.Det10gOutputNames, detector.OutputNames);
        // A 64x64 frame is scaled up by 10 into the input.
        AssertBox(new BoxF(4.8f, 2.4f, 3.2f, 4.8f), Assert.Single(detector.Detect(Frame(64, 64, 0, 0, 0), 64, 64, 256)).Box);
    }

    [Fact]
    public void Batched_outputs_and_a_shuffled_graph_order_are_mapped_by_shape()
    {
        var t = OneFace();
        // Stride 32 also fires, so a stride mix-up would show.
        t.Set(2, t.Anchor(2, 19, 19), 0.7f, [1f, 1f, 1f, 1f]);
        int[] order = [8, 0, 4, 2, 6, 1, 3, 7, 5];
        using var detector = Open(ScrfdStandIn.Build(t.All, batchedOutputs: true, graphOrder: order));

        Assert.Equal(ScrfdContract.Det10gOutputNames, detector.OutputNames);
        var faces = detector.Detect(Frame(640, 640, 0, 0, 0), 640, 640, 640 * 4);

        Assert.Equal(2, faces.Count);
        AssertBox(new BoxF(48, 24, 32, 48), faces[0].Box);
        AssertBox(new BoxF(576, 576, 64, 64), faces[1].Box);
    }

    [Fact]
    public void The_frame_reaches_the_model_as_normalised_red_in_the_first_channel()
    {
        // Score = 0 + 1 * mean(red channel): (255 - 127.5) / 128 for a red frame, the negative
        // for a blue one.
        var t = new ScrfdTensors();
        var anchor = t.Anchor(0, 7, 5);
        t.Set(0, anchor, 0f, [1f, 2f, 3f, 4f], Kps);
        var gain = new float[t.Scores[0].Length];
        gain[anchor] = 1f;
        using var detector = Open(ScrfdStandIn.Build(t.All, redGain: [gain, null, null]));

        var red = Assert.Single(detector.Detect(Frame(640, 640, 0, 0, 255), 640, 640, 640 * 4));
        Assert.Equal(127.5f / 128f, red.Score, 1e-4f);
        Assert.Empty(detector.Detect(Frame(640, 640, 255, 0, 0), 640, 640, 640 * 4));
        // A narrow frame leaves most of the input black (padding): the mean falls below 0.5.
        Assert.Empty(detector.Detect(Frame(64, 640, 0, 0, 255), 64, 640, 256));
    }

    [Fact]
    public void A_graph_that_is_not_scrfd_is_refused_with_its_name()
    {
        var eight = new OnnxGraphBuilder("eight").Input("input.1", 1, 3, 640, 640);
        for (var i = 0; i < 8; i++)
        {
            eight.Initializer($"c{i}", [0f], [1, 1]).Identity($"c{i}", $"o{i}").Output($"o{i}", 1, 1);
        }

        var path = _dir.File("eight.onnx");
        eight.Save(path);

        var ex = Assert.Throws<ModelLoadException>(() => ScrfdDetector.Open(path, inference: Cpu));
        Assert.Contains("eight.onnx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nine outputs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_and_corrupt_files_are_told_apart()
    {
        Assert.Throws<FileNotFoundException>(() => ScrfdDetector.Open(_dir.File("none.onnx"), inference: Cpu));
        var corrupt = _dir.File("corrupt.onnx");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5]);
        Assert.Throws<ModelLoadException>(() => ScrfdDetector.Open(corrupt, inference: Cpu));
    }

    [Fact]
    public void Detect_allocates_nothing_after_the_first_call()
    {
        using var detector = Open(ScrfdStandIn.Build(OneFace().All));
        var frame = Frame(1280, 720, 10, 20, 30);
        Assert.Single(detector.Detect(frame, 1280, 720, 1280 * 4));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var faces = detector.Detect(frame, 1280, 720, 1280 * 4);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Single(faces);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Detect_checks_the_frame()
    {
        using var detector = Open(ScrfdStandIn.Build(OneFace().All));

        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Detect(new byte[16], 0, 1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Detect(new byte[16], 2, 2, 4));
        Assert.Throws<ArgumentException>(() => detector.Detect(new byte[15], 2, 2, 8));
        detector.Dispose();
        Assert.Throws<ObjectDisposedException>(() => detector.Detect(new byte[16], 2, 2, 8));
    }

    private static ScrfdTensors OneFace()
    {
        var t = new ScrfdTensors();
        t.Set(0, t.Anchor(0, 7, 5, anchor: 1), 0.9f, [1f, 2f, 3f, 4f], Kps);
        return t;
    }

    private static byte[] Frame(int width, int height, byte b, byte g, byte r, int stride = 0)
    {
        stride = stride == 0 ? width * 4 : stride;
        var frame = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (y * stride) + (x * 4);
                frame[i] = b;
                frame[i + 1] = g;
                frame[i + 2] = r;
                frame[i + 3] = 255;
            }
        }

        return frame;
    }

    private ScrfdDetector Open(OnnxGraphBuilder model)
    {
        var path = _dir.File("det_10g_stand_in.onnx");
        model.Save(path);
        return ScrfdDetector.Open(path, inference: Cpu);
    }
}
