using ObsFaceSwap.Vision.Alignment;

namespace ObsFaceSwap.Vision.Tests.Alignment;

public class SimilarityTransformTests
{
    private static readonly PointF[] Points =
    [
        new(120, 80), new(180, 82), new(150, 120), new(125, 150), new(175, 148),
    ];

    /// <summary>Rotation 20°, scale 1.7, translation (35, -12).</summary>
    private static PointF Known(PointF p)
    {
        var angle = 20.0 * Math.PI / 180.0;
        var s = 1.7;
        var x = (s * ((Math.Cos(angle) * p.X) - (Math.Sin(angle) * p.Y))) + 35;
        var y = (s * ((Math.Sin(angle) * p.X) + (Math.Cos(angle) * p.Y))) - 12;
        return new PointF((float)x, (float)y);
    }

    private static (double Angle, double Scale) Decompose(Affine2x3 t) =>
        (Math.Atan2(t.D, t.A) * 180.0 / Math.PI, Math.Sqrt((t.A * t.A) + (t.D * t.D)));

    [Fact]
    public void Recovers_a_known_similarity_from_noise_free_points()
    {
        var to = Points.Select(Known).ToArray();
        var t = SimilarityTransform.Estimate(Points, to);

        var (angle, scale) = Decompose(t);
        Assert.Equal(20.0, angle, 3);
        Assert.Equal(1.7, scale, 4);
        Assert.Equal(t.A, t.E, 5);
        Assert.Equal(-t.B, t.D, 5);
        Assert.Equal(35.0, t.C, 2);
        Assert.Equal(-12.0, t.F, 2);
        for (var i = 0; i < Points.Length; i++)
        {
            var p = t.Apply(Points[i]);
            Assert.Equal(to[i].X, p.X, 2);
            Assert.Equal(to[i].Y, p.Y, 2);
        }
    }

    [Fact]
    public void Is_close_with_noisy_points()
    {
        var random = new Random(7);
        var to = Points.Select(Known)
            .Select(p => new PointF(p.X + (float)((random.NextDouble() - 0.5) * 2), p.Y + (float)((random.NextDouble() - 0.5) * 2)))
            .ToArray();
        var t = SimilarityTransform.Estimate(Points, to);

        var (angle, scale) = Decompose(t);
        Assert.InRange(angle, 19.0, 21.0);
        Assert.InRange(scale, 1.67, 1.73);
        var centre = t.Apply(new PointF(150, 116));
        var expected = Known(new PointF(150, 116));
        Assert.InRange(centre.X - expected.X, -1.0, 1.0);
        Assert.InRange(centre.Y - expected.Y, -1.0, 1.0);
    }

    [Fact]
    public void Least_squares_beats_any_nearby_similarity()
    {
        var random = new Random(3);
        var to = Points.Select(Known).Select(p => new PointF(p.X + random.Next(-3, 4), p.Y + random.Next(-3, 4))).ToArray();
        var t = SimilarityTransform.Estimate(Points, to);
        var best = Residual(t, to);
        foreach (var (da, dc) in new[] { (0.01f, 0f), (-0.01f, 0f), (0f, 0.5f), (0f, -0.5f) })
        {
            var other = new Affine2x3(t.A + da, t.B, t.C + dc, t.D, t.E + da, t.F);
            Assert.True(Residual(other, to) > best);
        }
    }

    [Fact]
    public void Never_returns_a_mirror()
    {
        // The destination is the source mirrored left-right: the best similarity still rotates.
        var mirrored = Points.Select(p => new PointF(-p.X, p.Y)).ToArray();
        var t = SimilarityTransform.Estimate(Points, mirrored);
        Assert.True(t.Determinant > 0);
    }

    [Fact]
    public void Two_points_are_enough()
    {
        var t = SimilarityTransform.Estimate([new(0, 0), new(10, 0)], [new(5, 5), new(5, 25)]);
        Assert.Equal(new PointF(5, 25), t.Apply(new PointF(10, 0)));
        Assert.Equal(2f, MathF.Sqrt(t.Determinant), 5);
    }

    [Fact]
    public void Rejects_bad_input()
    {
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(1, 1)], [new(2, 2)]));
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate(Points, Points.AsSpan(0, 4)));
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(3, 3), new(3, 3), new(3, 3)], Points.AsSpan(0, 3)));
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate(Points.AsSpan(0, 3), [new(3, 3), new(3, 3), new(3, 3)]));
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(float.NaN, 0), new(1, 1)], [new(0, 0), new(1, 1)]));
    }

    private static double Residual(Affine2x3 t, PointF[] to)
    {
        double sum = 0;
        for (var i = 0; i < Points.Length; i++)
        {
            var p = t.Apply(Points[i]);
            sum += Math.Pow(p.X - to[i].X, 2) + Math.Pow(p.Y - to[i].Y, 2);
        }

        return sum;
    }
}
