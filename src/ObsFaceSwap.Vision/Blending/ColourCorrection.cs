using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ObsFaceSwap.Vision.Blending;

/// <summary>
/// Colour transfer from the target face onto the swapped face: per CIELAB channel, the swapped
/// patch's mean and standard deviation are moved toward the target crop's, both measured inside
/// the paste-back mask (E. Reinhard, M. Ashikhmin, B. Gooch, P. Shirley, "Color Transfer between
/// Images", IEEE CG&amp;A 21(5), 2001, here in CIELAB rather than lαβ). One instance per thread:
/// a scratch buffer grows to the largest crop seen and is reused (no allocation per call after).
/// </summary>
/// <remarks>
/// <para>Colour space: 8-bit sRGB, D65. sRGB to linear by the IEC 61966-2-1:1999 transfer
/// function (<c>c ≤ 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055)^2.4</c>), linear RGB to XYZ and
/// back by the sRGB/D65 matrices of Bruce Lindbloom's "RGB/XYZ Matrices"
/// (brucelindbloom.com), XYZ to L*a*b* by CIE 15:2004 with white (0.95047, 1, 1.08883),
/// ε = 216/24389, κ = 24389/27 (Lindbloom's "XYZ to Lab" and "Lab to XYZ").</para>
/// <para>Per channel, with the patch's mean μp and std σp and the target's μt and σt (weights:
/// the mask's alpha / 255), strength s moves the statistics to <c>μ = μp + s·(μt - μp)</c> and
/// <c>σ = σp + s·(σt - σp)</c>: <c>x' = (x - μp)·σ/σp + μ</c> (σ/σp = 1 when σp is 0). Results
/// are converted back to sRGB, clamped to 0..255 and rounded. Only pixels with alpha &gt; 0 are
/// rewritten (the others are not shown); alpha is kept.</para>
/// </remarks>
public sealed class ColourCorrection
{
    private const float Epsilon = 216f / 24389f;
    private const float Kappa = 24389f / 27f;
    private const float WhiteX = 0.95047f;
    private const float WhiteZ = 1.08883f;

    private const int LinearSteps = 16384;

    private static readonly float[] SrgbToLinear = BuildSrgbToLinear();
    private static readonly byte[] LinearToSrgb = BuildLinearToSrgb();

    private float[] _lab = [];

    /// <summary>
    /// Moves the patch's Lab statistics toward the target's, in place.
    /// </summary>
    /// <param name="patch">Swapped face, S x S BGRA (alpha is ignored here and kept); row y at <c>y·patchStride</c>.</param>
    /// <param name="patchStride">Bytes per patch row, &gt;= 4·S.</param>
    /// <param name="target">The target's aligned crop, S x S BGRA (alpha ignored), e.g. from <see cref="Alignment.AffineWarp.BgraToBgra"/>.</param>
    /// <param name="targetStride">Bytes per target row, &gt;= 4·S.</param>
    /// <param name="mask">S·S weights 0..255 (row-major, stride S), e.g. <see cref="FeatheredMask.Alpha"/>; statistics are weighted by it.</param>
    /// <param name="size">Side S, pixels, &gt; 0.</param>
    /// <param name="strength">0..1: 0 leaves the patch unchanged, 1 matches the target's mean and std.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/>, a stride or <paramref name="strength"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public void Apply(Span<byte> patch, int patchStride, ReadOnlySpan<byte> target, int targetStride, ReadOnlySpan<byte> mask, int size, float strength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchStride, size * 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetStride, size * 4);
        if (!(strength >= 0f && strength <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(strength), strength, "must be within 0..1");
        }

        var rowBytes = size * 4L;
        if (patch.Length < ((long)patchStride * (size - 1)) + rowBytes)
        {
            throw new ArgumentException($"{patch.Length} bytes cannot hold a {size}x{size} BGRA patch with stride {patchStride}", nameof(patch));
        }

        if (target.Length < ((long)targetStride * (size - 1)) + rowBytes)
        {
            throw new ArgumentException($"{target.Length} bytes cannot hold a {size}x{size} BGRA crop with stride {targetStride}", nameof(target));
        }

