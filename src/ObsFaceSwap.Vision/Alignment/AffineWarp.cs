using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ObsFaceSwap.Vision.Colour;

namespace ObsFaceSwap.Vision.Alignment;

/// <summary>
/// Samples a frame into an aligned S x S face crop with bilinear interpolation: into a model's
/// NCHW float tensor or into BGRA bytes. No allocation; one call per face per frame.
/// </summary>
/// <remarks>
/// <para>The transform given is <b>crop -> frame</b> (for example
/// <see cref="FaceTemplate.CropToFrame"/>, the inverse of the frame -> template similarity), in
/// continuous pixel coordinates (see <see cref="Affine2x3"/>): crop pixel (u, v), centre
/// (u + 0.5, v + 0.5), takes the frame's value at <c>T(u + 0.5, v + 0.5)</c>. This is
/// <c>cv2.warpAffine(frame, M, (S, S), flags=INTER_LINEAR | WARP_INVERSE_MAP,
/// borderMode=BORDER_REPLICATE)</c> with <c>M(p) = T(p + 0.5) - 0.5</c>.</para>
/// <para>Outside the frame the border is replicated: a sample position is clamped to the
/// centres of the outermost pixels, so a crop reaching past the frame edge repeats the edge
/// row or column (no black bands for a face at the edge).</para>
/// <para>NV12 (docs/frame-channel.md): Y plane plus an interleaved UV plane at half resolution
/// in both directions, BT.709 matrix, limited range (Y 16..235, U/V 16..240); each chroma
/// sample is taken as centred on its 2 x 2 luma block. Y and U/V are interpolated bilinearly
/// at the sample position, then converted to RGB in float (clamped to 0..255); the same
/// constants (<see cref="Bt709LimitedRange"/>) as the host's <c>PixelKernels</c>.</para>
/// <para>Speed: four crop pixels per step with <see cref="Vector128"/> (a 2x2 neighbourhood is two
/// 8-byte loads), the rest of a row one pixel at a time; both paths give the same values. No
/// state: calls from several threads are safe. About 5 to 7 ns per crop pixel on one core of the
/// build machine (docs/performance.md, "Face alignment").</para>
/// </remarks>
public static unsafe class AffineWarp
{
    private const float YScale = Bt709LimitedRange.YScale;
    private const float VToR = Bt709LimitedRange.VToR;
    private const float UToG = Bt709LimitedRange.UToG;
    private const float VToG = Bt709LimitedRange.VToG;
    private const float UToB = Bt709LimitedRange.UToB;

    private interface ISampler
    {
        /// <summary>Bilinear sample at frame index coordinates (pixel i's centre at i): lanes B, G, R, A in 0..255.</summary>
        Vector128<float> Sample(float x, float y);

        /// <summary>Four samples at once (lane k at (x[k], y[k])): one vector per channel, 0..255.</summary>
        void Sample4(Vector128<float> x, Vector128<float> y, out Vector128<float> b, out Vector128<float> g, out Vector128<float> r);
    }

    private interface IPixelWriter
    {
        /// <summary>Writes crop pixel <paramref name="index"/> (v·S + u) from lanes B, G, R, A.</summary>
        void Write(int index, Vector128<float> bgra);

        /// <summary>Writes crop pixels <paramref name="index"/> .. index + 3 from one vector per channel.</summary>
        void Write4(int index, Vector128<float> b, Vector128<float> g, Vector128<float> r);
    }

