using ObsFaceSwap.Vision.Alignment;

namespace ObsFaceSwap.Vision.Tests.Alignment;

public class FaceTemplateTests
{
    /// <summary>
    /// Hand-checked landmarks of the astronaut (tests/fixtures/faces/astronaut.png, the same
    /// points as the Inference tests' BlazeFaceLandmarkTests): subject's right eye on the image's
    /// left, in <see cref="FiveLandmarks"/> order.
    /// </summary>
    private static readonly FiveLandmarks Astronaut = new(
        RightEye: new(202, 101),
        LeftEye: new(247, 103),
        Nose: new(223, 126),
        RightMouth: new(203, 140),
        LeftMouth: new(244, 141));

    [Fact]
    public void Size_112_is_the_published_template()
    {
        var points = new PointF[5];
        FaceTemplate.Points(112, points);
        Assert.Equal(new PointF(38.2946f, 51.6963f), points[0]);
        Assert.Equal(new PointF(73.5318f, 51.5014f), points[1]);
        Assert.Equal(new PointF(56.0252f, 71.7366f), points[2]);
        Assert.Equal(new PointF(41.5493f, 92.3655f), points[3]);
        Assert.Equal(new PointF(70.7299f, 92.2041f), points[4]);
    }

    [Fact]
    public void Size_128_is_the_template_shifted_8_pixels_right()
    {
        // 128 % 112 != 0: scale by 128/128 = 1, shift x by 8·128/128 = 8.
        var points = new PointF[5];
        FaceTemplate.Points(128, points);
        Assert.Equal(46.2946f, points[0].X, 4);
        Assert.Equal(51.6963f, points[0].Y, 4);
        Assert.Equal(81.5318f, points[1].X, 4);
        Assert.Equal(78.7299f, points[4].X, 4);
        Assert.Equal(92.2041f, points[4].Y, 4);
    }

    [Fact]
    public void Size_256_scales_by_2_and_shifts_16()
    {
        // 256 % 112 = 32: scale by 256/128 = 2, shift x by 8·2 = 16.
        var points = new PointF[5];
        FaceTemplate.Points(256, points);
        Assert.Equal((38.2946f * 2) + 16, points[0].X, 3);
        Assert.Equal(51.6963f * 2, points[0].Y, 3);
        Assert.Equal((70.7299f * 2) + 16, points[4].X, 3);
        Assert.Equal(92.2041f * 2, points[4].Y, 3);
    }

    [Fact]
    public void Size_224_scales_by_2_without_shift()
    {
        var points = new PointF[5];
        FaceTemplate.Points(224, points);
        Assert.Equal(38.2946f * 2, points[0].X, 3);
        Assert.Equal(92.3655f * 2, points[3].Y, 3);
    }

    [Fact]
    public void Template_order_is_the_landmark_order()
    {
        // The template's "right eye" is on the image's left, like FiveLandmarks.RightEye.
        var t = FaceTemplate.ArcFace112;
        Assert.True(t[0].X < t[1].X);
        Assert.True(t[3].X < t[4].X);
        Assert.True(t[0].Y < t[2].Y && t[2].Y < t[3].Y);
        Assert.True(Astronaut.RightEye.X < Astronaut.LeftEye.X);
    }

    [Theory]
    [InlineData(112)]
    [InlineData(128)]
    [InlineData(256)]
    public void A_frontal_face_maps_onto_the_template_without_a_mirror(int size)
    {
        var frameToCrop = FaceTemplate.FrameToCrop(Astronaut, size);
        Assert.True(frameToCrop.Determinant > 0, "a mirror flip means template and landmark orders disagree");

        // Each landmark lands near its own template point (continuous convention: +0.5). The
        // astronaut smiles broadly (mouth corners higher and wider than the template), so the
        // mouth corners are off by up to about a fifth of the eye distance; a left/right mix-up
        // puts points most of an eye distance away (see the next test).
        Assert.InRange(MeanResidual(frameToCrop, Astronaut, size), 0, 0.15);
        var template = new PointF[5];
        FaceTemplate.Points(size, template);
        var landmarks = new PointF[5];
        FaceTemplate.ToPoints(Astronaut, landmarks);
        var eyeDistance = template[1].X - template[0].X;
        for (var i = 0; i < 5; i++)
        {
            var p = frameToCrop.Apply(landmarks[i]);
            var error = MathF.Sqrt(MathF.Pow(p.X - template[i].X - 0.5f, 2) + MathF.Pow(p.Y - template[i].Y - 0.5f, 2));
            Assert.True(error < 0.25f * eyeDistance, $"point {i} is {error:F1} px from its template point");
        }

        // Upright face: small rotation; eye distance 45 px -> 35.24 px at 112.
        Assert.InRange(MathF.Atan2(frameToCrop.D, frameToCrop.A) * 180 / MathF.PI, -10, 10);
    }

    [Fact]
    public void Swapped_eyes_and_mouth_corners_would_not_fit()
    {
        // What a left/right mix-up looks like: no similarity (no mirror) fits, the scale collapses
        // and the points land far from the template.
        var swapped = new FiveLandmarks(Astronaut.LeftEye, Astronaut.RightEye, Astronaut.Nose, Astronaut.LeftMouth, Astronaut.RightMouth);
        var right = FaceTemplate.FrameToCrop(Astronaut, 112);
        var wrong = FaceTemplate.FrameToCrop(swapped, 112);
        Assert.True(wrong.Determinant < 0.5f * right.Determinant, $"determinants {wrong.Determinant:F3} and {right.Determinant:F3}");
        Assert.True(MeanResidual(wrong, swapped, 112) > 0.4, $"mean residual {MeanResidual(wrong, swapped, 112):F2} eye distances");
    }

    /// <summary>Mean distance of the mapped landmarks from their template points, in template eye distances.</summary>
    private static double MeanResidual(Affine2x3 frameToCrop, FiveLandmarks landmarks, int size)
    {
        var template = new PointF[5];
        FaceTemplate.Points(size, template);
        var points = new PointF[5];
        FaceTemplate.ToPoints(landmarks, points);
        double sum = 0;
        for (var i = 0; i < 5; i++)
        {
            var p = frameToCrop.Apply(points[i]);
            sum += Math.Sqrt(Math.Pow(p.X - template[i].X - 0.5, 2) + Math.Pow(p.Y - template[i].Y - 0.5, 2));
        }

        return sum / 5 / (template[1].X - template[0].X);
    }

    [Fact]
    public void CropToFrame_is_the_inverse_of_FrameToCrop()
    {
        var forward = FaceTemplate.FrameToCrop(Astronaut, 128);
        var back = FaceTemplate.CropToFrame(Astronaut, 128);
        var p = back.Apply(forward.Apply(new PointF(230, 120)));
        Assert.Equal(230f, p.X, 2);
        Assert.Equal(120f, p.Y, 2);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceTemplate.Points(0, new PointF[5]));
        Assert.Throws<ArgumentException>(() => FaceTemplate.Points(112, new PointF[4]));
        var collapsed = new FiveLandmarks(new(5, 5), new(5, 5), new(5, 5), new(5, 5), new(5, 5));
        Assert.Throws<ArgumentException>(() => FaceTemplate.FrameToCrop(collapsed, 112));
    }
}
