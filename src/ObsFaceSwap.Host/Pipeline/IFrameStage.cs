using ObsFaceSwap.Channel;

namespace ObsFaceSwap.Host.Pipeline;

/// <summary>
/// One step of a channel's pipeline. Stages run in order on the channel's own thread, one
/// frame at a time; they read the frame and add items to the result. A stage must not keep
/// the frame's spans past <see cref="Process"/> and should not allocate per frame.
/// </summary>
internal interface IFrameStage
{
    /// <summary>Stable name, used in stats and logs (e.g. "diagnostic").</summary>
    string Name { get; }

    /// <summary>Processes one frame, adding items to <paramref name="result"/>.</summary>
    /// <param name="frame">The frame (pixels are in shared memory, valid during the call).</param>
    /// <param name="result">The result being built for this frame.</param>
    void Process(in FrameContext frame, ResultBuilder result);
}

/// <summary>
/// One frame as the stages see it: geometry and pixel planes. BGRA: <see cref="Plane0"/>
/// holds rows of <c>4 * Width</c> bytes at <see cref="Stride"/>. NV12: <see cref="Plane0"/> is
/// Y (rows of <c>Width</c> bytes at <see cref="Stride"/>) and <see cref="UvPlane"/> interleaved
/// U, V at half resolution (rows of <c>Width</c> bytes at <see cref="UvStride"/>).
/// </summary>
internal readonly ref struct FrameContext
{
    public FrameContext(ulong frameId, ulong timestampNs, PixelFormat format, int width, int height, ReadOnlySpan<byte> plane0, int stride, ReadOnlySpan<byte> uvPlane, int uvStride, PipelineSettings? settings = null)
    {
        Settings = settings ?? PipelineSettings.Default;
        FrameId = frameId;
        TimestampNs = timestampNs;
        Format = format;
        Width = width;
        Height = height;
        Plane0 = plane0;
        Stride = stride;
        UvPlane = uvPlane;
        UvStride = uvStride;
    }

    public ulong FrameId { get; }

    public ulong TimestampNs { get; }

    public PixelFormat Format { get; }

    public int Width { get; }

    public int Height { get; }

    public ReadOnlySpan<byte> Plane0 { get; }

    public int Stride { get; }

    public ReadOnlySpan<byte> UvPlane { get; }

    public int UvStride { get; }

    /// <summary>The channel's settings when the frame was taken.</summary>
    public PipelineSettings Settings { get; }

    /// <summary>The view of a frame the host holds (the lease's header is already validated).</summary>
    public static FrameContext FromLease(in FrameLease lease, PipelineSettings settings)
    {
        var h = lease.Header;
        return new FrameContext(h.FrameId, h.TimestampNs, lease.Format, (int)h.Width, (int)h.Height, lease.Plane0, (int)h.Stride, lease.UvPlane, (int)h.UvStride, settings);
    }
}
