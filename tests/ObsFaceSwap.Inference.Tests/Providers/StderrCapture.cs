using System.Runtime.InteropServices;

namespace ObsFaceSwap.Inference.Tests.Providers;

/// <summary>
/// Redirects the process's file descriptor 2 (where ONNX Runtime's native logger writes, past
/// <see cref="Console.Error"/>) into a temporary file until disposed; <see cref="Text"/> reads
/// it. Linux only (libc dup/dup2).
/// </summary>
internal sealed partial class StderrCapture : IDisposable
{
    private const int StderrFd = 2;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"ofs-stderr-{Guid.NewGuid():N}.txt");
    private readonly FileStream _file;
    private readonly int _saved;
    private bool _restored;

    public StderrCapture()
    {
        _file = new FileStream(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        _saved = Dup(StderrFd);
        if (_saved < 0 || Dup2((int)_file.SafeFileHandle.DangerousGetHandle(), StderrFd) < 0)
        {
            throw new InvalidOperationException($"dup/dup2 failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Restores stderr and returns what was written meanwhile.</summary>
    public string Text()
    {
        Restore();
        return File.ReadAllText(_path);
    }

    public void Dispose()
    {
        Restore();
        _file.Dispose();
        File.Delete(_path);
    }

    private void Restore()
    {
        if (!_restored)
        {
            _restored = true;
            Dup2(_saved, StderrFd);
            Close(_saved);
        }
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
