namespace ObsFaceSwap.Vision.Masks;

/// <summary>How a masked region is hidden.</summary>
public enum MaskMode
{
    /// <summary>Block average: the region becomes a grid of uniform blocks.</summary>
    Pixelate = 0,

    /// <summary>Three passes of a separable box blur (close to a Gaussian) over the region.</summary>
    Blur = 1,

    /// <summary>Opaque black.</summary>
    Solid = 2,
}

/// <summary>The shape of a masked region inside its padded face box.</summary>
public enum MaskShape
{
    /// <summary>The ellipse inscribed in the padded box; the box's corners are left as they are.</summary>
    Ellipse = 0,

    /// <summary>The whole padded box.</summary>
    Box = 1,
}

/// <summary>An integer pixel rectangle, clipped to a frame.</summary>
/// <param name="X">Left column, inclusive.</param>
/// <param name="Y">Top row, inclusive.</param>
/// <param name="Width">Columns, &gt;= 0.</param>
/// <param name="Height">Rows, &gt;= 0.</param>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    /// <summary>True when the rectangle holds no pixel.</summary>
    public bool IsEmpty => Width <= 0 || Height <= 0;
}

/// <summary>How faces are masked.</summary>
/// <param name="Mode">Pixelate, blur or solid.</param>
/// <param name="Shape">Ellipse or box.</param>
/// <param name="Intensity">Strength, 10..100 percent: the pixelate block size or the blur radius as a fraction of the face size (unused by solid).</param>
/// <param name="PaddingPercent">Margin added on every side of the face box, 0..100 percent of the box's width (left/right) and height (top/bottom).</param>
public sealed record MaskOptions(
    MaskMode Mode = MaskMode.Pixelate,
    MaskShape Shape = MaskShape.Ellipse,
    int Intensity = 100,
    int PaddingPercent = 20)
{
    /// <summary>Lowest <see cref="Intensity"/>.</summary>
    public const int MinIntensity = 10;

    /// <summary>Highest <see cref="Intensity"/>.</summary>
    public const int MaxIntensity = 100;

    /// <summary>Highest <see cref="PaddingPercent"/>.</summary>
    public const int MaxPadding = 100;

    /// <summary>Throws when a field is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown mode or shape, intensity outside 10..100, or padding outside 0..100.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "unknown mask mode");
        }

        if (!Enum.IsDefined(Shape))
        {
            throw new ArgumentOutOfRangeException(nameof(Shape), Shape, "unknown mask shape");
        }

        if (Intensity is < MinIntensity or > MaxIntensity)
        {
            throw new ArgumentOutOfRangeException(nameof(Intensity), Intensity, $"must be within {MinIntensity}..{MaxIntensity}");
        }

        if (PaddingPercent is < 0 or > MaxPadding)
        {
            throw new ArgumentOutOfRangeException(nameof(PaddingPercent), PaddingPercent, $"must be within 0..{MaxPadding}");
        }
    }
}

/// <summary>
/// CPU masking of face regions in BGRA frames (offline processing and tests). Pixelate and blur
/// work on the padded face box clipped to the frame, then write back only the pixels inside the
/// shape; alpha is kept. Scratch buffers grow to the largest region seen and are reused: one
/// instance serves one thread at a time.
/// </summary>
/// <remarks>
/// Strength at intensity <c>I</c> percent, with <c>S</c> the smaller side of the padded box:
/// pixelate blocks are <c>max(2, S * I / 500)</c> pixels (about five blocks across a face at 100 %);
/// the blur is three box passes of radius <c>max(1, S * I / 800)</c> (a Gaussian of sigma about
/// <c>S * I / 800</c> pixels: an eighth of the face at 100 %, which leaves no recognisable feature).
/// </remarks>
public sealed class FaceMasker
{
    private readonly MaskOptions _options;
    private int[] _scratch = [];
    private int[] _line = [];

    /// <summary>Creates a masker.</summary>
    /// <param name="options">Mode, shape, intensity and padding; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public FaceMasker(MaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The settings.</summary>
    public MaskOptions Options => _options;

