namespace ObsFaceSwap.Vision.Colour;

/// <summary>
/// YCbCr -> RGB coefficients of ITU-R BT.709-6 (Kr 0.2126, Kb 0.0722, Kg 0.7152) for limited
/// ("TV") range input: Y 16..235, Cb/Cr 16..240, giving full-range R, G, B 0..255. This is the
/// NV12 the shim sends (docs/frame-channel.md). With Y' = Y - 16, U = Cb - 128, V = Cr - 128:
/// R = YScale·Y' + VToR·V; G = YScale·Y' - UToG·U - VToG·V; B = YScale·Y' + UToB·U.
/// </summary>
/// <remarks>
/// The one place these numbers live: the float kernels (<see cref="Alignment.AffineWarp"/>) use the
/// float constants, the integer row kernels the 16.16 fixed-point ones (truncated from the floats).
/// </remarks>
public static class Bt709LimitedRange
{
    /// <summary>255/219: luma scale from 219 levels to 255.</summary>
    public const float YScale = 255f / 219f;

    /// <summary>2(1-Kr)·255/224: Cr to R.</summary>
    public const float VToR = 1.792741f;

    /// <summary>2(1-Kb)Kb/Kg·255/224: Cb to G (subtracted).</summary>
    public const float UToG = 0.213249f;

    /// <summary>2(1-Kr)Kr/Kg·255/224: Cr to G (subtracted).</summary>
    public const float VToG = 0.532909f;

    /// <summary>2(1-Kb)·255/224: Cb to B.</summary>
    public const float UToB = 2.112402f;

    /// <summary><see cref="YScale"/> in 16.16 fixed point (76309).</summary>
    public const int YScaleQ16 = (int)(YScale * 65536);

    /// <summary><see cref="VToR"/> in 16.16 fixed point (117489).</summary>
    public const int VToRQ16 = (int)(VToR * 65536);

    /// <summary><see cref="UToG"/> in 16.16 fixed point (13975).</summary>
    public const int UToGQ16 = (int)(UToG * 65536);

    /// <summary><see cref="VToG"/> in 16.16 fixed point (34925).</summary>
    public const int VToGQ16 = (int)(VToG * 65536);

    /// <summary><see cref="UToB"/> in 16.16 fixed point (138438).</summary>
    public const int UToBQ16 = (int)(UToB * 65536);
}
