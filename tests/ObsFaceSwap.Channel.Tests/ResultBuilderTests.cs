namespace ObsFaceSwap.Channel.Tests;

public sealed class ResultBuilderTests
{
    [Fact]
    public void Patches_are_laid_out_after_the_item_table_in_order()
    {
        var b = new ResultBuilder(4096);
        b.AddPatch(2, 2, [1f, 0f, 1, 0f, 1f, 1], 2f).Fill(1);
        b.AddPatch(1, 3, [1f, 0f, 1, 0f, 1f, 1], -1f).Fill(2);
        Assert.Equal(2, b.ItemCount);
        Assert.Equal((2 * 128) + 16 + 12, b.DataSize);
        Assert.Equal(1f, b.Items[0].Opacity);
        Assert.Equal(0f, b.Items[1].Opacity);

        var data = new byte[b.DataSize];
        b.CopyTo(data);
        var items = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, OfsResultItem>(data.AsSpan(0, 256));
        Assert.Equal(256u, items[0].PatchOffset);
        Assert.Equal(272u, items[1].PatchOffset);
        Assert.Equal(1, data[271]);
        Assert.Equal(2, data[272]);

        b.Reset();
        Assert.Equal(0, b.ItemCount);
        Assert.Equal(0, b.DataSize);
        Assert.Equal(ResultStatus.Ok, b.Status);
    }

    [Fact]
    public void Limits_are_enforced()
    {
        var b = new ResultBuilder(1024);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddPatch(0, 1, [1f, 0f, 0, 0f, 1f, 0], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddPatch(1, (int)Wire.MaxPatchSide + 1, [1f, 0f, 0, 0f, 1f, 0], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddPatch(1, 1, [float.NaN, 0f, 0f, 0f, 1f, 0f], 1));
        Assert.Throws<ResultCapacityException>(() => b.AddPatch(16, 16, [1f, 0f, 0, 0f, 1f, 0], 1));
        Assert.Equal(0, b.ItemCount);

        var many = new ResultBuilder(1 << 20);
        for (var i = 0; i < Wire.MaxResultItems; i++)
        {
            many.AddPatch(1, 1, [1f, 0f, 0, 0f, 1f, 0], 1);
        }

        Assert.Throws<ResultCapacityException>(() => many.AddPatch(1, 1, [1f, 0f, 0, 0f, 1f, 0], 1));
        Assert.Throws<ArgumentException>(() => many.AddFace([1, 2, 3], new float[10], 1, 0));
    }
}
