using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace ObsFaceSwap.Channel;

/// <summary>How a <see cref="FrameWaiter"/> waits.</summary>
public enum FrameWaitMode
{
    /// <summary>Linux <c>FUTEX_WAIT</c> on <c>frame_seq</c> (a shared futex: the word lives in shared memory).</summary>
    Futex,

    /// <summary>Windows named event (<c>wake_name</c>) that the shim sets per frame.</summary>
    NamedEvent,

    /// <summary>Neither is available: poll <c>frame_seq</c> every millisecond.</summary>
    Poll,
}

/// <summary>
/// The host's frame wake-up: blocks until <c>frame_seq</c> differs from a value read before
/// looking for frames, or a timeout (50 ms by the spec, so a missed wake-up costs at most one
/// poll interval). Used by the channel's pipeline thread only.
/// </summary>
public sealed unsafe class FrameWaiter : IDisposable
{
    /// <summary>The spec's wait timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(50);

    private readonly uint* _frameSeq;
    private readonly EventWaitHandle? _event;
    private int _disposed;

    private FrameWaiter(uint* frameSeq, FrameWaitMode mode, EventWaitHandle? wakeEvent)
    {
        _frameSeq = frameSeq;
        Mode = mode;
        _event = wakeEvent;
    }

    /// <summary>The mechanism in use.</summary>
    public FrameWaitMode Mode { get; }

    /// <summary>
    /// Creates the waiter for <paramref name="channel"/>: futex on Linux, the named event
    /// <paramref name="wakeName"/> on Windows, else a 1 ms poll.
    /// </summary>
    /// <param name="channel">The attached channel (must outlive the waiter).</param>
    /// <param name="wakeName">The <c>wake_name</c> of <c>OPEN_CHANNEL</c>; empty on Linux.</param>
    /// <param name="forcePoll">Use the poll fallback (tests).</param>
    public static FrameWaiter Create(HostChannel channel, string? wakeName, bool forcePoll = false)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var seq = channel.FrameSeqAddress;
        if (!forcePoll && OperatingSystem.IsLinux() && Futex.IsSupported)
        {
            return new FrameWaiter(seq, FrameWaitMode.Futex, null);
        }

        if (!forcePoll && OperatingSystem.IsWindows() && !string.IsNullOrEmpty(wakeName))
        {
            var handle = TryOpenEvent(wakeName);
            if (handle is not null)
            {
                return new FrameWaiter(seq, FrameWaitMode.NamedEvent, handle);
            }
        }

        return new FrameWaiter(seq, FrameWaitMode.Poll, null);
    }

    /// <summary>
    /// Waits until <c>frame_seq</c> != <paramref name="observedSeq"/> or <paramref name="timeout"/>
    /// passes. Returns at once when it already differs. Spurious returns are allowed: the
    /// caller always re-checks the ring.
    /// </summary>
    public void Wait(uint observedSeq, TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Volatile.Read(ref *_frameSeq) != observedSeq)
        {
            return;
        }

        switch (Mode)
        {
            case FrameWaitMode.Futex:
                Futex.Wait(_frameSeq, observedSeq, timeout);
                break;
            case FrameWaitMode.NamedEvent:
                _event!.WaitOne(timeout);
                break;
            default:
                var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
                while (Volatile.Read(ref *_frameSeq) == observedSeq && Environment.TickCount64 < deadline)
                {
                    Thread.Sleep(1);
                }

                break;
        }
    }

    /// <summary>Closes the event handle (Windows).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _event?.Dispose();
        }
    }

    [SupportedOSPlatform("windows")]
    private static EventWaitHandle? TryOpenEvent(string name)
    {
        try
        {
            return EventWaitHandle.OpenExisting(name);
        }
        catch (Exception e) when (e is WaitHandleCannotBeOpenedException or UnauthorizedAccessException or IOException or ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>
/// Linux futex through libc's <c>syscall</c>. Shared (not <c>FUTEX_PRIVATE_FLAG</c>) futexes,
/// because the word is in memory mapped by two processes.
/// </summary>
internal static unsafe partial class Futex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;
    private const int ETIMEDOUT = 110;
    private const int EAGAIN = 11;
    private const int EINTR = 4;

    private static readonly nint SysFutex = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        Architecture.LoongArch64 => 98,
        Architecture.RiscV64 => 98,
        Architecture.X86 => 240,
        Architecture.Arm => 240,
        _ => -1,
    };

    private static int _probed; // 0 unknown, 1 yes, 2 no

    /// <summary>True when the futex syscall can be called here (probed once).</summary>
    public static bool IsSupported
    {
        get
        {
            if (_probed == 0)
            {
                _probed = Probe() ? 1 : 2;
            }

            return _probed == 1;
        }
    }

    /// <summary><c>FUTEX_WAIT</c>: sleeps while <c>*address == expected</c>, at most <paramref name="timeout"/>.</summary>
    public static void Wait(uint* address, uint expected, TimeSpan timeout)
    {
        var ticks = Math.Max(0, timeout.Ticks);
        var ts = new Timespec
        {
            Seconds = (nint)(ticks / TimeSpan.TicksPerSecond),
            Nanoseconds = (nint)(ticks % TimeSpan.TicksPerSecond * 100),
        };

        // Returns 0 on wake, -1 with ETIMEDOUT / EAGAIN (value changed) / EINTR: all mean "look again".
        _ = Syscall(SysFutex, (nint)address, FutexWait, (nint)expected, (nint)(&ts), 0, 0);
    }

    /// <summary><c>FUTEX_WAKE</c>: wakes every waiter on <paramref name="address"/>. Never blocks.</summary>
    public static void WakeAll(uint* address)
    {
        if (IsSupported)
        {
            _ = Syscall(SysFutex, (nint)address, FutexWake, int.MaxValue, 0, 0, 0);
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || SysFutex < 0)
        {
            return false;
        }

        try
        {
            // A wait on a value that does not match returns at once with EAGAIN.
            uint word = 1;
            var rc = Syscall(SysFutex, (nint)(&word), FutexWait, 0, 0, 0, 0);
            var errno = Marshal.GetLastPInvokeError();
            return rc == -1 && errno is EAGAIN or EINTR or ETIMEDOUT;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // long syscall(long number, ...): the arguments are all register-sized integers, which the
    // SysV x86-64 and AArch64 Linux ABIs pass identically for variadic and fixed calls.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }
}
