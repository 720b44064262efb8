using System.Diagnostics;
using ObsFaceSwap.Inference.Detection;
using static ObsFaceSwap.Inference.Tests.Detection.FaceFixtures;

namespace ObsFaceSwap.Inference.Tests.Detection;

public sealed class BlazeFaceDetectorTests
{
    [Theory]
    [InlineData(BlazeFaceModel.Front128)]
    [InlineData(BlazeFaceModel.Back256)]
    public void Astronaut_has_one_face_near_the_known_centre(BlazeFaceModel model)
    {
        var frame = LoadBgra("astronaut.png");
        Assert.Equal(512 * 512 * 4, frame.Length);
        using var detector = BlazeFaceDetector.Open(ModelPath(model), model, inference: new InferenceOptions(ExecutionProvider.Cpu));
        var faces = detector.Detect(frame, 512, 512, 512 * 4);
        var face = Assert.Single(faces);
        Assert.True(face.Score > 0.8f, $"score {face.Score}");
        var cx = (face.Box.X + (face.Box.Width / 2)) / 512;
        var cy = (face.Box.Y + (face.Box.Height / 2)) / 512;
        Assert.InRange(cx, 0.40f, 0.48f);
        Assert.InRange(cy, 0.20f, 0.30f);
    }

    [Fact]
    public void Flat_colour_has_no_face()
    {
        var frame = new byte[320 * 240 * 4];
        frame.AsSpan().Fill(128);
        using var detector = BlazeFaceDetector.Open(ModelPath(BlazeFaceModel.Back256), BlazeFaceModel.Back256);
        Assert.Empty(detector.Detect(frame, 320, 240, 320 * 4));
    }

    [Fact]
    public void Corrupt_model_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
        try
        {
            var ex = Assert.Throws<ModelLoadException>(() => BlazeFaceDetector.Open(path, BlazeFaceModel.Front128));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Grace_hopper_and_both_side_by_side()
    {
        var grace = LoadBgra("grace_hopper.jpg");
        Assert.Equal(512 * 600 * 4, grace.Length);
        var astro = LoadBgra("astronaut.png");
        using var detector = BlazeFaceDetector.Open(ModelPath(BlazeFaceModel.Back256), BlazeFaceModel.Back256);
        Assert.Single(detector.Detect(grace, 512, 600, 512 * 4));

        var both = new byte[1024 * 600 * 4];
        for (var y = 0; y < 600; y++)
        {
            if (y < 512)
            {
                astro.AsSpan(y * 2048, 2048).CopyTo(both.AsSpan(y * 4096));
            }

            grace.AsSpan(y * 2048, 2048).CopyTo(both.AsSpan((y * 4096) + 2048));
        }

        var faces = detector.Detect(both, 1024, 600, 4096);
        Assert.Equal(2, faces.Count);
        Assert.Contains(faces, f => f.Box.X + (f.Box.Width / 2) < 512);
        Assert.Contains(faces, f => f.Box.X + (f.Box.Width / 2) > 512);

        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            detector.Detect(both, 1024, 600, 4096);
        }

        Console.WriteLine($"BlazeFace back-256 detect 1024x600: {sw.Elapsed.TotalMilliseconds / 20:F2} ms/frame");
    }
}
