using System.Globalization;
using ObsFaceSwap.Testing.Processes;

namespace ObsFaceSwap.Testing.Obs;

/// <summary>An Xvfb server on a display number it picks itself (<c>-displayfd</c>), stopped by PID.</summary>
public sealed class XvfbDisplay : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private XvfbDisplay(ManagedProcess process, int number)
    {
        _process = process;
        Number = number;
    }

    /// <summary>The display number.</summary>
    public int Number { get; }

    /// <summary>The DISPLAY value, e.g. <c>:3</c>.</summary>
    public string Display => ":" + Number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Xvfb's process id.</summary>
    public int Pid => _process.Pid;

    /// <summary>Starts Xvfb and waits until it reports its display number.</summary>
    /// <param name="logPath">Xvfb's log file.</param>
    /// <param name="timeout">Bound on starting.</param>
    /// <returns>The running display.</returns>
    public static async Task<XvfbDisplay> StartAsync(string logPath, TimeSpan timeout)
    {
        // -displayfd 1: Xvfb picks a free display (by its lock files in /tmp) and writes the
        // number to stdout once it accepts connections.
        var process = ManagedProcess.Start(
            "Xvfb",
            "Xvfb",
            ["-displayfd", "1", "-screen", "0", "1280x720x24", "-nolisten", "tcp", "-noreset"],
            new Dictionary<string, string?>(),
            logPath);
        try
        {
            var line = await process.FirstOutputLine.WaitAsync(timeout).ConfigureAwait(false);
            return new XvfbDisplay(process, int.Parse(line.Trim(), CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is TimeoutException or EndOfStreamException or FormatException)
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Xvfb did not report a display within {timeout.TotalSeconds:0} s; see {logPath}.", ex);
        }
    }

    /// <summary>Stops Xvfb (SIGTERM, then SIGKILL after 5 s).</summary>
    /// <returns>A task that completes when it has exited.</returns>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
