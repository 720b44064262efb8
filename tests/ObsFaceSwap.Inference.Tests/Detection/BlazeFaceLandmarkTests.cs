using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Vision;
using Xunit.Abstractions;
using static ObsFaceSwap.Inference.Tests.Detection.FaceFixtures;

namespace ObsFaceSwap.Inference.Tests.Detection;

/// <summary>
/// The real BlazeFace models on the public-domain faces: the five landmarks must land near
/// points checked by hand on the images, in the order <see cref="FiveLandmarks"/> documents.
/// </summary>
public sealed class BlazeFaceLandmarkTests(ITestOutputHelper output)
{
    /// <summary>
    /// Eyes, nose tip and mouth centre: within 15% of the hand-checked eye distance (6.75 px on
    /// the astronaut, 12 px on Grace Hopper), about 6.5% of the detector's box width. BlazeFace
    /// regresses its keypoints from a 16x16 / 8x8 anchor grid at 128 or 256 input pixels, so one
    /// input pixel is 2 to 4.7 frame pixels here; the worst point measured is 13% (front-128's
    /// left eye on the astronaut, 5.9 px). Hand-checking is good to about 1.5 px. The mistakes
    /// this is meant to catch are far larger: swapped labels move a point by a whole eye distance,
    /// a letterbox pad or scale mistake by tens of pixels.
    /// </summary>
    private const float PointTolerance = 0.15f;

    /// <summary>
    /// Mouth corners: within 30% of the eye distance. BlazeFace gives only the mouth centre, so
    /// the corners are estimated from the ArcFace template (see <see cref="BlazeFaceDetector"/>):
    /// the mouth centre's own error plus what the estimate ignores, here the astronaut's broad
    /// smile (corners about 5 px above the mouth centre and 2 to 3 px wider each side than the
    /// template, some 13% of her eye distance); measured worst 23% (10.3 px). Swapped corners
    /// would be a mouth width (about 90% of the eye distance) off.
    /// </summary>
    private const float CornerTolerance = 0.30f;

    /// <summary>
    /// Hand-checked landmarks, in each image's own pixels (x right, y down). "Right" is the
    /// subject's right, on the image's left. Checked by cropping each face with OpenCV, enlarging
    /// it 4 to 9 times with a labelled 10 px grid over it and reading the points off by eye, then
    /// drawing them back on the enlarged crop to look again; the eye centres were cross-checked
    /// against the centroid of the darkest 8% of pixels in a window around each iris (astronaut
    /// 201.6,99.6 and 247.4,101.9; Grace Hopper 222.5,189.8 and 303.7,186.8, pulled a little up
    /// by the lashes). The nose tip is the most prominent point of the nose, just above the
    /// nostrils; the mouth corners are where the lips meet; the mouth centre is midway between the
    /// corners across and midway between the top of the upper lip and the bottom of the lower lip
    /// down.
    /// </summary>
    private static readonly Dictionary<string, HandChecked> HandCheckedLandmarks = new()
    {
        ["astronaut.png"] = new(
            Width: 512,
            Height: 512,
            RightEye: new(202, 101),
            LeftEye: new(247, 103),
            Nose: new(223, 126),
            MouthCentre: new(223, 146),
            RightMouth: new(203, 140),
            LeftMouth: new(244, 141)),
        ["grace_hopper.jpg"] = new(
            Width: 512,
            Height: 600,
            RightEye: new(223, 190),
            LeftEye: new(303, 187),
            Nose: new(267, 246),
            MouthCentre: new(265, 277),
            RightMouth: new(231, 279),
            LeftMouth: new(299, 276)),
    };

    [Theory]
    [InlineData("astronaut.png", BlazeFaceModel.Front128)]
    [InlineData("astronaut.png", BlazeFaceModel.Back256)]
    [InlineData("grace_hopper.jpg", BlazeFaceModel.Back256)]
    public void Landmarks_are_near_the_hand_checked_points(string image, BlazeFaceModel model)
    {
        var truth = HandCheckedLandmarks[image];
        var face = Detect(Load(image, truth), model);
        AssertNear(truth, face, $"{image} {model}");
    }