    /// <summary>The face box grown by <paramref name="paddingPercent"/> on every side and clipped to the frame (rounded outwards).</summary>
    /// <param name="box">Face box, frame pixels; may reach past the frame.</param>
    /// <param name="paddingPercent">Margin per side, percent of the box's width and height.</param>
    /// <param name="width">Frame width.</param>
    /// <param name="height">Frame height.</param>
    /// <returns>The clipped region; empty when the box lies outside the frame or is not finite.</returns>
    public static PixelRect Region(BoxF box, int paddingPercent, int width, int height)
    {
        if (!float.IsFinite(box.X) || !float.IsFinite(box.Y) || !float.IsFinite(box.Width) || !float.IsFinite(box.Height) || box.Width <= 0 || box.Height <= 0)
        {
            return default;
        }

        var padX = box.Width * paddingPercent / 100f;
        var padY = box.Height * paddingPercent / 100f;
        var x0 = (int)Math.Clamp(MathF.Floor(box.X - padX), 0, width);
        var y0 = (int)Math.Clamp(MathF.Floor(box.Y - padY), 0, height);
        var x1 = (int)Math.Clamp(MathF.Ceiling(box.X + box.Width + padX), 0, width);
        var y1 = (int)Math.Clamp(MathF.Ceiling(box.Y + box.Height + padY), 0, height);
        return x1 > x0 && y1 > y0 ? new PixelRect(x0, y0, x1 - x0, y1 - y0) : default;
    }