    /// <summary>BGRA frame -> NCHW float tensor [3, S, S], channels R, G, B, normalised.</summary>
    /// <param name="bgra">Frame pixels, 4 bytes each in B, G, R, A order; row y at <c>y·stride</c>.</param>
    /// <param name="width">Frame width, pixels, &gt; 0.</param>
    /// <param name="height">Frame height, pixels, &gt; 0.</param>
    /// <param name="stride">Bytes per frame row, &gt;= 4·width.</param>
    /// <param name="cropToFrame">Crop -> frame transform, finite.</param>
    /// <param name="size">Crop side S, pixels, &gt; 0.</param>
    /// <param name="normalization">Per-channel mean and std (R, G, B order), e.g. <see cref="PixelNormalization.Inswapper"/>.</param>
    /// <param name="tensor">At least 3·S·S floats: plane R, then G, then B, each S rows of S.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the stride too small, or the normalisation unusable.</exception>
    /// <exception cref="ArgumentException">A span is too short, or the transform is not finite.</exception>
    public static void BgraToTensor(ReadOnlySpan<byte> bgra, int width, int height, int stride, Affine2x3 cropToFrame, int size, PixelNormalization normalization, Span<float> tensor)
    {
        CheckBgra(bgra, width, height, stride);
        CheckTensor(cropToFrame, size, normalization, tensor);
        fixed (byte* src = bgra)
        fixed (float* dst = tensor)
        {
            var sampler = new BgraSampler(src, width, height, stride);
            var writer = new TensorWriter(dst, size, normalization);
            Run(ref sampler, ref writer, cropToFrame, size);
        }
    }

    /// <summary>BGRA frame -> S x S BGRA crop (stride 4·S), alpha 255: the target's colours for <see cref="Blending.ColourCorrection"/>.</summary>
    /// <param name="bgra">Frame pixels, B, G, R, A; row y at <c>y·stride</c>.</param>
    /// <param name="width">Frame width, pixels, &gt; 0.</param>
    /// <param name="height">Frame height, pixels, &gt; 0.</param>
    /// <param name="stride">Bytes per frame row, &gt;= 4·width.</param>
    /// <param name="cropToFrame">Crop -> frame transform, finite.</param>
    /// <param name="size">Crop side S, pixels, &gt; 0.</param>
    /// <param name="crop">At least 4·S·S bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the stride too small.</exception>
    /// <exception cref="ArgumentException">A span is too short, or the transform is not finite.</exception>
    public static void BgraToBgra(ReadOnlySpan<byte> bgra, int width, int height, int stride, Affine2x3 cropToFrame, int size, Span<byte> crop)
    {
        CheckBgra(bgra, width, height, stride);
        CheckCrop(cropToFrame, size, crop);
        fixed (byte* src = bgra)
        fixed (byte* dst = crop)
        {
            var sampler = new BgraSampler(src, width, height, stride);
            var writer = new BgraWriter(dst);
            Run(ref sampler, ref writer, cropToFrame, size);
        }
    }

    /// <summary>NV12 frame (BT.709 limited range) -> NCHW float tensor [3, S, S], channels R, G, B, normalised.</summary>
    /// <param name="yPlane">Luma, one byte per pixel; row y at <c>y·yStride</c>.</param>
    /// <param name="yStride">Bytes per luma row, &gt;= width.</param>
    /// <param name="uvPlane">Interleaved U, V at half resolution; chroma row j at <c>j·uvStride</c>, U of column i at <c>2i</c>.</param>
    /// <param name="uvStride">Bytes per chroma row, &gt;= 2·ceil(width / 2).</param>
    /// <param name="width">Frame width, pixels, &gt; 0 (even for NV12 from the shim).</param>
    /// <param name="height">Frame height, pixels, &gt; 0.</param>
    /// <param name="cropToFrame">Crop -> frame transform, finite.</param>
    /// <param name="size">Crop side S, pixels, &gt; 0.</param>
    /// <param name="normalization">Per-channel mean and std (R, G, B order).</param>
    /// <param name="tensor">At least 3·S·S floats.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, a stride too small, or the normalisation unusable.</exception>
    /// <exception cref="ArgumentException">A span is too short, or the transform is not finite.</exception>
    public static void Nv12ToTensor(ReadOnlySpan<byte> yPlane, int yStride, ReadOnlySpan<byte> uvPlane, int uvStride, int width, int height, Affine2x3 cropToFrame, int size, PixelNormalization normalization, Span<float> tensor)
    {
        CheckNv12(yPlane, yStride, uvPlane, uvStride, width, height);
        CheckTensor(cropToFrame, size, normalization, tensor);
        fixed (byte* y = yPlane)
        fixed (byte* uv = uvPlane)
        fixed (float* dst = tensor)
        {
            var sampler = new Nv12Sampler(y, yStride, uv, uvStride, width, height);
            var writer = new TensorWriter(dst, size, normalization);
            Run(ref sampler, ref writer, cropToFrame, size);
        }
    }