    [Fact]
    public void Front128_landmarks_are_near_the_hand_checked_points_on_a_close_framing_of_Grace_Hopper()
    {
        // The front model is MediaPipe's short-range one, made for a face that fills much of a
        // selfie frame. On the whole 512x600 portrait (face box a third of the height, 42 px of
        // the 128 input) its nose tip lands mid-nose, 17.7 px (22% of the eye distance) above the
        // tip, while its eyes and mouth stay within 7 px; on a 280x280 crop around the face (box
        // 70% of the frame) all its points are within 6 px. The order test below still runs it on
        // the whole portrait.
        const int X0 = 130, Y0 = 100, Side = 280;
        var truth = HandCheckedLandmarks["grace_hopper.jpg"];
        var full = Load("grace_hopper.jpg", truth);
        var crop = new Frame(new byte[Side * Side * 4], Side, Side);
        for (var y = 0; y < Side; y++)
        {
            full.Bgra.AsSpan((((Y0 + y) * full.Width) + X0) * 4, Side * 4).CopyTo(crop.Bgra.AsSpan(y * Side * 4));
        }

        var face = Detect(crop, BlazeFaceModel.Front128);
        AssertNear(truth.Map(p => new PointF(p.X - X0, p.Y - Y0), swapSides: false), face, "grace_hopper.jpg 280x280 crop Front128");
    }

    [Theory]
    [InlineData("astronaut.png", BlazeFaceModel.Front128)]
    [InlineData("astronaut.png", BlazeFaceModel.Back256)]
    [InlineData("grace_hopper.jpg", BlazeFaceModel.Front128)]
    [InlineData("grace_hopper.jpg", BlazeFaceModel.Back256)]
    public void Landmarks_come_in_the_documented_order(string image, BlazeFaceModel model)
    {
        // FiveLandmarks: right eye, left eye, nose, right mouth corner, left mouth corner, "right"
        // being the subject's right, on the image's left for a frontal face. So in image x the
        // right eye comes before the left one and the right mouth corner before the left one;
        // the nose lies between the eyes, below them, and above the mouth.
        var face = Detect(Load(image, HandCheckedLandmarks[image]), model);
        var l = face.Landmarks;
        Assert.True(l.RightEye.X < l.LeftEye.X, $"right eye x {l.RightEye.X} should be left of the left eye x {l.LeftEye.X}");
        Assert.True(l.RightMouth.X < l.LeftMouth.X, $"right mouth corner x {l.RightMouth.X} should be left of the left one x {l.LeftMouth.X}");
        Assert.InRange(l.Nose.X, l.RightEye.X, l.LeftEye.X);
        Assert.True(l.Nose.Y > Math.Max(l.RightEye.Y, l.LeftEye.Y), $"nose y {l.Nose.Y} should be below the eyes");
        Assert.True(Math.Min(l.RightMouth.Y, l.LeftMouth.Y) > l.Nose.Y, $"mouth corners y {l.RightMouth.Y}, {l.LeftMouth.Y} should be below the nose y {l.Nose.Y}");
        Assert.True(l.RightEye.X > face.Box.X && l.LeftEye.X < face.Box.X + face.Box.Width, "eyes should lie inside the box");
    }

    [Theory]
    [InlineData("astronaut.png", BlazeFaceModel.Back256)]
    [InlineData("grace_hopper.jpg", BlazeFaceModel.Back256)]
    public void A_mirrored_face_keeps_the_order_and_mirrors_the_points(string image, BlazeFaceModel model)
    {
        // Mirrored, each person looks like a frontal face again: the subject's right eye is now the
        // physical eye that was on the image's right, mirrored to the image's left. So the labels
        // swap and the points mirror (x -> width - x); a detector that tied its labels to image
        // sides the wrong way round, or mapped x back through the letterbox wrongly, fails here.
        var truth = HandCheckedLandmarks[image];
        var frame = Load(image, truth);
        Span<byte> t = stackalloc byte[4];
        for (var y = 0; y < frame.Height; y++)
        {
            var row = frame.Bgra.AsSpan(y * frame.Width * 4, frame.Width * 4);
            for (int a = 0, b = frame.Width - 1; a < b; a++, b--)
            {
                row.Slice(a * 4, 4).CopyTo(t);
                row.Slice(b * 4, 4).CopyTo(row.Slice(a * 4, 4));
                t.CopyTo(row.Slice(b * 4, 4));
            }
        }

        var face = Detect(frame, model);
        AssertNear(truth.Map(p => new PointF(frame.Width - p.X, p.Y), swapSides: true), face, $"{image} mirrored {model}");
    }