    /// <summary>Masks one face in place.</summary>
    /// <param name="bgra">The frame, 4 bytes per pixel in B, G, R, A order.</param>
    /// <param name="width">Frame width, &gt; 0.</param>
    /// <param name="height">Frame height, &gt; 0.</param>
    /// <param name="stride">Bytes per row, &gt;= 4 * width.</param>
    /// <param name="face">The face box, frame pixels (padding is added here).</param>
    /// <returns>The region that was masked (before the shape is applied); empty when nothing was.</returns>
    /// <exception cref="ArgumentException">The geometry does not fit <paramref name="bgra"/>.</exception>
    public PixelRect Apply(Span<byte> bgra, int width, int height, int stride, BoxF face)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * 4);
        if (bgra.Length < ((long)stride * (height - 1)) + (width * 4L))
        {
            throw new ArgumentException($"frame of {width}x{height} with stride {stride} needs {((long)stride * (height - 1)) + (width * 4L)} bytes, got {bgra.Length}", nameof(bgra));
        }

        // The ellipse is inscribed in the padded box before clipping, so a face cut by the frame
        // edge keeps its shape.
        var padX = face.Width * _options.PaddingPercent / 100f;
        var padY = face.Height * _options.PaddingPercent / 100f;
        var cx = face.X + (face.Width / 2f);
        var cy = face.Y + (face.Height / 2f);
        var rx = (face.Width / 2f) + padX;
        var ry = (face.Height / 2f) + padY;
        var region = Region(face, _options.PaddingPercent, width, height);
        if (region.IsEmpty)
        {
            return default;
        }

        var side = Math.Max(1f, Math.Min(rx, ry) * 2f);
        switch (_options.Mode)
        {
            case MaskMode.Solid:
                break;
            case MaskMode.Pixelate:
                Pixelate(bgra, stride, region, Math.Max(2, (int)(side * _options.Intensity / 500f)));
                break;
            default:
                Blur(bgra, stride, region, Math.Max(1, (int)(side * _options.Intensity / 800f)));
                break;
        }

        WriteBack(bgra, stride, region, cx, cy, rx, ry);
        return region;
    }

    /// <summary>Block averages of the region into the scratch buffer (BGR per pixel).</summary>
    private void Pixelate(ReadOnlySpan<byte> bgra, int stride, PixelRect r, int block)
    {
        var scratch = Scratch(r.Width * r.Height * 3);
        for (var by = 0; by < r.Height; by += block)
        {
            var bh = Math.Min(block, r.Height - by);
            for (var bx = 0; bx < r.Width; bx += block)
            {
                var bw = Math.Min(block, r.Width - bx);
                long b = 0, g = 0, red = 0;
                for (var y = 0; y < bh; y++)
                {
                    var row = bgra.Slice(((r.Y + by + y) * stride) + ((r.X + bx) * 4), bw * 4);
                    for (var x = 0; x < bw; x++)
                    {
                        b += row[x * 4];
                        g += row[(x * 4) + 1];
                        red += row[(x * 4) + 2];
                    }
                }

                var n = bw * bh;
                var mb = (int)((b + (n / 2)) / n);
                var mg = (int)((g + (n / 2)) / n);
                var mr = (int)((red + (n / 2)) / n);
                for (var y = 0; y < bh; y++)
                {
                    var o = (((by + y) * r.Width) + bx) * 3;
                    for (var x = 0; x < bw; x++, o += 3)
                    {
                        scratch[o] = mb;
                        scratch[o + 1] = mg;
                        scratch[o + 2] = mr;
                    }
                }
            }
        }
    }

    /// <summary>Three box-blur passes per axis (edges clamped to the region) into the scratch buffer.</summary>
    private void Blur(ReadOnlySpan<byte> bgra, int stride, PixelRect r, int radius)
    {
        var scratch = Scratch(r.Width * r.Height * 3);
        for (var y = 0; y < r.Height; y++)
        {
            var row = bgra.Slice(((r.Y + y) * stride) + (r.X * 4), r.Width * 4);
            var o = y * r.Width * 3;
            for (var x = 0; x < r.Width; x++, o += 3)
            {
                scratch[o] = row[x * 4];
                scratch[o + 1] = row[(x * 4) + 1];
                scratch[o + 2] = row[(x * 4) + 2];
            }
        }

        if (_line.Length < Math.Max(r.Width, r.Height) * 3)
        {
            _line = new int[Math.Max(r.Width, r.Height) * 3];
        }

        for (var pass = 0; pass < 3; pass++)
        {
            for (var y = 0; y < r.Height; y++)
            {
                BoxLine(scratch, y * r.Width * 3, 3, r.Width, radius);
            }

            for (var x = 0; x < r.Width; x++)
            {
                BoxLine(scratch, x * 3, r.Width * 3, r.Height, radius);
            }
        }
    }

    /// <summary>One box-blur pass over <paramref name="count"/> BGR pixels starting at <paramref name="start"/>, <paramref name="step"/> ints apart.</summary>
    private void BoxLine(int[] data, int start, int step, int count, int radius)
    {
        var line = _line;
        for (var i = 0; i < count; i++)
        {
            var s = start + (i * step);
            line[i * 3] = data[s];
            line[(i * 3) + 1] = data[s + 1];
            line[(i * 3) + 2] = data[s + 2];
        }

        var window = (2 * radius) + 1;
        for (var c = 0; c < 3; c++)
        {
            long sum = 0;
            for (var k = -radius; k <= radius; k++)
            {
                sum += line[(Math.Clamp(k, 0, count - 1) * 3) + c];
            }

            for (var i = 0; i < count; i++)
            {
                data[start + (i * step) + c] = (int)((sum + (window / 2)) / window);
                var add = Math.Min(i + radius + 1, count - 1);
                var remove = Math.Max(i - radius, 0);
                sum += line[(add * 3) + c] - line[(remove * 3) + c];
            }
        }
    }

    /// <summary>Writes the scratch result (or black for solid) into the pixels of the region inside the shape.</summary>
    private void WriteBack(Span<byte> bgra, int stride, PixelRect r, float cx, float cy, float rx, float ry)
    {
        var solid = _options.Mode == MaskMode.Solid;
        var ellipse = _options.Shape == MaskShape.Ellipse;
        for (var y = 0; y < r.Height; y++)
        {
            var row = bgra.Slice(((r.Y + y) * stride) + (r.X * 4), r.Width * 4);
            var x0 = 0;
            var x1 = r.Width;
            if (ellipse)
            {
                var dy = (r.Y + y + 0.5f - cy) / ry;
                var q = 1f - (dy * dy);
                if (q < 0)
                {
                    continue;
                }

                var half = rx * MathF.Sqrt(q);
                x0 = Math.Max(0, (int)MathF.Ceiling(cx - half - 0.5f) - r.X);
                x1 = Math.Min(r.Width, (int)MathF.Floor(cx + half - 0.5f) + 1 - r.X);
            }

            for (var x = x0; x < x1; x++)
            {
                if (solid)
                {
                    row[x * 4] = 0;
                    row[(x * 4) + 1] = 0;
                    row[(x * 4) + 2] = 0;
                }
                else
                {
                    var o = ((y * r.Width) + x) * 3;
                    row[x * 4] = (byte)_scratch[o];
                    row[(x * 4) + 1] = (byte)_scratch[o + 1];
                    row[(x * 4) + 2] = (byte)_scratch[o + 2];
                }
            }
        }
    }

    private int[] Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new int[length];
        }

        return _scratch;
    }
}