    /// <summary>NV12 frame (BT.709 limited range) -> S x S BGRA crop (stride 4·S), alpha 255.</summary>
    /// <param name="yPlane">Luma, one byte per pixel; row y at <c>y·yStride</c>.</param>
    /// <param name="yStride">Bytes per luma row, &gt;= width.</param>
    /// <param name="uvPlane">Interleaved U, V at half resolution.</param>
    /// <param name="uvStride">Bytes per chroma row, &gt;= 2·ceil(width / 2).</param>
    /// <param name="width">Frame width, pixels, &gt; 0.</param>
    /// <param name="height">Frame height, pixels, &gt; 0.</param>
    /// <param name="cropToFrame">Crop -> frame transform, finite.</param>
    /// <param name="size">Crop side S, pixels, &gt; 0.</param>
    /// <param name="crop">At least 4·S·S bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or a stride too small.</exception>
    /// <exception cref="ArgumentException">A span is too short, or the transform is not finite.</exception>
    public static void Nv12ToBgra(ReadOnlySpan<byte> yPlane, int yStride, ReadOnlySpan<byte> uvPlane, int uvStride, int width, int height, Affine2x3 cropToFrame, int size, Span<byte> crop)
    {
        CheckNv12(yPlane, yStride, uvPlane, uvStride, width, height);
        CheckCrop(cropToFrame, size, crop);
        fixed (byte* y = yPlane)
        fixed (byte* uv = uvPlane)
        fixed (byte* dst = crop)
        {
            var sampler = new Nv12Sampler(y, yStride, uv, uvStride, width, height);
            var writer = new BgraWriter(dst);
            Run(ref sampler, ref writer, cropToFrame, size);
        }
    }

    /// <summary>The warp loop: four crop pixels at a time, then one at a time to the row's end.</summary>
    private static void Run<TSampler, TWriter>(ref TSampler sampler, ref TWriter writer, Affine2x3 t, int size)
        where TSampler : struct, ISampler
        where TWriter : struct, IPixelWriter
    {
        // Crop pixel (u, v) samples frame index position T(u + 0.5, v + 0.5) - 0.5. Both paths
        // compute x = rowX + A·u with the same float operations, so they agree to the bit.
        var x0 = (0.5f * (t.A + t.B)) + t.C - 0.5f;
        var y0 = (0.5f * (t.D + t.E)) + t.F - 0.5f;
        var lanes = Vector128.Create(0f, 1f, 2f, 3f);
        var a = Vector128.Create(t.A);
        var d = Vector128.Create(t.D);
        for (var v = 0; v < size; v++)
        {
            var rowX = x0 + (t.B * v);
            var rowY = y0 + (t.E * v);
            var rowXs = Vector128.Create(rowX);
            var rowYs = Vector128.Create(rowY);
            var index = v * size;
            var u = 0;
            for (; u <= size - 4; u += 4)
            {
                var us = Vector128.Create((float)u) + lanes;
                sampler.Sample4(rowXs + (a * us), rowYs + (d * us), out var b, out var g, out var r);
                writer.Write4(index + u, b, g, r);
            }

            for (; u < size; u++)
            {
                writer.Write(index + u, sampler.Sample(rowX + (t.A * u), rowY + (t.D * u)));
            }
        }
    }