    [Theory]
    [InlineData(BlazeFaceModel.Front128)]
    [InlineData(BlazeFaceModel.Back256)]
    public void Letterbox_padding_does_not_move_the_landmarks(BlazeFaceModel model)
    {
        // The astronaut's top half, 512x256, is letterboxed with a band above and below (64 input
        // pixels each at 256, 32 at 128: whole anchor cells), the whole 512x512 image with none;
        // the face sits at the same frame pixels in both, so the landmarks mapped back must agree
        // to a pixel. A pad dropped, doubled or taken from the wrong axis moves them by tens.
        var full = Load("astronaut.png", HandCheckedLandmarks["astronaut.png"]);
        var top = new Frame(full.Bgra[..(512 * 256 * 4)], 512, 256);
        var a = Detect(full, model).Landmarks;
        var b = Detect(top, model).Landmarks;
        (PointF, PointF)[] pairs = [(a.RightEye, b.RightEye), (a.LeftEye, b.LeftEye), (a.Nose, b.Nose), (a.RightMouth, b.RightMouth), (a.LeftMouth, b.LeftMouth)];
        foreach (var (p, q) in pairs)
        {
            output.WriteLine($"{model} full {p.X:F2},{p.Y:F2} top half {q.X:F2},{q.Y:F2}");
            Assert.True(Distance(p, q) <= 1f, $"{model}: landmark at {p.X:F1},{p.Y:F1} on the whole image but {q.X:F1},{q.Y:F1} on its letterboxed top half");
        }
    }

    private static Frame Load(string image, HandChecked truth)
    {
        var bgra = LoadBgra(image);
        Assert.Equal(truth.Width * truth.Height * 4, bgra.Length);
        return new Frame(bgra, truth.Width, truth.Height);
    }

    private FaceDetection Detect(Frame frame, BlazeFaceModel model)
    {
        using var detector = BlazeFaceDetector.Open(ModelPath(model), model, inference: new InferenceOptions(ExecutionProvider.Cpu));
        var face = Assert.Single(detector.Detect(frame.Bgra, frame.Width, frame.Height, frame.Width * 4));
        output.WriteLine($"{model} on {frame.Width}x{frame.Height}: score {face.Score:F3}, box {face.Box.X:F1},{face.Box.Y:F1} {face.Box.Width:F1}x{face.Box.Height:F1}");
        return face;
    }

    private void AssertNear(HandChecked truth, FaceDetection face, string what)
    {
        var eyeDistance = Distance(truth.RightEye, truth.LeftEye);
        var l = face.Landmarks;
        var mouthCentre = new PointF((l.RightMouth.X + l.LeftMouth.X) / 2, (l.RightMouth.Y + l.LeftMouth.Y) / 2);
        (string Name, PointF Expected, PointF Actual, float Tolerance)[] checks =
        [
            ("right eye", truth.RightEye, l.RightEye, PointTolerance),
            ("left eye", truth.LeftEye, l.LeftEye, PointTolerance),
            ("nose tip", truth.Nose, l.Nose, PointTolerance),
            ("mouth centre", truth.MouthCentre, mouthCentre, PointTolerance),
            ("right mouth corner", truth.RightMouth, l.RightMouth, CornerTolerance),
            ("left mouth corner", truth.LeftMouth, l.LeftMouth, CornerTolerance),
        ];

        // Every error is printed before any assertion, so one run shows them all.
        foreach (var (name, expected, actual, tolerance) in checks)
        {
            output.WriteLine($"{what} {name}: expected {expected.X:F0},{expected.Y:F0} got {actual.X:F1},{actual.Y:F1}, error {Distance(expected, actual):F1} px (tolerance {tolerance * eyeDistance:F1})");
        }

        foreach (var (name, expected, actual, tolerance) in checks)
        {
            var error = Distance(expected, actual);
            Assert.True(
                error <= tolerance * eyeDistance,
                $"{what} {name}: expected {expected.X},{expected.Y}, got {actual.X:F1},{actual.Y:F1}: {error:F1} px off, more than {tolerance:P0} of the eye distance {eyeDistance:F1} px");
        }
    }

    private static float Distance(PointF a, PointF b) => MathF.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    /// <summary>A BGRA frame, tightly packed.</summary>
    private sealed record Frame(byte[] Bgra, int Width, int Height);

    /// <summary>One image's hand-checked landmarks, pixels.</summary>
    private sealed record HandChecked(
        int Width,
        int Height,
        PointF RightEye,
        PointF LeftEye,
        PointF Nose,
        PointF MouthCentre,
        PointF RightMouth,
        PointF LeftMouth)
    {
        /// <summary>The points moved by <paramref name="map"/>; the subject's sides swapped when the map mirrors.</summary>
        public HandChecked Map(Func<PointF, PointF> map, bool swapSides) => swapSides
            ? this with { RightEye = map(LeftEye), LeftEye = map(RightEye), Nose = map(Nose), MouthCentre = map(MouthCentre), RightMouth = map(LeftMouth), LeftMouth = map(RightMouth) }
            : this with { RightEye = map(RightEye), LeftEye = map(LeftEye), Nose = map(Nose), MouthCentre = map(MouthCentre), RightMouth = map(RightMouth), LeftMouth = map(LeftMouth) };
    }
}
