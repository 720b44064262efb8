using System.Collections.Concurrent;

namespace ObsFaceSwap.Vision.Blending;

/// <summary>
/// The S x S alpha mask (bytes 0..255, row-major, stride S) a swapped face crop is pasted back
/// under: 255 inside, 0 in a margin along the border, with a smooth ramp between. Immutable
/// and cached per (S, erode, blur): <see cref="Get(int)"/> allocates only the first time.
/// </summary>
/// <remarks>
/// <para>After InsightFace's paste-back (<c>insightface/model_zoo/inswapper.py</c>, and
/// ../shared/reference/face-models.md): a white square is eroded and then Gaussian-blurred,
/// the erosion about a tenth and the blur about a twentieth of the mask's size. Here in crop
/// pixels: the square <c>[erode, S - erode)</c> in both directions is 1, the rest 0; it is
/// blurred by a separable Gaussian of radius <c>blur</c> (kernel <c>2·blur + 1</c> taps) with
/// OpenCV's default sigma for that kernel, <c>0.3·(blur - 1) + 0.8</c> (what InsightFace's
/// <c>cv2.GaussianBlur(mask, (2k+1, 2k+1), 0)</c> uses). Nothing lies outside the crop (0).
/// The mask is the outer product of one blurred row profile with itself, so it is symmetric and
/// non-decreasing from each edge to the centre.</para>
/// <para>With the defaults (<see cref="DefaultErode"/> S/10, <see cref="DefaultBlur"/> S/20)
/// the outer S/20 pixels are exactly 0 (the ramp cannot reach past the blur radius), the alpha
/// rises over the next S/10 pixels and is 255 from 3S/20 inwards: for S = 128, 0 up to
/// 6 pixels from the edge, 255 from 18 pixels in.</para>
/// </remarks>
public sealed class FeatheredMask
{
    /// <summary>Largest mask side accepted, pixels.</summary>
    public const int MaxSize = 4096;

    private static readonly ConcurrentDictionary<(int Size, int Erode, int Blur), FeatheredMask> Cache = new();

    private readonly byte[] _alpha;

    private FeatheredMask(int size, int erode, int blur)
    {
        Size = size;
        Erode = erode;
        Blur = blur;
        _alpha = Build(size, erode, blur);
    }

    /// <summary>Side S, pixels.</summary>
    public int Size { get; }

    /// <summary>Pixels set to 0 along each border before blurring.</summary>
    public int Erode { get; }

    /// <summary>Gaussian radius of the feather, pixels (0: a hard edge).</summary>
    public int Blur { get; }

    /// <summary>S·S alpha values, 0..255, row y at <c>y·S</c>.</summary>
    public ReadOnlySpan<byte> Alpha => _alpha;

    /// <summary>The default erosion for an S x S mask: <c>max(1, S / 10)</c> pixels.</summary>
    /// <param name="size">Side S, pixels.</param>
    /// <returns>Pixels.</returns>
    public static int DefaultErode(int size) => Math.Max(1, size / 10);

    /// <summary>The default feather radius for an S x S mask: <c>max(1, S / 20)</c> pixels.</summary>
    /// <param name="size">Side S, pixels.</param>
    /// <returns>Pixels.</returns>
    public static int DefaultBlur(int size) => Math.Max(1, size / 20);

    /// <summary>The mask with the default erosion and blur (cached).</summary>
    /// <param name="size">Side S, pixels, 3..<see cref="MaxSize"/>.</param>
    /// <returns>The shared mask.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is out of range.</exception>
    public static FeatheredMask Get(int size) => Get(size, DefaultErode(size), DefaultBlur(size));

    /// <summary>The mask with the given erosion and blur (cached per (size, erode, blur); thread-safe).</summary>
    /// <param name="size">Side S, pixels, 1..<see cref="MaxSize"/>.</param>
    /// <param name="erode">Border pixels cleared before blurring, 0..(S - 1) / 2 (something stays inside).</param>
    /// <param name="blur">Feather radius, pixels, 0..S.</param>
    /// <returns>The shared mask.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public static FeatheredMask Get(int size, int erode, int blur)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        ArgumentOutOfRangeException.ThrowIfNegative(erode);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(erode, (size - 1) / 2);
        ArgumentOutOfRangeException.ThrowIfNegative(blur);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blur, size);
        return Cache.GetOrAdd((size, erode, blur), static key => new FeatheredMask(key.Size, key.Erode, key.Blur));
    }

    private static byte[] Build(int size, int erode, int blur)
    {
        // Gaussian taps, OpenCV's sigma for a (2·blur + 1) kernel, normalised to sum 1.
        var kernel = new double[(2 * blur) + 1];
        var sigma = (0.3 * (blur - 1)) + 0.8;
        double sum = 0;
        for (var k = -blur; k <= blur; k++)
        {
            sum += kernel[k + blur] = Math.Exp(-(k * k) / (2 * sigma * sigma));
        }

        for (var k = 0; k < kernel.Length; k++)
        {
            kernel[k] /= sum;
        }

        // One row: the eroded indicator blurred, zero outside the crop.
        var profile = new double[size];
        for (var i = 0; i < size; i++)
        {
            double v = 0;
            for (var k = -blur; k <= blur; k++)
            {
                var j = i + k;
                if (j >= erode && j < size - erode)
                {
                    v += kernel[k + blur];
                }
            }

            profile[i] = Math.Min(1.0, v);
        }

        var alpha = new byte[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                alpha[(y * size) + x] = (byte)Math.Round(255.0 * profile[y] * profile[x], MidpointRounding.AwayFromZero);
            }
        }

        return alpha;
    }
}
