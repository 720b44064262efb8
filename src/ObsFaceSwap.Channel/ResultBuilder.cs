using System.Runtime.InteropServices;

namespace ObsFaceSwap.Channel;

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

    /// <summary>The <c>mode_generation</c> of the settings this result is computed with (written to the slot header's <c>settings_generation</c>); kept by <see cref="Reset"/>.</summary>
    public uint SettingsGeneration { get; set; }

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
    /// <param name="affine">Patch -> frame transform, row-major {a, b, c, d, e, f}: patch (u, v) lands on frame (a·u + b·v + c, d·u + e·v + f); six finite values.</param>
    /// <param name="opacity">Multiplies the alpha; clamped to 0..1; finite.</param>
    /// <param name="faceId">The track id of the face the patch covers (0: none); the shim keeps masking a face whose patch it does not draw.</param>
    /// <returns>The patch's <c>4 * width * height</c> bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range or a value is not finite.</exception>
    /// <exception cref="ResultCapacityException">The result would exceed the item limit or the slot.</exception>
    public Span<byte> AddPatch(int width, int height, ReadOnlySpan<float> affine, float opacity, uint faceId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, (int)Wire.MaxPatchSide);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, (int)Wire.MaxPatchSide);
        if (affine.Length != 6)
        {
            throw new ArgumentException($"affine needs 6 values (a, b, c, d, e, f), got {affine.Length}", nameof(affine));
        }

        foreach (var v in affine)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentOutOfRangeException(nameof(affine), "affine and opacity must be finite");
            }
        }

        if (!float.IsFinite(opacity))
        {
            throw new ArgumentOutOfRangeException(nameof(opacity), "affine and opacity must be finite");
        }

        var bytes = 4 * width * height; // <= 4 MiB: cannot overflow
        EnsureRoom(bytes);

        ref var item = ref _items[ItemCount];
        item = default;
        item.Kind = (uint)ItemKind.Patch;
        item.FaceId = faceId;
        for (var k = 0; k < 6; k++)
        {
            item.Affine[k] = affine[k];
        }
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
