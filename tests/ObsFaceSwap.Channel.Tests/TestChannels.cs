namespace ObsFaceSwap.Channel.Tests;

/// <summary>A shim-side channel and the host's attachment to it, over two views of the same memory.</summary>
internal sealed class ChannelPair : IDisposable
{
    private ChannelPair(ShimChannel shim, HostChannel host)
    {
        Shim = shim;
        Host = host;
    }

    public ShimChannel Shim { get; }

    public HostChannel Host { get; }

    public static string UniqueName() => $"/obs-faceswap-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48];

    public static ChannelPair Create(int queueDepth = 1, int frameDataCapacity = 64 * 48 * 4, int resultDataCapacity = 64 * 1024, int frameSlots = 3, int resultSlots = 3, ulong channelId = 7)
    {
        var shim = ShimChannel.Create(UniqueName(), new ShimChannelOptions(channelId, frameDataCapacity, resultDataCapacity, queueDepth, frameSlots, resultSlots));
        try
        {
            var mapping = ChannelMapping.OpenExisting(shim.Mapping.Name, shim.Mapping.Length);
            return new ChannelPair(shim, HostChannel.Attach(mapping, ownsMapping: true));
        }
        catch
        {
            shim.Dispose();
            throw;
        }
    }

    /// <summary>A BGRA frame whose every 32-bit pixel holds <paramref name="tag"/>.</summary>
    public static byte[] TaggedBgra(int width, int height, uint tag)
    {
        var bytes = new byte[width * height * 4];
        for (var i = 0; i < bytes.Length; i += 4)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i), tag);
        }

        return bytes;
    }

    public void Dispose()
    {
        Host.Dispose();
        Shim.Dispose();
    }
}
