using System.IO.MemoryMappedFiles;
using System.Runtime.Versioning;

namespace ObsFaceSwap.Channel;

/// <summary>Thrown when a channel's shared memory cannot be opened or mapped.</summary>
public sealed class ChannelMapException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ChannelMapException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ChannelMapException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public ChannelMapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A read-write view of one channel's shared memory. Linux: the POSIX shared-memory object
/// <c>/dev/shm/&lt;name without '/'&gt;</c>; Windows: the named file mapping. The mapping is
/// owned by the shim; disposing only unmaps it.
/// </summary>
public sealed unsafe class ChannelMapping : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly string? _unlinkPath;
    private byte* _pointer;
    private int _disposed;

    private ChannelMapping(string name, MemoryMappedFile file, MemoryMappedViewAccessor view, ulong length, string? unlinkPath)
    {
        Name = name;
        _file = file;
        _view = view;
        _unlinkPath = unlinkPath;
        Length = length;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _pointer = p + view.PointerOffset;
    }

    /// <summary>The shm / file-mapping name the mapping was opened with.</summary>
    public string Name { get; }

    /// <summary>Bytes mapped.</summary>
    public ulong Length { get; }

    /// <summary>Start of the mapping. Valid until <see cref="Dispose"/>.</summary>
    internal byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _pointer;
        }
    }

    /// <summary>
    /// Opens the shared memory the shim announced in <c>OPEN_CHANNEL</c>.
    /// </summary>
    /// <param name="name">The <c>shm_name</c>: <c>/obs-faceswap-&lt;pid&gt;-&lt;id&gt;</c> on Linux, a file-mapping name on Windows.</param>
    /// <param name="size">The <c>size</c> the shim announced: bytes to map.</param>
    /// <returns>The mapping; <see cref="Length"/> equals <paramref name="size"/>.</returns>
    /// <exception cref="ChannelMapException">The name is not acceptable, or the memory cannot be opened or is smaller than <paramref name="size"/>.</exception>
    public static ChannelMapping OpenExisting(string name, ulong size)
    {
        ArgumentNullException.ThrowIfNull(name);
        ValidateName(name);
        if (size < Wire.ChannelHeaderSize || size > long.MaxValue)
        {
            throw new ChannelMapException($"channel '{name}': size {size} is not in {Wire.ChannelHeaderSize}..{long.MaxValue}");
        }

        return OperatingSystem.IsWindows() ? OpenWindows(name, size) : OpenPosix(name, size);
    }

    /// <summary>
    /// Creates new channel memory (the shim's side; used by tests that play the shim).
    /// Linux: <c>/dev/shm/&lt;name&gt;</c>, exclusive, mode 0600; Windows: a named mapping.
    /// </summary>
    internal static ChannelMapping CreateNew(string name, ulong size)
    {
        ValidateName(name);
        if (OperatingSystem.IsWindows())
        {
            return CreateWindows(name, size);
        }

        var path = PosixPath(name);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        var stream = new FileStream(path, options);
        try
        {
            stream.SetLength((long)size);
            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, (long)size, MemoryMappedFileAccess.ReadWrite);
            return new ChannelMapping(name, file, view, size, path);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Unmaps the memory (and, for memory this process created, removes the name).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
        if (_unlinkPath is not null)
        {
            File.Delete(_unlinkPath);
        }
    }

    /// <summary>
    /// Accepts only plain names: an optional leading '/', then 1..127 of [A-Za-z0-9._-]
    /// (and '\' after a Windows "Local"/"Global" prefix), never "." or "..". This keeps a
    /// hostile name from reaching outside /dev/shm.
    /// </summary>
    private static void ValidateName(string name)
    {
        var body = name.StartsWith('/') ? name.AsSpan(1) : name.AsSpan();
        if (OperatingSystem.IsWindows())
        {
            if (body.StartsWith("Local\\", StringComparison.Ordinal))
            {
                body = body["Local\\".Length..];
            }
            else if (body.StartsWith("Global\\", StringComparison.Ordinal))
            {
                body = body["Global\\".Length..];
            }
        }

        var ok = body.Length is > 0 and < (int)Wire.ShmNameMax && !body.SequenceEqual(".") && !body.SequenceEqual("..");
        foreach (var c in body)
        {
            ok &= char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
        }

        if (!ok)
        {
            throw new ChannelMapException($"channel name '{name}' is not acceptable: expected '/' then 1..127 of [A-Za-z0-9._-]");
        }
    }

    private static string PosixPath(string name) => "/dev/shm/" + name.TrimStart('/');

    private static ChannelMapping OpenPosix(string name, ulong size)
    {
        var path = PosixPath(name);
        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            var fileLength = (ulong)stream.Length;
            if (fileLength < size)
            {
                throw new ChannelMapException($"channel '{name}': the shared memory holds {fileLength} bytes, less than the announced size {size}");
            }

            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            stream = null; // owned by the mapping now
            try
            {
                var view = file.CreateViewAccessor(0, (long)size, MemoryMappedFileAccess.ReadWrite);
                return new ChannelMapping(name, file, view, size, unlinkPath: null);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is not ChannelMapException and (IOException or UnauthorizedAccessException or ArgumentException))
        {
            throw new ChannelMapException($"channel '{name}': cannot map {path}: {e.Message}", e);
        }
        finally
        {
            stream?.Dispose();
        }
    }

    [SupportedOSPlatform("windows")]
    private static ChannelMapping OpenWindows(string name, ulong size)
    {
        try
        {
            var file = MemoryMappedFile.OpenExisting(name, MemoryMappedFileRights.ReadWrite, HandleInheritability.None);
            try
            {
                var view = file.CreateViewAccessor(0, (long)size, MemoryMappedFileAccess.ReadWrite);
                return new ChannelMapping(name, file, view, size, unlinkPath: null);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ChannelMapException($"channel '{name}': cannot map the file mapping: {e.Message}", e);
        }
    }

    [SupportedOSPlatform("windows")]
    private static ChannelMapping CreateWindows(string name, ulong size)
    {
        var file = MemoryMappedFile.CreateNew(name, (long)size, MemoryMappedFileAccess.ReadWrite);
        try
        {
            var view = file.CreateViewAccessor(0, (long)size, MemoryMappedFileAccess.ReadWrite);
            return new ChannelMapping(name, file, view, size, unlinkPath: null);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
