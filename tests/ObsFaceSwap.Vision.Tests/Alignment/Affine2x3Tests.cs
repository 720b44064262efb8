using ObsFaceSwap.Vision.Alignment;

namespace ObsFaceSwap.Vision.Tests.Alignment;

public class Affine2x3Tests
{
    private static readonly Affine2x3 Sample = new(1.2f, -0.4f, 30.5f, 0.35f, 1.1f, -12.25f);

    [Fact]
    public void Apply_computes_the_documented_formula()
    {
        var p = Sample.Apply(new PointF(10, 20));
        Assert.Equal((1.2f * 10) + (-0.4f * 20) + 30.5f, p.X, 4);
        Assert.Equal((0.35f * 10) + (1.1f * 20) - 12.25f, p.Y, 4);
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(100f, -50f)]
    [InlineData(1919.5f, 1079.5f)]
    public void Inverse_undoes_Apply(float x, float y)
    {
        var inverse = Sample.Inverse();
        var back = inverse.Apply(Sample.Apply(new PointF(x, y)));
        Assert.Equal(x, back.X, 2);
        Assert.Equal(y, back.Y, 2);

        var identity = inverse.Compose(Sample);
        Assert.Equal(1f, identity.A, 5);
        Assert.Equal(0f, identity.B, 5);
        Assert.Equal(0f, identity.C, 4);
        Assert.Equal(0f, identity.D, 5);
        Assert.Equal(1f, identity.E, 5);
        Assert.Equal(0f, identity.F, 4);
    }

    [Fact]
    public void Compose_applies_the_inner_transform_first()
    {
        var scale = Affine2x3.ScaleTranslation(2, 0, 0);
        var shift = Affine2x3.Translation(10, 5);
        // scale ∘ shift: (1, 1) -> (11, 6) -> (22, 12); shift ∘ scale: (1, 1) -> (2, 2) -> (12, 7).
        Assert.Equal(new PointF(22, 12), scale.Compose(shift).Apply(new PointF(1, 1)));
        Assert.Equal(new PointF(12, 7), shift.Compose(scale).Apply(new PointF(1, 1)));
    }

    [Fact]
    public void ToArray_and_CopyTo_use_the_wire_layout()
    {
        Assert.Equal(new[] { 1.2f, -0.4f, 30.5f, 0.35f, 1.1f, -12.25f }, Sample.ToArray());
        Span<float> six = stackalloc float[6];
        Sample.CopyTo(six);
        Assert.Equal(Sample.ToArray(), six.ToArray());
        Assert.Throws<ArgumentException>(() => Sample.CopyTo(new float[5]));
    }

    [Fact]
    public void Singular_or_non_finite_transforms_have_no_inverse()
    {
        Assert.Throws<InvalidOperationException>(() => new Affine2x3(1, 2, 0, 2, 4, 0).Inverse());
        Assert.Throws<InvalidOperationException>(() => new Affine2x3(float.NaN, 0, 0, 0, 1, 0).Inverse());
    }

    [Fact]
    public void Determinant_is_negative_for_a_mirror()
    {
        Assert.True(new Affine2x3(-1, 0, 0, 0, 1, 0).Determinant < 0);
        Assert.Equal(4f, Affine2x3.ScaleTranslation(2, 3, 4).Determinant);
    }
}
