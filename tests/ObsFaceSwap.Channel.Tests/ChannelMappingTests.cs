namespace ObsFaceSwap.Channel.Tests;

public sealed unsafe class ChannelMappingTests
{
    [Fact]
    public void Two_mappings_of_one_name_share_memory()
    {
        var name = ChannelPair.UniqueName();
        using var created = ChannelMapping.CreateNew(name, 4096);
        using var opened = ChannelMapping.OpenExisting(name, 4096);
        Assert.Equal(4096UL, opened.Length);
        created.Pointer[100] = 0xAB;
        Assert.Equal(0xAB, opened.Pointer[100]);
    }

    [Fact]
    public void On_Linux_the_memory_is_the_dev_shm_object_with_mode_0600_and_is_removed_by_its_creator()
    {
        var name = ChannelPair.UniqueName();
        var path = "/dev/shm/" + name.TrimStart('/');
        using (ChannelMapping.CreateNew(name, 4096))
        {
            Assert.True(File.Exists(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData("/../../etc/passwd")]
    [InlineData("/a/b")]
    [InlineData("..")]
    [InlineData("/")]
    [InlineData("")]
    [InlineData("/name with space")]
    public void Names_that_could_leave_dev_shm_are_refused(string name)
    {
        var e = Assert.Throws<ChannelMapException>(() => ChannelMapping.OpenExisting(name, 4096));
        Assert.Contains("not acceptable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_object_cannot_be_mapped()
    {
        var e = Assert.Throws<ChannelMapException>(() => ChannelMapping.OpenExisting(ChannelPair.UniqueName(), 4096));
        Assert.Contains("cannot map", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_announced_size_larger_than_the_memory_is_refused()
    {
        var name = ChannelPair.UniqueName();
        using var created = ChannelMapping.CreateNew(name, 4096);
        var e = Assert.Throws<ChannelMapException>(() => ChannelMapping.OpenExisting(name, 8192));
        Assert.Contains("less than the announced size", e.Message, StringComparison.Ordinal);
        Assert.Throws<ChannelMapException>(() => ChannelMapping.OpenExisting(name, 100));
        Assert.Throws<ChannelMapException>(() => ChannelMapping.OpenExisting(name, ulong.MaxValue));
    }

    [Fact]
    public void Dispose_is_idempotent_and_the_pointer_is_unusable_after_it()
    {
        var name = ChannelPair.UniqueName();
        var m = ChannelMapping.CreateNew(name, 4096);
        m.Dispose();
        m.Dispose();
        Assert.Throws<ObjectDisposedException>(() => (nint)m.Pointer);
    }
}
