using System.Runtime.InteropServices;

namespace ObsFaceSwap.Channel;

/// <summary>A row-major 2x3 affine transform {a, b, c, d, e, f}: patch (u, v) -> frame (a·u + b·v + c, d·u + e·v + f).</summary>
/// <param name="A">Row 0, column 0.</param>
/// <param name="B">Row 0, column 1.</param>
/// <param name="C">Row 0, translation.</param>
/// <param name="D">Row 1, column 0.</param>
/// <param name="E">Row 1, column 1.</param>
/// <param name="F">Row 1, translation.</param>
public readonly record struct Affine2x3(float A, float B, float C, float D, float E, float F)
{
    /// <summary>A pure translation by (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public static Affine2x3 Translation(float x, float y) => new(1, 0, x, 0, 1, y);

    /// <summary>True when all six values are finite.</summary>
    public bool IsFinite => float.IsFinite(A) && float.IsFinite(B) && float.IsFinite(C) && float.IsFinite(D) && float.IsFinite(E) && float.IsFinite(F);
}

/// <summary>Thrown when a result does not fit its slot or exceeds the item limit.</summary>
public sealed class ResultCapacityException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ResultCapacityException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ResultCapacityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ResultCapacityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Private, reusable staging of one result: the item table and the patch pixels. Pipeline
/// stages add items; the channel copies the finished result into a result slot in one go.
/// Allocates only in its constructor. Layout when published: <c>ItemCount</c> x 128-byte
/// items, then the patches in the order added (each 4-aligned, stride = 4 x width).
/// </summary>
public sealed unsafe class ResultBuilder
{
    private readonly OfsResultItem[] _items = new OfsResultItem[Wire.MaxResultItems];
    private readonly byte[] _patchBytes;
    private int _patchBytesUsed;

