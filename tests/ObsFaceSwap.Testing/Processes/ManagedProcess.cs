using System.Diagnostics;

namespace ObsFaceSwap.Testing.Processes;

/// <summary>
/// A child process the harness started: its output goes to a log file, and it is stopped by
/// PID with a signal, a bounded wait, then SIGKILL. Never by name.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopped;
    private bool _logClosed;

    private ManagedProcess(Process process, StreamWriter log, string name)
    {
        _process = process;
        _log = log;
        Name = name;
    }

    /// <summary>A short name for messages.</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Its exit code, once exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The first line it wrote to stdout.</summary>
    public Task<string> FirstOutputLine => _firstLine.Task;

    /// <summary>Starts a process with stdout and stderr appended to a log file.</summary>
    /// <param name="name">A short name for messages.</param>
    /// <param name="fileName">The executable.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">Variables to set (null value: remove) on top of this process's environment.</param>
    /// <param name="logPath">The log file.</param>
    /// <param name="workingDirectory">Its working directory, or null for this process's.</param>
    /// <returns>The running process.</returns>
    public static ManagedProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        string logPath,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, log, name);
        process.OutputDataReceived += (_, e) => managed.OnOutput(e.Data, isStdout: true);
        process.ErrorDataReceived += (_, e) => managed.OnOutput(e.Data, isStdout: false);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Waits for the process to exit.</summary>
    /// <param name="timeout">The bound.</param>
    /// <returns>True if it exited within the bound.</returns>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops the process: <paramref name="signal"/>, up to <paramref name="grace"/> to exit, then SIGKILL.
    /// Idempotent.
    /// </summary>
    /// <param name="signal">The first signal (e.g. SIGINT for OBS).</param>
    /// <param name="grace">How long to wait before SIGKILL.</param>
    /// <returns>True if it exited on the first signal (or had exited already); false if it needed SIGKILL.</returns>
    public async Task<bool> StopAsync(int signal, TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || _process.HasExited)
        {
            await WaitForExitAsync(grace).ConfigureAwait(false);
            return true;
        }

        Posix.Signal(_process.Id, signal);
        if (await WaitForExitAsync(grace).ConfigureAwait(false))
        {
            return true;
        }

        WriteLog($"[harness] {Name} (pid {_process.Id}) did not exit within {grace.TotalSeconds:0.#} s of signal {signal}: SIGKILL");
        Posix.Signal(_process.Id, Posix.SigKill);
        await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return false;
    }

    /// <summary>Appends a line of the harness's own to the log.</summary>
    /// <param name="line">The line.</param>
    public void WriteLog(string line)
    {
        lock (_logLock)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }

    /// <summary>Stops it with SIGTERM (5 s grace) if still running, and releases the log.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(Posix.SigTerm, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        // Let the asynchronous readers reach the end of the pipes; bounded, because a
        // grandchild (OBS starts the host) may hold them open.
        _process.WaitForExit(TimeSpan.FromSeconds(2));
        lock (_logLock)
        {
            _logClosed = true;
            _log.Dispose();
        }

        _process.Dispose();
    }

    private void OnOutput(string? line, bool isStdout)
    {
        if (line is null)
        {
            if (isStdout)
            {
                _firstLine.TrySetException(new EndOfStreamException($"{Name} closed its stdout."));
            }

            return;
        }

        if (isStdout)
        {
            _firstLine.TrySetResult(line);
        }

        lock (_logLock)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }
}