        if (mask.Length < (long)size * size)
        {
            throw new ArgumentException($"{mask.Length} bytes cannot hold a {size}x{size} mask", nameof(mask));
        }

        if (strength == 0f)
        {
            return;
        }

        var count = size * size * 3;
        if (_lab.Length < count)
        {
            _lab = new float[count];
        }

        var lab = _lab.AsSpan(0, count);
        var patchStats = default(Stats);
        var targetStats = default(Stats);
        for (var y = 0; y < size; y++)
        {
            var p = patch.Slice(y * patchStride, size * 4);
            var t = target.Slice(y * targetStride, size * 4);
            var m = mask.Slice(y * size, size);
            for (var x = 0; x < size; x++)
            {
                var w = m[x];
                if (w == 0)
                {
                    continue;
                }

                var i = x * 4;
                var (l, a, b) = ToLab(p[i + 2], p[i + 1], p[i]);
                var o = ((y * size) + x) * 3;
                lab[o] = l;
                lab[o + 1] = a;
                lab[o + 2] = b;
                patchStats.Add(w, l, a, b);
                var (tl, ta, tb) = ToLab(t[i + 2], t[i + 1], t[i]);
                targetStats.Add(w, tl, ta, tb);
            }
        }

        if (patchStats.Weight == 0)
        {
            return;
        }

        Span<float> scale = stackalloc float[3];
        Span<float> offset = stackalloc float[3];
        for (var c = 0; c < 3; c++)
        {
            var (mp, sp) = patchStats.MeanStd(c);
            var (mt, st) = targetStats.MeanStd(c);
            var mean = mp + (strength * (mt - mp));
            var std = sp + (strength * (st - sp));
            var k = sp > 1e-6 ? std / sp : 1.0;

            // x' = (x - mp)·k + mean = x·k + (mean - mp·k)
            scale[c] = (float)k;
            offset[c] = (float)(mean - (mp * k));
        }