    /// <summary>Creates a builder for results of at most <paramref name="dataCapacity"/> bytes (result_slot_size - 64).</summary>
    /// <param name="dataCapacity">Bytes available after the result slot header.</param>
    public ResultBuilder(int dataCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataCapacity);
        DataCapacity = dataCapacity;
        _patchBytes = new byte[dataCapacity];
    }

    /// <summary>Bytes available for items and patches.</summary>
    public int DataCapacity { get; }

    /// <summary>Items added since the last <see cref="Reset"/>.</summary>
    public int ItemCount { get; private set; }

    /// <summary>The result's status; <see cref="ResultStatus.Ok"/> after <see cref="Reset"/>.</summary>
    public ResultStatus Status { get; set; }

    /// <summary>Bytes the result occupies after the slot header: items, then patches.</summary>
    public int DataSize => (ItemCount * Wire.ResultItemSize) + _patchBytesUsed;

    /// <summary>The items added so far; patch offsets are already final.</summary>
    public ReadOnlySpan<OfsResultItem> Items => _items.AsSpan(0, ItemCount);

    /// <summary>The patch pixels added so far, in order.</summary>
    public ReadOnlySpan<byte> PatchBytes => _patchBytes.AsSpan(0, _patchBytesUsed);

    /// <summary>Empties the builder for the next frame.</summary>
    public void Reset()
    {
        ItemCount = 0;
        _patchBytesUsed = 0;
        Status = ResultStatus.Ok;
    }

    /// <summary>Drops every item, e.g. after a stage failed (the status is kept).</summary>
    public void ClearItems()
    {
        ItemCount = 0;
        _patchBytesUsed = 0;
    }

    /// <summary>
    /// Adds an <see cref="ItemKind.Patch"/> item of <paramref name="width"/> x
    /// <paramref name="height"/> BGRA pixels (straight alpha = mask) and returns its pixel rows,
    /// stride <c>4 * width</c>, for the caller to fill.
    /// </summary>
    /// <param name="width">1..<see cref="Wire.MaxPatchSide"/>.</param>
    /// <param name="height">1..<see cref="Wire.MaxPatchSide"/>.</param>
    /// <param name="affine">Patch -> frame transform; all values finite.</param>
    /// <param name="opacity">Multiplies the alpha; clamped to 0..1; finite.</param>
    /// <returns>The patch's <c>4 * width * height</c> bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range or a value is not finite.</exception>
    /// <exception cref="ResultCapacityException">The result would exceed the item limit or the slot.</exception>
    public Span<byte> AddPatch(int width, int height, Affine2x3 affine, float opacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, (int)Wire.MaxPatchSide);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, (int)Wire.MaxPatchSide);
        if (!affine.IsFinite || !float.IsFinite(opacity))
        {
            throw new ArgumentOutOfRangeException(nameof(affine), "affine and opacity must be finite");
        }

        var bytes = 4 * width * height; // <= 4 MiB: cannot overflow
        EnsureRoom(bytes);

        ref var item = ref _items[ItemCount];
        item = default;
        item.Kind = (uint)ItemKind.Patch;
        item.Affine[0] = affine.A;
        item.Affine[1] = affine.B;
        item.Affine[2] = affine.C;
        item.Affine[3] = affine.D;
        item.Affine[4] = affine.E;
        item.Affine[5] = affine.F;
        item.PatchOffset = (uint)_patchBytesUsed; // made relative to the item table by FinalOffsets
        item.PatchWidth = (uint)width;
        item.PatchHeight = (uint)height;
        item.PatchStride = (uint)(4 * width);
        item.PatchFormat = (uint)PatchFormat.Bgra;
        item.Opacity = Math.Clamp(opacity, 0f, 1f);

        var pixels = _patchBytes.AsSpan(_patchBytesUsed, bytes);
        _patchBytesUsed += bytes;
        ItemCount++;
        return pixels;
    }

    /// <summary>
    /// Adds an <see cref="ItemKind.Face"/> item: a box (x, y, width, height), five landmarks
    /// as (x, y) pairs, a score, a tracker id and item flags (<see cref="Wire.FaceFlagCoasting"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="box"/> is not 4 values or <paramref name="landmarks"/> not 10, or a value is not finite.</exception>
    /// <exception cref="ResultCapacityException">The result would exceed the item limit or the slot.</exception>
    public void AddFace(ReadOnlySpan<float> box, ReadOnlySpan<float> landmarks, float score, uint faceId, uint flags = 0)
    {
        if (box.Length != 4 || landmarks.Length != 10)
        {
            throw new ArgumentException("a face needs 4 box values and 10 landmark values", nameof(box));
        }

        foreach (var v in box)
        {
            ThrowIfNotFinite(v);
        }

        foreach (var v in landmarks)
        {
            ThrowIfNotFinite(v);
        }

        ThrowIfNotFinite(score);
        EnsureRoom(0);
        ref var item = ref _items[ItemCount];
        item = default;
        item.Kind = (uint)ItemKind.Face;
        item.FaceId = faceId;
        item.Flags = flags;
        item.Score = score;
        for (var i = 0; i < 4; i++)
        {
            item.Box[i] = box[i];
        }

        for (var i = 0; i < 10; i++)
        {
            item.Landmarks[i] = landmarks[i];
        }

        ItemCount++;
    }

    /// <summary>
    /// Writes the item table (patch offsets made relative to the item table start) and the
    /// patch pixels into <paramref name="destination"/>, which must hold <see cref="DataSize"/> bytes.
    /// </summary>
    internal void CopyTo(Span<byte> destination)
    {
        var tableBytes = ItemCount * Wire.ResultItemSize;
        var items = destination[..tableBytes];
        MemoryMarshal.AsBytes(Items).CopyTo(items);
        var table = MemoryMarshal.Cast<byte, OfsResultItem>(items);
        for (var i = 0; i < table.Length; i++)
        {
            if (table[i].Kind == (uint)ItemKind.Patch)
            {
                table[i].PatchOffset += (uint)tableBytes;
            }
        }

        PatchBytes.CopyTo(destination[tableBytes..]);
    }

    private void EnsureRoom(int patchBytes)
    {
        if (ItemCount >= Wire.MaxResultItems)
        {
            throw new ResultCapacityException($"a result holds at most {Wire.MaxResultItems} items");
        }

        var needed = ((long)(ItemCount + 1) * Wire.ResultItemSize) + _patchBytesUsed + patchBytes;
        if (needed > DataCapacity)
        {
            throw new ResultCapacityException($"the result needs {needed} bytes but a result slot holds {DataCapacity} after its header");
        }
    }

    private static void ThrowIfNotFinite(float value)
    {
        if (!float.IsFinite(value))
        {
            throw new ArgumentException("face values must be finite", nameof(value));
        }
    }
}
