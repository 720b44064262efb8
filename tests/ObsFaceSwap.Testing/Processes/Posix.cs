using System.Runtime.InteropServices;

namespace ObsFaceSwap.Testing.Processes;

/// <summary>POSIX signals by PID (the BCL only offers SIGKILL).</summary>
public static partial class Posix
{
    /// <summary>Interrupt: OBS shuts down cleanly on it.</summary>
    public const int SigInt = 2;

    /// <summary>Kill: cannot be caught.</summary>
    public const int SigKill = 9;

    /// <summary>Terminate.</summary>
    public const int SigTerm = 15;

    /// <summary>Sends a signal to one process.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="signal">The signal number.</param>
    /// <returns>True if it was sent; false if the process no longer exists.</returns>
    public static bool Signal(int pid, int signal)
    {
        if (pid <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "Refusing to signal PID <= 1.");
        }

        return NativeKill(pid, signal) == 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