    private static void CheckBgra(ReadOnlySpan<byte> bgra, int width, int height, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * 4);
        if (bgra.Length < ((long)stride * (height - 1)) + (width * 4L))
        {
            throw new ArgumentException($"{bgra.Length} bytes cannot hold a {width}x{height} BGRA frame with stride {stride}", nameof(bgra));
        }
    }

    private static void CheckNv12(ReadOnlySpan<byte> yPlane, int yStride, ReadOnlySpan<byte> uvPlane, int uvStride, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(yStride, width);
        var chromaWidth = (width + 1) / 2;
        var chromaHeight = (height + 1) / 2;
        ArgumentOutOfRangeException.ThrowIfLessThan(uvStride, chromaWidth * 2);
        if (yPlane.Length < ((long)yStride * (height - 1)) + width)
        {
            throw new ArgumentException($"{yPlane.Length} bytes cannot hold a {width}x{height} Y plane with stride {yStride}", nameof(yPlane));
        }

        if (uvPlane.Length < ((long)uvStride * (chromaHeight - 1)) + (chromaWidth * 2L))
        {
            throw new ArgumentException($"{uvPlane.Length} bytes cannot hold a {chromaWidth}x{chromaHeight} UV plane with stride {uvStride}", nameof(uvPlane));
        }
    }

    private static void CheckTensor(Affine2x3 cropToFrame, int size, PixelNormalization normalization, Span<float> tensor)
    {
        CheckTransform(cropToFrame, size);
        normalization.Validate();
        if (tensor.Length < 3L * size * size)
        {
            throw new ArgumentException($"{tensor.Length} floats cannot hold a 3x{size}x{size} tensor", nameof(tensor));
        }
    }

    private static void CheckCrop(Affine2x3 cropToFrame, int size, Span<byte> crop)
    {
        CheckTransform(cropToFrame, size);
        if (crop.Length < 4L * size * size)
        {
            throw new ArgumentException($"{crop.Length} bytes cannot hold a {size}x{size} BGRA crop", nameof(crop));
        }
    }

    private static void CheckTransform(Affine2x3 cropToFrame, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (!cropToFrame.IsFinite)
        {
            throw new ArgumentException("the transform is not finite", nameof(cropToFrame));
        }
    }

    /// <summary>Clamps to [0, max]; NaN becomes 0 (so no index is ever out of range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ClampIndex(float v, float max) => v >= 0f ? (v <= max ? v : max) : 0f;

    /// <summary>Lane-wise <see cref="ClampIndex(float, float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ClampIndex(Vector128<float> v, Vector128<float> max)
    {
        v = Vector128.ConditionalSelect(Vector128.Equals(v, v), v, Vector128<float>.Zero);
        return Vector128.Min(Vector128.Max(v, Vector128<float>.Zero), max);
    }

    /// <summary>Four little-endian BGRA pixels to one float vector per channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Split(Vector128<uint> p, out Vector128<float> b, out Vector128<float> g, out Vector128<float> r)
    {
        var low = Vector128.Create(0xFFu);
        b = Vector128.ConvertToSingle((p & low).AsInt32());
        g = Vector128.ConvertToSingle(((p >> 8) & low).AsInt32());
        r = Vector128.ConvertToSingle(((p >> 16) & low).AsInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Lerp2(Vector128<float> c00, Vector128<float> c01, Vector128<float> c10, Vector128<float> c11, Vector128<float> fx, Vector128<float> fy)
    {
        var top = c00 + ((c01 - c00) * fx);
        var bottom = c10 + ((c11 - c10) * fx);
        return top + ((bottom - top) * fy);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> LoadBgra(byte* p) =>
        Vector128.ConvertToSingle(Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(p)).AsByte())).AsInt32());

    private readonly struct BgraSampler(byte* pixels, int width, int height, int stride) : ISampler
    {
        private readonly byte* _pixels = pixels;
        private readonly int _stride = stride;
        private readonly int _lastX = width - 1;
        private readonly int _lastY = height - 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Sample(float x, float y)
        {
            x = ClampIndex(x, _lastX);
            y = ClampIndex(y, _lastY);
            var xi = (int)x;
            var yi = (int)y;
            var fx = Vector128.Create(x - xi);
            var fy = Vector128.Create(y - yi);
            var dx = xi < _lastX ? 4 : 0;
            var dy = yi < _lastY ? _stride : 0;
            var p = _pixels + ((nint)yi * _stride) + (xi * 4);
            var p00 = LoadBgra(p);
            var p01 = LoadBgra(p + dx);
            var p10 = LoadBgra(p + dy);
            var p11 = LoadBgra(p + dy + dx);
            var top = p00 + ((p01 - p00) * fx);
            var bottom = p10 + ((p11 - p10) * fx);
            return top + ((bottom - top) * fy);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Sample4(Vector128<float> x, Vector128<float> y, out Vector128<float> b, out Vector128<float> g, out Vector128<float> r)
        {
            if (_lastX == 0 || _lastY == 0)
            {
                // A frame one pixel wide or high: no 2x2 neighbourhood to load at once.
                var s0 = Sample(x.GetElement(0), y.GetElement(0));
                var s1 = Sample(x.GetElement(1), y.GetElement(1));
                var s2 = Sample(x.GetElement(2), y.GetElement(2));
                var s3 = Sample(x.GetElement(3), y.GetElement(3));
                b = Vector128.Create(s0.GetElement(0), s1.GetElement(0), s2.GetElement(0), s3.GetElement(0));
                g = Vector128.Create(s0.GetElement(1), s1.GetElement(1), s2.GetElement(1), s3.GetElement(1));
                r = Vector128.Create(s0.GetElement(2), s1.GetElement(2), s2.GetElement(2), s3.GetElement(2));
                return;
            }

            // The top-left neighbour is kept one pixel inside the last column and row, with the
            // fraction reaching 1 there: the same replicated border, and the 2x2 neighbourhood is
            // always two 8-byte loads (pixels x, x + 1 of rows y and y + 1).
            x = ClampIndex(x, Vector128.Create((float)_lastX));
            y = ClampIndex(y, Vector128.Create((float)_lastY));
            var xi = Vector128.Min(Vector128.ConvertToInt32(x), Vector128.Create(_lastX - 1));
            var yi = Vector128.Min(Vector128.ConvertToInt32(y), Vector128.Create(_lastY - 1));
            var fx = x - Vector128.ConvertToSingle(xi);
            var fy = y - Vector128.ConvertToSingle(yi);
            var offset = (yi * Vector128.Create(_stride)) + (xi * 4);
            var p0 = _pixels + offset.GetElement(0);
            var p1 = _pixels + offset.GetElement(1);
            var p2 = _pixels + offset.GetElement(2);
            var p3 = _pixels + offset.GetElement(3);
            var stride = _stride;
            var top01 = Vector128.Create(Unsafe.ReadUnaligned<ulong>(p0), Unsafe.ReadUnaligned<ulong>(p1));
            var top23 = Vector128.Create(Unsafe.ReadUnaligned<ulong>(p2), Unsafe.ReadUnaligned<ulong>(p3));
            var bottom01 = Vector128.Create(Unsafe.ReadUnaligned<ulong>(p0 + stride), Unsafe.ReadUnaligned<ulong>(p1 + stride));
            var bottom23 = Vector128.Create(Unsafe.ReadUnaligned<ulong>(p2 + stride), Unsafe.ReadUnaligned<ulong>(p3 + stride));

            // Low halves are the left pixels, high halves the right ones.
            Split(Vector128.Narrow(top01, top23), out var b00, out var g00, out var r00);
            Split(Vector128.Narrow(top01 >> 32, top23 >> 32), out var b01, out var g01, out var r01);
            Split(Vector128.Narrow(bottom01, bottom23), out var b10, out var g10, out var r10);
            Split(Vector128.Narrow(bottom01 >> 32, bottom23 >> 32), out var b11, out var g11, out var r11);
            b = Lerp2(b00, b01, b10, b11, fx, fy);
            g = Lerp2(g00, g01, g10, g11, fx, fy);
            r = Lerp2(r00, r01, r10, r11, fx, fy);
        }
    }

    private readonly struct Nv12Sampler(byte* y, int yStride, byte* uv, int uvStride, int width, int height) : ISampler
    {
        private readonly byte* _y = y;
        private readonly byte* _uv = uv;
        private readonly int _yStride = yStride;
        private readonly int _uvStride = uvStride;
        private readonly int _lastX = width - 1;
        private readonly int _lastY = height - 1;
        private readonly int _lastCx = ((width + 1) / 2) - 1;
        private readonly int _lastCy = ((height + 1) / 2) - 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Sample(float x, float y)
        {
            // Chroma sample j is centred on luma index 2j + 0.5 (the middle of its 2x2 block).
            var cx = ClampIndex((x - 0.5f) * 0.5f, _lastCx);
            var cy = ClampIndex((y - 0.5f) * 0.5f, _lastCy);
            x = ClampIndex(x, _lastX);
            y = ClampIndex(y, _lastY);

            var xi = (int)x;
            var yi = (int)y;
            var fx = x - xi;
            var fy = y - yi;
            var py = _y + ((nint)yi * _yStride) + xi;
            var dx = xi < _lastX ? 1 : 0;
            var dy = yi < _lastY ? _yStride : 0;
            var top = py[0] + ((py[dx] - py[0]) * fx);
            var bottom = py[dy] + ((py[dy + dx] - py[dy]) * fx);
            var luma = top + ((bottom - top) * fy);

            var cxi = (int)cx;
            var cyi = (int)cy;
            var fcx = cx - cxi;
            var fcy = cy - cyi;
            var pc = _uv + ((nint)cyi * _uvStride) + (cxi * 2);
            var dcx = cxi < _lastCx ? 2 : 0;
            var dcy = cyi < _lastCy ? _uvStride : 0;
            var uTop = pc[0] + ((pc[dcx] - pc[0]) * fcx);
            var uBottom = pc[dcy] + ((pc[dcy + dcx] - pc[dcy]) * fcx);
            var vTop = pc[1] + ((pc[dcx + 1] - pc[1]) * fcx);
            var vBottom = pc[dcy + 1] + ((pc[dcy + dcx + 1] - pc[dcy + 1]) * fcx);
            var u = uTop + ((uBottom - uTop) * fcy) - 128f;
            var v = vTop + ((vBottom - vTop) * fcy) - 128f;

            var c = (luma - 16f) * YScale;
            var rgb = Vector128.Create(c + (UToB * u), c - (UToG * u) - (VToG * v), c + (VToR * v), 255f);
            return Vector128.Min(Vector128.Max(rgb, Vector128<float>.Zero), Vector128.Create(255f));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Sample4(Vector128<float> x, Vector128<float> y, out Vector128<float> b, out Vector128<float> g, out Vector128<float> r)
        {
            var cx = ClampIndex((x - Vector128.Create(0.5f)) * 0.5f, Vector128.Create((float)_lastCx));
            var cy = ClampIndex((y - Vector128.Create(0.5f)) * 0.5f, Vector128.Create((float)_lastCy));
            x = ClampIndex(x, Vector128.Create((float)_lastX));
            y = ClampIndex(y, Vector128.Create((float)_lastY));

            var xi = Vector128.ConvertToInt32(x);
            var yi = Vector128.ConvertToInt32(y);
            var fx = x - Vector128.ConvertToSingle(xi);
            var fy = y - Vector128.ConvertToSingle(yi);
            var dx = Vector128.LessThan(xi, Vector128.Create(_lastX)) & Vector128<int>.One;
            var dy = Vector128.LessThan(yi, Vector128.Create(_lastY)) & Vector128.Create(_yStride);
            var o00 = (yi * Vector128.Create(_yStride)) + xi;
            var o01 = o00 + dx;
            var o10 = o00 + dy;
            var o11 = o10 + dx;
            var luma = Lerp2(Luma(o00), Luma(o01), Luma(o10), Luma(o11), fx, fy);

            var cxi = Vector128.ConvertToInt32(cx);
            var cyi = Vector128.ConvertToInt32(cy);
            var fcx = cx - Vector128.ConvertToSingle(cxi);
            var fcy = cy - Vector128.ConvertToSingle(cyi);
            var dcx = Vector128.LessThan(cxi, Vector128.Create(_lastCx)) & Vector128.Create(2);
            var dcy = Vector128.LessThan(cyi, Vector128.Create(_lastCy)) & Vector128.Create(_uvStride);
            var c00 = (cyi * Vector128.Create(_uvStride)) + (cxi * 2);
            var c01 = c00 + dcx;
            var c10 = c00 + dcy;
            var c11 = c10 + dcx;
            Chroma(c00, out var u00, out var v00);
            Chroma(c01, out var u01, out var v01);
            Chroma(c10, out var u10, out var v10);
            Chroma(c11, out var u11, out var v11);
            var u = Lerp2(u00, u01, u10, u11, fcx, fcy) - Vector128.Create(128f);
            var v = Lerp2(v00, v01, v10, v11, fcx, fcy) - Vector128.Create(128f);

            var c = (luma - Vector128.Create(16f)) * YScale;
            var zero = Vector128<float>.Zero;
            var max = Vector128.Create(255f);
            b = Vector128.Min(Vector128.Max(c + (u * UToB), zero), max);
            g = Vector128.Min(Vector128.Max(c - (u * UToG) - (v * VToG), zero), max);
            r = Vector128.Min(Vector128.Max(c + (v * VToR), zero), max);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector128<float> Luma(Vector128<int> o) => Vector128.Create(
            (float)_y[o.GetElement(0)], _y[o.GetElement(1)], _y[o.GetElement(2)], _y[o.GetElement(3)]);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Chroma(Vector128<int> o, out Vector128<float> u, out Vector128<float> v)
        {
            var pairs = Vector128.Create(
                (uint)Unsafe.ReadUnaligned<ushort>(_uv + o.GetElement(0)),
                Unsafe.ReadUnaligned<ushort>(_uv + o.GetElement(1)),
                Unsafe.ReadUnaligned<ushort>(_uv + o.GetElement(2)),
                Unsafe.ReadUnaligned<ushort>(_uv + o.GetElement(3)));
            u = Vector128.ConvertToSingle((pairs & Vector128.Create(0xFFu)).AsInt32());
            v = Vector128.ConvertToSingle((pairs >> 8).AsInt32());
        }
    }

    private readonly struct TensorWriter : IPixelWriter
    {
        private readonly float* _r;
        private readonly float* _g;
        private readonly float* _b;
        private readonly Vector128<float> _scale;
        private readonly Vector128<float> _offset;

        public TensorWriter(float* tensor, int size, PixelNormalization n)
        {
            var plane = size * size;
            _r = tensor;
            _g = tensor + plane;
            _b = tensor + (2 * plane);

            // Lanes B, G, R, A: value = pixel / std - mean / std.
            _scale = Vector128.Create(1f / n.Std2, 1f / n.Std1, 1f / n.Std0, 0f);
            _offset = Vector128.Create(-n.Mean2 / n.Std2, -n.Mean1 / n.Std1, -n.Mean0 / n.Std0, 0f);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write(int index, Vector128<float> bgra)
        {
            var v = (bgra * _scale) + _offset;
            _b[index] = v.GetElement(0);
            _g[index] = v.GetElement(1);
            _r[index] = v.GetElement(2);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write4(int index, Vector128<float> b, Vector128<float> g, Vector128<float> r)
        {
            ((b * _scale.GetElement(0)) + Vector128.Create(_offset.GetElement(0))).Store(_b + index);
            ((g * _scale.GetElement(1)) + Vector128.Create(_offset.GetElement(1))).Store(_g + index);
            ((r * _scale.GetElement(2)) + Vector128.Create(_offset.GetElement(2))).Store(_r + index);
        }
    }

    private readonly struct BgraWriter(byte* crop) : IPixelWriter
    {
        private readonly byte* _crop = crop;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write(int index, Vector128<float> bgra)
        {
            var i = Vector128.ConvertToInt32(bgra + Vector128.Create(0.5f));
            var packed = (uint)i.GetElement(0) | ((uint)i.GetElement(1) << 8) | ((uint)i.GetElement(2) << 16) | 0xFF000000u;
            Unsafe.WriteUnaligned(_crop + ((nint)index * 4), packed);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write4(int index, Vector128<float> b, Vector128<float> g, Vector128<float> r)
        {
            var half = Vector128.Create(0.5f);
            var packed = Vector128.ConvertToInt32(b + half)
                | (Vector128.ConvertToInt32(g + half) << 8)
                | (Vector128.ConvertToInt32(r + half) << 16)
                | Vector128.Create(unchecked((int)0xFF000000));
            packed.Store((int*)(_crop + ((nint)index * 4)));
        }
    }
}
