namespace ObsFaceSwap.Vision.Alignment;

/// <summary>
/// A 2-D affine transform, row-major 2x3: <c>x' = A·x + B·y + C</c>, <c>y' = D·x + E·y + F</c>.
/// </summary>
/// <remarks>
/// <para>Coordinates are continuous pixel coordinates: pixel (i, j) covers [i, i+1) x [j, j+1)
/// and its centre is (i + 0.5, j + 0.5); x right, y down. This is how the detectors report
/// landmarks (their letterbox maps input-pixel centres at +0.5) and how the shim composites a
/// patch (it draws the patch as a sprite whose corners go through the transform).</para>
/// <para><see cref="ToArray"/> and <see cref="CopyTo"/> give <c>{A, B, C, D, E, F}</c>, the layout
/// of <c>ofs_result_item.affine</c> in native-shim/include/obs-faceswap/wire.h ("patch pixel
/// (u, v) lands on frame pixel (a·u + b·v + c, d·u + e·v + f)"), which
/// <c>ObsFaceSwap.Channel.ResultBuilder.AddPatch</c> takes as six floats.</para>
/// </remarks>
/// <param name="A">Row 0, column 0 (x from x).</param>
/// <param name="B">Row 0, column 1 (x from y).</param>
/// <param name="C">Row 0, translation, pixels.</param>
/// <param name="D">Row 1, column 0 (y from x).</param>
/// <param name="E">Row 1, column 1 (y from y).</param>
/// <param name="F">Row 1, translation, pixels.</param>
public readonly record struct Affine2x3(float A, float B, float C, float D, float E, float F)
{
    /// <summary>The identity transform.</summary>
    public static Affine2x3 Identity { get; } = new(1, 0, 0, 0, 1, 0);

    /// <summary>Determinant of the linear part, <c>A·E - B·D</c>: the area scale; negative for a mirror.</summary>
    public float Determinant => (A * E) - (B * D);

    /// <summary>True when all six values are finite.</summary>
    public bool IsFinite =>
        float.IsFinite(A) && float.IsFinite(B) && float.IsFinite(C) && float.IsFinite(D) && float.IsFinite(E) && float.IsFinite(F);

    /// <summary>A translation by (<paramref name="x"/>, <paramref name="y"/>) pixels.</summary>
    /// <param name="x">Pixels right.</param>
    /// <param name="y">Pixels down.</param>
    /// <returns>The transform.</returns>
    public static Affine2x3 Translation(float x, float y) => new(1, 0, x, 0, 1, y);

    /// <summary>A uniform scale about the origin followed by a translation: <c>p' = s·p + (x, y)</c>.</summary>
    /// <param name="scale">Scale factor.</param>
    /// <param name="x">Translation right, pixels.</param>
    /// <param name="y">Translation down, pixels.</param>
    /// <returns>The transform.</returns>
    public static Affine2x3 ScaleTranslation(float scale, float x, float y) => new(scale, 0, x, 0, scale, y);

    /// <summary>Maps one point.</summary>
    /// <param name="p">The point.</param>
    /// <returns><c>(A·x + B·y + C, D·x + E·y + F)</c>.</returns>
    public PointF Apply(PointF p) => new((A * p.X) + (B * p.Y) + C, (D * p.X) + (E * p.Y) + F);

    /// <summary>The inverse transform, computed in double precision.</summary>
    /// <returns>The transform <c>T⁻¹</c> with <c>T⁻¹(T(p)) = p</c>.</returns>
    /// <exception cref="InvalidOperationException">The transform is singular (determinant 0) or not finite.</exception>
    public Affine2x3 Inverse()
    {
        var det = ((double)A * E) - ((double)B * D);
        if (!IsFinite || det == 0 || !double.IsFinite(det))
        {
            throw new InvalidOperationException($"affine transform {this} is singular or not finite");
        }

        var ia = E / det;
        var ib = -B / det;
        var id = -D / det;
        var ie = A / det;
        return new Affine2x3(
            (float)ia,
            (float)ib,
            (float)(-((ia * C) + (ib * F))),
            (float)id,
            (float)ie,
            (float)(-((id * C) + (ie * F))));
    }

    /// <summary>The composition <c>this ∘ inner</c>: apply <paramref name="inner"/> first, then this transform.</summary>
    /// <param name="inner">The transform applied first.</param>
    /// <returns>The transform <c>p ↦ this(inner(p))</c>.</returns>
    public Affine2x3 Compose(Affine2x3 inner) => new(
        (A * inner.A) + (B * inner.D),
        (A * inner.B) + (B * inner.E),
        (A * inner.C) + (B * inner.F) + C,
        (D * inner.A) + (E * inner.D),
        (D * inner.B) + (E * inner.E),
        (D * inner.C) + (E * inner.F) + F);

    /// <summary>Writes <c>{A, B, C, D, E, F}</c>, the wire's <c>affine[6]</c> layout.</summary>
    /// <param name="destination">At least 6 floats.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 6.</exception>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < 6)
        {
            throw new ArgumentException("needs 6 floats", nameof(destination));
        }

        destination[0] = A;
        destination[1] = B;
        destination[2] = C;
        destination[3] = D;
        destination[4] = E;
        destination[5] = F;
    }

    /// <summary>A new array <c>{A, B, C, D, E, F}</c>, the wire's <c>affine[6]</c> layout (allocates: use <see cref="CopyTo"/> per frame).</summary>
    /// <returns>Six floats.</returns>
    public float[] ToArray() => [A, B, C, D, E, F];
}
