namespace ObsFaceSwap.Vision.Alignment;

/// <summary>
/// Least-squares similarity transform (rotation, uniform scale, translation; never a mirror)
/// between two point sets: Umeyama's method, S. Umeyama, "Least-squares estimation of
/// transformation parameters between two point patterns", IEEE Trans. PAMI 13(4):376-380,
/// 1991 (what InsightFace's <c>face_align</c> uses through scikit-image's
/// <c>SimilarityTransform.estimate</c>).
/// </summary>
/// <remarks>
/// In two dimensions Umeyama's SVD solution with the reflection excluded has a closed form.
/// With the centred points <c>x_i = from_i - mean(from)</c> and <c>y_i = to_i - mean(to)</c>:
/// <c>a = Σ x_i·y_i</c>, <c>b = Σ x_i × y_i</c> (the 2-D cross product) and
/// <c>σ² = Σ |x_i|²</c>; the rotation angle is <c>atan2(b, a)</c>, the scale
/// <c>√(a² + b²) / σ²</c> (Umeyama's <c>tr(DS) / σ²</c>) and the translation
/// <c>mean(to) - s·R·mean(from)</c>. Computed in double precision.
/// </remarks>
public static class SimilarityTransform
{
    /// <summary>
    /// The similarity <c>T</c> minimising <c>Σ |T(from_i) - to_i|²</c>.
    /// </summary>
    /// <param name="from">Source points, pixels; at least 2, not all equal.</param>
    /// <param name="to">Destination points, same count and order as <paramref name="from"/>; not all equal.</param>
    /// <returns>The transform <c>from -> to</c>; its determinant is positive (no mirror).</returns>
    /// <exception cref="ArgumentException">
    /// Fewer than 2 points, different lengths, a point that is not finite, or a degenerate set
    /// (all <paramref name="from"/> or all <paramref name="to"/> points equal, or a best scale of 0).
    /// </exception>
    public static Affine2x3 Estimate(ReadOnlySpan<PointF> from, ReadOnlySpan<PointF> to)
    {
        if (from.Length != to.Length)
        {
            throw new ArgumentException($"point counts differ: {from.Length} and {to.Length}", nameof(to));
        }

        if (from.Length < 2)
        {
            throw new ArgumentException($"needs at least 2 points, got {from.Length}", nameof(from));
        }

        double fx = 0, fy = 0, tx = 0, ty = 0;
        for (var i = 0; i < from.Length; i++)
        {
            if (!float.IsFinite(from[i].X) || !float.IsFinite(from[i].Y) || !float.IsFinite(to[i].X) || !float.IsFinite(to[i].Y))
            {
                throw new ArgumentException($"point {i} is not finite", nameof(from));
            }

            fx += from[i].X;
            fy += from[i].Y;
            tx += to[i].X;
            ty += to[i].Y;
        }

        var n = (double)from.Length;
        fx /= n;
        fy /= n;
        tx /= n;
        ty /= n;

        double a = 0, b = 0, sigmaFrom = 0, sigmaTo = 0;
        for (var i = 0; i < from.Length; i++)
        {
            var x0 = from[i].X - fx;
            var x1 = from[i].Y - fy;
            var y0 = to[i].X - tx;
            var y1 = to[i].Y - ty;
            a += (x0 * y0) + (x1 * y1);
            b += (x0 * y1) - (x1 * y0);
            sigmaFrom += (x0 * x0) + (x1 * x1);
            sigmaTo += (y0 * y0) + (y1 * y1);
        }

        // Relative threshold: points equal up to float rounding count as equal.
        var spread = Math.Max(Math.Abs(fx), Math.Abs(fy)) + 1.0;
        if (sigmaFrom <= 1e-12 * spread * spread * n)
        {
            throw new ArgumentException("degenerate point set: all source points are equal", nameof(from));
        }

        var spreadTo = Math.Max(Math.Abs(tx), Math.Abs(ty)) + 1.0;
        if (sigmaTo <= 1e-12 * spreadTo * spreadTo * n)
        {
            throw new ArgumentException("degenerate point set: all destination points are equal", nameof(to));
        }

        if ((a * a) + (b * b) <= 1e-24 * sigmaFrom * sigmaTo)
        {
            throw new ArgumentException("degenerate point sets: no similarity relates them (best scale 0)", nameof(to));
        }

        // s·cosθ = a / σ², s·sinθ = b / σ² (scale √(a²+b²)/σ², angle atan2(b, a)).
        var sc = a / sigmaFrom;
        var ss = b / sigmaFrom;
        var c = tx - ((sc * fx) - (ss * fy));
        var f = ty - ((ss * fx) + (sc * fy));
        return new Affine2x3((float)sc, (float)-ss, (float)c, (float)ss, (float)sc, (float)f);
    }
}
