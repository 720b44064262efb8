using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ObsFaceSwap.Vision.Alignment;

namespace ObsFaceSwap.Vision.Blending;

/// <summary>
/// Turns a swap model's output into the patch the wire carries (<c>OFS_ITEM_PATCH</c>,
/// <c>OFS_PATCH_BGRA</c>): BGRA bytes with straight (not premultiplied) alpha = the paste-back
/// mask, plus the patch -> frame affine. No allocation.
/// </summary>
public static class SwapPatch
{
    /// <summary>
    /// Writes the S x S BGRA patch from the model output and returns its patch -> frame affine.
    /// </summary>
    /// <param name="output">The model output, NCHW [3, S, S], channels R, G, B, values in [0, 1] (inswapper_128); values outside are clamped, NaN becomes 0.</param>
    /// <param name="size">Side S, pixels, &gt; 0.</param>
    /// <param name="mask">S·S alpha values 0..255 (row-major, stride S), e.g. <see cref="FeatheredMask.Alpha"/>; written as the patch's alpha (times 1).</param>
    /// <param name="cropToFrame">The crop -> frame transform the crop was warped with (<see cref="FaceTemplate.CropToFrame"/>); finite.</param>
    /// <param name="patch">Destination: S rows of 4·S bytes at <paramref name="patchStride"/> (for example the span <c>ResultBuilder.AddPatch</c> returns).</param>
    /// <param name="patchStride">Bytes per patch row, &gt;= 4·S.</param>
    /// <returns>
    /// Patch -> frame for the wire's <c>affine</c>: the crop -> frame transform itself, since
    /// patch pixel (u, v) is crop pixel (u, v) (both continuous pixel coordinates, see <see cref="Affine2x3"/>).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="patchStride"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A span is too short, or the transform is not finite.</exception>
    public static Affine2x3 WriteBgra(ReadOnlySpan<float> output, int size, ReadOnlySpan<byte> mask, Affine2x3 cropToFrame, Span<byte> patch, int patchStride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchStride, size * 4);
        var plane = size * size;
        if (output.Length < 3L * plane)
        {
            throw new ArgumentException($"{output.Length} floats cannot hold a 3x{size}x{size} tensor", nameof(output));
        }

        if (mask.Length < (long)plane)
        {
            throw new ArgumentException($"{mask.Length} bytes cannot hold a {size}x{size} mask", nameof(mask));
        }

        if (patch.Length < ((long)patchStride * (size - 1)) + (size * 4L))
        {
            throw new ArgumentException($"{patch.Length} bytes cannot hold a {size}x{size} BGRA patch with stride {patchStride}", nameof(patch));
        }

        if (!cropToFrame.IsFinite)
        {
            throw new ArgumentException("the transform is not finite", nameof(cropToFrame));
        }

        ref var r = ref MemoryMarshal.GetReference(output);
        ref var g = ref Unsafe.Add(ref r, plane);
        ref var b = ref Unsafe.Add(ref r, 2 * plane);
        ref var m = ref MemoryMarshal.GetReference(mask);
        for (var y = 0; y < size; y++)
        {
            var row = MemoryMarshal.Cast<byte, uint>(patch.Slice(y * patchStride, size * 4));
            var o = y * size;
            var x = 0;

            // Four pixels at a time: scale, round, clamp (NaN -> 0), pack B | G << 8 | R << 16 | mask << 24.
            for (; x <= size - 4; x += 4)
            {
                var vb = ToBytes(Vector128.LoadUnsafe(ref b, (nuint)(o + x)));
                var vg = ToBytes(Vector128.LoadUnsafe(ref g, (nuint)(o + x)));
                var vr = ToBytes(Vector128.LoadUnsafe(ref r, (nuint)(o + x)));
                var alpha = Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref m, o + x))).AsByte())).AsInt32();
                var packed = vb | (vg << 8) | (vr << 16) | (alpha << 24);
                packed.AsUInt32().CopyTo(row[x..]);
            }

            for (; x < size; x++)
            {
                row[x] = ToByte(Unsafe.Add(ref b, o + x)) | (ToByte(Unsafe.Add(ref g, o + x)) << 8) | (ToByte(Unsafe.Add(ref r, o + x)) << 16) | ((uint)Unsafe.Add(ref m, o + x) << 24);
            }
        }

        return cropToFrame;
    }

    /// <summary>Four values in [0, 1] to 0..255 as int lanes: rounded, clamped, NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> ToBytes(Vector128<float> v)
    {
        var s = (v * 255f) + Vector128.Create(0.5f);
        s = Vector128.ConditionalSelect(Vector128.Equals(s, s), s, Vector128<float>.Zero);
        s = Vector128.Min(Vector128.Max(s, Vector128<float>.Zero), Vector128.Create(255f));
        return Vector128.ConvertToInt32(s);
    }

    /// <summary>[0, 1] to 0..255, rounded; clamped; NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ToByte(float v)
    {
        var s = (v * 255f) + 0.5f;
        return s >= 1f ? (s < 255f ? (uint)s : 255u) : 0u;
    }
}
