using System.Reflection;
using System.Runtime.InteropServices;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// P/Invoke declarations for libofs-core (native-shim/src/core/ofs-core.h): the shim's own C
/// implementation of the channel, so the benchmark's shim side is the code OBS runs.
/// </summary>
internal static unsafe partial class OfsCore
{
    private const string Library = "ofs-core";

    static OfsCore() => NativeLibrary.SetDllImportResolver(typeof(OfsCore).Assembly, Resolve);

    /// <summary>Forces the resolver to be installed before the first call.</summary>
    public static void EnsureLoaded() => _ = WireVersion();

    [StructLayout(LayoutKind.Sequential)]
    public struct FrameInfo
    {
        public ulong FrameId;
        public ulong TimestampNs;
        public uint PixelFormat;
        public uint Width;
        public uint Height;
        public uint Stride;
        public uint UvOffset;
        public uint UvStride;
        public uint DataSize;
        public uint Reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ResultInfo
    {
        public ulong FrameId;
        public ulong TimestampNs;
        public ulong PipelineNs;
        public uint FrameWidth;
        public uint FrameHeight;
        public uint ItemCount;
        public uint DataSize;
        public uint Status;
        public uint Reserved;
    }

    [LibraryImport(Library, EntryPoint = "ofs_core_wire_version")]
    public static partial uint WireVersion();

    [LibraryImport(Library, EntryPoint = "ofs_core_channel_size")]
    public static partial ulong ChannelSize(uint maxWidth, uint maxHeight);

    [LibraryImport(Library, EntryPoint = "ofs_core_channel_create")]
    public static partial int ChannelCreate(void* memory, ulong memorySize, ulong channelId, uint maxWidth, uint maxHeight, uint queueDepth, out nint channel);

    [LibraryImport(Library, EntryPoint = "ofs_core_channel_destroy")]
    public static partial void ChannelDestroy(nint channel);

    [LibraryImport(Library, EntryPoint = "ofs_core_result_buffer_size")]
    public static partial uint ResultBufferSize(nint channel);

    [LibraryImport(Library, EntryPoint = "ofs_core_write_frame")]
    public static partial int WriteFrame(nint channel, byte* pixels, uint rowPitch, uint pixelFormat, uint width, uint height, ulong timestampNs, out ulong frameId);

    [LibraryImport(Library, EntryPoint = "ofs_core_read_result")]
    public static partial int ReadResult(nint channel, byte* buffer, ulong bufferSize, out ResultInfo info);

    /// <summary>Finds libofs-core.so in the CMake build (build/native, any subfolder) or $OFS_CORE_LIB.</summary>
    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return 0;
        }

        var explicitPath = Environment.GetEnvironmentVariable("OFS_CORE_LIB");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return NativeLibrary.Load(explicitPath);
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "buildspec.json")))
        {
            dir = dir.Parent;
        }

        var build = dir is null ? null : Path.Combine(dir.FullName, "build", "native");
        var file = OperatingSystem.IsWindows() ? "ofs-core.dll" : "libofs-core.so";
        var found = build is not null && Directory.Exists(build)
            ? Directory.EnumerateFiles(build, file, SearchOption.AllDirectories).FirstOrDefault()
            : null;
        return found is not null
            ? NativeLibrary.Load(found)
            : throw new DllNotFoundException($"{file} not found under {build ?? "<repo>/build/native"}: run scripts/build.sh first, or set OFS_CORE_LIB");
    }
}
