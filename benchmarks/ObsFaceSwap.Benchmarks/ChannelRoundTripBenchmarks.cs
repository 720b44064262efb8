using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ObsFaceSwap.Channel;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// One frame's round trip through the frame channel (docs/frame-channel.md), against a plain
/// memcpy of the same bytes measured in the same run (the baseline, ratio 1.00):
/// <list type="number">
/// <item>shim side (the module's C code, libofs-core): copy the frame into a free slot;</item>
/// <item>host side (ObsFaceSwap.Channel, the host's C# code): take the frame and read all of it
/// (copied to private memory, the upper bound of what a stage reads), release the slot;</item>
/// <item>host: publish a small result (one 32x32 BGRA patch with an affine transform);</item>
/// <item>shim: read, validate and copy out the newest result.</item>
/// </list>
/// The channel lives in real POSIX shared memory mapped twice, as the two processes map it.
/// One thread plays both roles, so the figure is the work, not cross-core wake-up latency.
/// </summary>
[MemoryDiagnoser]
public unsafe class ChannelRoundTripBenchmarks
{
    private static int s_instance;

    private string _shmPath = "";
    private MemoryMappedFile? _shmFile;
    private MemoryMappedViewAccessor? _shmView;
    private byte* _shm;
    private nint _shim;
    private HostChannel? _host;
    private byte* _frame;
    private byte* _copy;
    private byte* _resultBuffer;
    private uint _resultBufferSize;
    private byte[] _hostCopy = [];
    private ResultBuilder? _result;
    private int _width;
    private int _height;
    private int _frameBytes;

    /// <summary>Analysis resolution.</summary>
    [Params("640x360", "1280x720", "1920x1080")]
    public string Resolution { get; set; } = "640x360";

    /// <summary>Pixel format of the frame.</summary>
    [Params(PixelFormat.Bgra, PixelFormat.Nv12)]
    public PixelFormat Format { get; set; } = PixelFormat.Bgra;

    [GlobalSetup]
    public void Setup()
    {
        OfsCore.EnsureLoaded();
        var parts = Resolution.Split('x');
        _width = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        _height = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        _frameBytes = Format == PixelFormat.Bgra ? _width * _height * 4 : _width * _height * 3 / 2;

        var size = OfsCore.ChannelSize((uint)_width, (uint)_height);
        var name = $"obs-faceswap-bench-{Environment.ProcessId}-{Interlocked.Increment(ref s_instance)}";
        _shmPath = "/dev/shm/" + name;
        var stream = new FileStream(_shmPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.SetLength((long)size);
        _shmFile = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        _shmView = _shmFile.CreateViewAccessor(0, (long)size, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _shmView.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _shm = p + _shmView.PointerOffset;

        Check(OfsCore.ChannelCreate(_shm, size, 1, (uint)_width, (uint)_height, 1, out _shim), "ofs_core_channel_create");
        _host = HostChannel.Attach(ChannelMapping.OpenExisting("/" + name, size), ownsMapping: true);

        _frame = (byte*)NativeMemory.AlignedAlloc((nuint)_frameBytes, 64);
        _copy = (byte*)NativeMemory.AlignedAlloc((nuint)_frameBytes, 64);
        new Span<byte>(_frame, _frameBytes).Fill(0x5a);
        _hostCopy = GC.AllocateUninitializedArray<byte>(_frameBytes, pinned: true);
        _resultBufferSize = OfsCore.ResultBufferSize(_shim);
        _resultBuffer = (byte*)NativeMemory.AlignedAlloc(_resultBufferSize, 64);
        _result = new ResultBuilder(_host.Geometry.ResultDataCapacity);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.Dispose();
        OfsCore.ChannelDestroy(_shim);
        _shmView?.SafeMemoryMappedViewHandle.ReleasePointer();
        _shmView?.Dispose();
        _shmFile?.Dispose();
        File.Delete(_shmPath);
        NativeMemory.AlignedFree(_frame);
        NativeMemory.AlignedFree(_copy);
        NativeMemory.AlignedFree(_resultBuffer);
    }

    /// <summary>Baseline: one memcpy of the frame's bytes.</summary>
    [Benchmark(Baseline = true)]
    public void Memcpy() => NativeMemory.Copy(_frame, _copy, (nuint)_frameBytes);

    /// <summary>Shim copy-in, host read, host small result, shim result read.</summary>
    [Benchmark]
    public void RoundTrip()
    {
        var format = Format == PixelFormat.Bgra ? 1u : 2u;
        var pitch = Format == PixelFormat.Bgra ? (uint)_width * 4 : (uint)_width;
        Check(OfsCore.WriteFrame(_shim, _frame, pitch, format, (uint)_width, (uint)_height, 1, out _), "ofs_core_write_frame");

        var host = _host!;
        if (host.TryAcquireFrame(out var lease) != FrameAcquireStatus.Acquired)
        {
            throw new InvalidOperationException("host: no frame: " + host.LastRejectReason);
        }

        lease.Data.CopyTo(_hostCopy);
        var frameId = lease.Header.FrameId;
        var timestamp = lease.Header.TimestampNs;
        if (!lease.Release())
        {
            throw new InvalidOperationException("host: frame torn");
        }

        var result = _result!;
        result.Reset();
        result.AddPatch(32, 32, [1f, 0f, 16, 0f, 1f, 16], 1f).Fill(0x80);
        if (host.TryPublishResult(result, frameId, timestamp, (uint)_width, (uint)_height, 0) == ResultPublishStatus.NoSlot)
        {
            throw new InvalidOperationException("host: no result slot");
        }

        Check(OfsCore.ReadResult(_shim, _resultBuffer, _resultBufferSize, out var info), "ofs_core_read_result");
        if (info.FrameId != frameId || info.ItemCount != 1)
        {
            throw new InvalidOperationException($"shim: result for frame {info.FrameId} with {info.ItemCount} items, expected frame {frameId} with 1");
        }
    }

    private static void Check(int status, string what)
    {
        if (status != 0)
        {
            throw new InvalidOperationException($"{what} returned {status}");
        }
    }
}
