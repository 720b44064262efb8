using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Testing.Onnx;
using ObsFaceSwap.Vision;
using static ObsFaceSwap.Inference.Tests.Detection.FaceFixtures;

namespace ObsFaceSwap.Inference.Tests.Detection;

/// <summary>
/// Bad input to <see cref="BlazeFaceDetector.Open"/>, the path the host and the CLI open the
/// detector by: a model whose tensor names are BlazeFace's but whose shapes are not must be
/// refused with a <see cref="ModelLoadException"/> naming the file, the expected shapes and the
/// actual ones. (The manifest-level check of the same mismatch, <c>ModelSignature</c>, is covered
/// on in-memory signatures by ObsFaceSwap.Models.Tests.)
/// </summary>
public sealed class BlazeFaceModelShapeTests : IDisposable
{
    private const string InputName = "input:0";
    private static readonly string[] OutputNames = ["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ofs-blazeface-" + Guid.NewGuid().ToString("N"));

    public BlazeFaceModelShapeTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_stand_in_with_BlazeFace_shapes_opens_and_decodes_its_one_face()
    {
        // The control for the cases below: the same stand-in with the right shapes is accepted,
        // so they fail for their shapes and nothing else. Fine anchor of cell (8, 8), first of
        // two: centre (8.5 / 16, 8.5 / 16) of the 128 square = (68, 68) px; a 32 px box; keypoints
        // at offsets in input pixels. A 128 x 128 frame maps 1:1.
        var scores = Filled(512, -10f);
        var boxes = new float[512 * 16];
        var anchor = ((8 * 16) + 8) * 2;
        scores[anchor] = 5f;
        float[] regressors = [0, 0, 32, 32, -8, -6, 8, -6, 0, 0, 0, 8, -14, 0, 14, 0];
        regressors.CopyTo(boxes, anchor * 16);
        var path = Save("blazeface-like.onnx", [1, 128, 128, 3], [([1, 512, 1], scores), ([1, 384, 1], Filled(384, -10f)), ([1, 512, 16], boxes), ([1, 384, 16], new float[384 * 16])]);

        using var detector = BlazeFaceDetector.Open(path, BlazeFaceModel.Front128, inference: new InferenceOptions(ExecutionProvider.Cpu));
        var face = Assert.Single(detector.Detect(new byte[128 * 128 * 4], 128, 128, 128 * 4));

        Assert.Equal(1f / (1f + MathF.Exp(-5f)), face.Score, 1e-5f);
        AssertNear(new PointF(52, 52), new PointF(face.Box.X, face.Box.Y));
        AssertNear(new PointF(32, 32), new PointF(face.Box.Width, face.Box.Height));
        AssertNear(new PointF(60, 62), face.Landmarks.RightEye);
        AssertNear(new PointF(76, 62), face.Landmarks.LeftEye);
        AssertNear(new PointF(68, 68), face.Landmarks.Nose);
        var half = 16 * BlazeFaceDetector.MouthHalfWidthPerEyeDistance;
        AssertNear(new PointF(68 - half, 76), face.Landmarks.RightMouth);
        AssertNear(new PointF(68 + half, 76), face.Landmarks.LeftMouth);
    }

    [Fact]
    public void An_nchw_input_is_refused_naming_the_expected_and_actual_shapes()
    {
        var path = Save("nchw.onnx", [1, 3, 128, 128], RightOutputs());

        var ex = Assert.Throws<ModelLoadException>(() => BlazeFaceDetector.Open(path, BlazeFaceModel.Front128));

        Assert.Equal(path, ex.ModelPath);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("expected one input [1,128,128,3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found input:0 [1,3,128,128]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_with_the_wrong_anchor_counts_are_refused_naming_the_expected_and_actual_shapes()
    {
        // All 896 anchors in one tensor per head, as some other BlazeFace exports have them:
        // the same names and anchor total, but not the 512 + 384 split the decoder reads.
        var path = Save("concatenated.onnx", [1, 128, 128, 3], [([1, 896, 1], new float[896]), ([1, 896, 16], new float[896 * 16])]);

        var ex = Assert.Throws<ModelLoadException>(() => BlazeFaceDetector.Open(path, BlazeFaceModel.Front128));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("expected BlazeFace outputs [1,512,1], [1,384,1], [1,512,16], [1,384,16]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found Identity:0 [1,896,1], Identity_1:0 [1,896,16]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BlazeFaceModel.Back256, BlazeFaceModel.Front128, "[1,128,128,3]", "[1,256,256,3]")]
    [InlineData(BlazeFaceModel.Front128, BlazeFaceModel.Back256, "[1,256,256,3]", "[1,128,128,3]")]
    public void The_real_model_of_the_other_variant_is_refused(BlazeFaceModel file, BlazeFaceModel openedAs, string expected, string actual)
    {
        var path = ModelPath(file);

        var ex = Assert.Throws<ModelLoadException>(() => BlazeFaceDetector.Open(path, openedAs));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"expected one input {expected} for BlazeFace {openedAs}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"found input:0 {actual}", ex.Message, StringComparison.Ordinal);
    }

    private static void AssertNear(PointF expected, PointF actual)
    {
        Assert.Equal(expected.X, actual.X, 1e-3f);
        Assert.Equal(expected.Y, actual.Y, 1e-3f);
    }

    private static float[] Filled(int count, float value)
    {
        var a = new float[count];
        a.AsSpan().Fill(value);
        return a;
    }

    private static (long[] Shape, float[] Values)[] RightOutputs() =>
        [([1, 512, 1], new float[512]), ([1, 384, 1], new float[384]), ([1, 512, 16], new float[512 * 16]), ([1, 384, 16], new float[384 * 16])];

    /// <summary>
    /// A BlazeFace stand-in: input <c>input:0</c> of <paramref name="inputShape"/>, outputs named
    /// <c>Identity:0</c>, <c>Identity_1:0</c>, ... in order, each a constant (plus the input's
    /// mean times zero, so the graph reads its input).
    /// </summary>
    private string Save(string name, long[] inputShape, (long[] Shape, float[] Values)[] outputs)
    {
        var b = new OnnxGraphBuilder("blazeface_stand_in")
            .Input(InputName, [.. inputShape.Select(d => (OnnxDim)d)])
            .Node("ReduceMean", [InputName], ["input_mean"], OnnxAttributes.Scalar("keepdims", 0L))
            .Initializer("zero", [0f], [])
            .Mul("input_mean", "zero", "input_zero");
        for (var i = 0; i < outputs.Length; i++)
        {
            var (shape, values) = outputs[i];
            b.Constant($"const_{i}", values, shape)
                .Add($"const_{i}", "input_zero", OutputNames[i])
                .Output(OutputNames[i], [.. shape.Select(d => (OnnxDim)d)]);
        }

        var path = Path.Combine(_dir, name);
        b.Save(path);
        return path;
    }
}