        for (var y = 0; y < size; y++)
        {
            var p = patch.Slice(y * patchStride, size * 4);
            var m = mask.Slice(y * size, size);
            for (var x = 0; x < size; x++)
            {
                if (m[x] == 0)
                {
                    continue;
                }

                var o = ((y * size) + x) * 3;
                var (r, g, b) = FromLab((lab[o] * scale[0]) + offset[0], (lab[o + 1] * scale[1]) + offset[1], (lab[o + 2] * scale[2]) + offset[2]);
                var i = x * 4;
                p[i] = b;
                p[i + 1] = g;
                p[i + 2] = r;
            }
        }
    }

    /// <summary>8-bit sRGB to CIELAB (D65): L in 0..100, a and b about -128..127.</summary>
    /// <param name="r">Red, 0..255.</param>
    /// <param name="g">Green, 0..255.</param>
    /// <param name="b">Blue, 0..255.</param>
    /// <returns>(L*, a*, b*).</returns>
    public static (float L, float A, float B) ToLab(byte r, byte g, byte b)
    {
        var rl = SrgbToLinear[r];
        var gl = SrgbToLinear[g];
        var bl = SrgbToLinear[b];
        var xyz = Vector128.Create(
            ((0.4124564f * rl) + (0.3575761f * gl) + (0.1804375f * bl)) / WhiteX,
            (0.2126729f * rl) + (0.7151522f * gl) + (0.0721750f * bl),
            ((0.0193339f * rl) + (0.1191920f * gl) + (0.9503041f * bl)) / WhiteZ,
            1f);

        // f(t) = t > ε ? ∛t : (κ·t + 16) / 116, on x, y, z at once.
        var linear = ((xyz * Kappa) + Vector128.Create(16f)) * (1f / 116f);
        var f = Vector128.ConditionalSelect(Vector128.GreaterThan(xyz, Vector128.Create(Epsilon)), Cbrt(xyz), linear);
        var fx = f.GetElement(0);
        var fy = f.GetElement(1);
        var fz = f.GetElement(2);
        return ((116f * fy) - 16f, 500f * (fx - fy), 200f * (fy - fz));
    }

    /// <summary>CIELAB (D65) to 8-bit sRGB, clamped to 0..255 and rounded.</summary>
    /// <param name="l">L*.</param>
    /// <param name="a">a*.</param>
    /// <param name="b">b*.</param>
    /// <returns>(R, G, B).</returns>
    public static (byte R, byte G, byte B) FromLab(float l, float a, float b)
    {
        var fy = (l + 16f) / 116f;
        var fx = fy + (a / 500f);
        var fz = fy - (b / 200f);
        var fx3 = fx * fx * fx;
        var fz3 = fz * fz * fz;
        var xr = fx3 > Epsilon ? fx3 : ((116f * fx) - 16f) / Kappa;
        var yr = l > Kappa * Epsilon ? fy * fy * fy : l / Kappa;
        var zr = fz3 > Epsilon ? fz3 : ((116f * fz) - 16f) / Kappa;
        var x = xr * WhiteX;
        var z = zr * WhiteZ;
        var rl = (3.2404542f * x) - (1.5371385f * yr) - (0.4985314f * z);
        var gl = (-0.9692660f * x) + (1.8760108f * yr) + (0.0415560f * z);
        var bl = (0.0556434f * x) - (0.2040259f * yr) + (1.0572252f * z);
        return (ToSrgbByte(rl), ToSrgbByte(gl), ToSrgbByte(bl));
    }

    /// <summary>
    /// Cube root of positive lanes: an exponent-thirding first guess (the classic bit trick) and
    /// three Newton steps, y ← (2y + t / y²) / 3, to float precision (relative error about 1e-7
    /// for t in 1e-3..2, the range used here).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Cbrt(Vector128<float> t)
    {
        var third = Vector128.Create(1f / 3f);
        var bits = Vector128.ConvertToSingle(t.AsInt32()) * third;
        var y = (Vector128.ConvertToInt32(bits) + Vector128.Create(0x2a5137a0)).AsSingle();
        for (var i = 0; i < 3; i++)
        {
            y = ((y + y) + (t / (y * y))) * third;
        }

        return y;
    }

    /// <summary>Linear 0..1 to an 8-bit sRGB value through <see cref="LinearToSrgb"/> (clamped; NaN to 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte ToSrgbByte(float linear)
    {
        if (!(linear > 0f))
        {
            return 0;
        }

        return linear >= 1f ? (byte)255 : LinearToSrgb[(int)((linear * LinearSteps) + 0.5f)];
    }

    /// <summary>8-bit sRGB of linear i / <see cref="LinearSteps"/>, rounded (IEC 61966-2-1 encoding). Input steps of 1/16384 move the output by at most 0.2 of a level.</summary>
    private static byte[] BuildLinearToSrgb()
    {
        var table = new byte[LinearSteps + 1];
        for (var i = 0; i <= LinearSteps; i++)
        {
            var l = (double)i / LinearSteps;
            var v = l <= 0.0031308 ? 12.92 * l : (1.055 * Math.Pow(l, 1 / 2.4)) - 0.055;
            table[i] = (byte)Math.Clamp(Math.Round(v * 255, MidpointRounding.AwayFromZero), 0, 255);
        }

        return table;
    }

    private static float[] BuildSrgbToLinear()
    {
        var table = new float[256];
        for (var i = 0; i < 256; i++)
        {
            var c = i / 255.0;
            table[i] = (float)(c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4));
        }

        return table;
    }

    /// <summary>Weighted sums of the three channels.</summary>
    private struct Stats
    {
        public double Weight;
        public double S0;
        public double S1;
        public double S2;
        public double Q0;
        public double Q1;
        public double Q2;

        public void Add(double w, double l, double a, double b)
        {
            Weight += w;
            S0 += w * l;
            S1 += w * a;
            S2 += w * b;
            Q0 += w * l * l;
            Q1 += w * a * a;
            Q2 += w * b * b;
        }

        public readonly (double Mean, double Std) MeanStd(int channel)
        {
            if (Weight == 0)
            {
                return (0, 0);
            }

            var (s, q) = channel switch
            {
                0 => (S0, Q0),
                1 => (S1, Q1),
                _ => (S2, Q2),
            };
            var mean = s / Weight;
            return (mean, Math.Sqrt(Math.Max(0, (q / Weight) - (mean * mean))));
        }
    }
}
