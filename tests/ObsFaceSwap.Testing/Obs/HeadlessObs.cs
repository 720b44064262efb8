using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing.Processes;

namespace ObsFaceSwap.Testing.Obs;

/// <summary>
/// A real OBS Studio running headless under its own Xvfb, with a fresh profile and
/// obs-websocket on a free loopback port, inside the caller's private network namespace.
/// Artifacts (OBS's profile and logs, process output, recordings) stay in <c>.e2e/NAME/</c>.
/// Every process is tracked by PID and stopped by PID.
/// </summary>
public sealed class HeadlessObs : IAsyncDisposable
{
    private readonly HeadlessObsOptions _options;
    private readonly XvfbDisplay _display;
    private readonly string _runtimeDirectory;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private ManagedProcess _obs;
    private int _disposed;

    private HeadlessObs(
        HeadlessObsOptions options,
        XvfbDisplay display,
        ManagedProcess obs,
        IReadOnlyDictionary<string, string?> environment,
        string artifactDirectory,
        string runtimeDirectory,
        int port,
        string password)
    {
        _options = options;
        _display = display;
        _obs = obs;
        _environment = environment;
        ArtifactDirectory = artifactDirectory;
        _runtimeDirectory = runtimeDirectory;
        Port = port;
        Password = password;
    }

    /// <summary>This run's artifact folder, <c>.e2e/NAME/</c>.</summary>
    public string ArtifactDirectory { get; }

    /// <summary>Where OBS writes recordings.</summary>
    public string RecordingDirectory => Path.Combine(ArtifactDirectory, "recordings");

    /// <summary>OBS's configuration folder (XDG_CONFIG_HOME/obs-studio).</summary>
    public string ObsConfigDirectory => Path.Combine(ArtifactDirectory, "home", ".config", "obs-studio");

    /// <summary>The control endpoint the host listens on (OBS_FACESWAP_ENDPOINT).</summary>
    public string ControlEndpoint => Path.Combine(_runtimeDirectory, "control.sock");

    /// <summary>The host executable the module starts (OBS_FACESWAP_HOST).</summary>
    public string HostPath => _options.HostPath ?? BuildOutputs.HostPath;

    /// <summary>obs-websocket's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>obs-websocket's password (random per run).</summary>
    public string Password { get; }

    /// <summary>OBS's process id.</summary>
    public int Pid => _obs.Pid;

    /// <summary>Whether OBS has exited (crashed, if the test did not stop it).</summary>
    public bool HasExited => _obs.HasExited;

    /// <summary>OBS's exit code once it exited.</summary>
    public int? ExitCode => _obs.ExitCode;

    /// <summary>
    /// Starts Xvfb and OBS and waits until obs-websocket answers GetVersion, all within
    /// <see cref="HeadlessObsOptions.StartTimeout"/>.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The running OBS.</returns>
    /// <exception cref="InvalidOperationException">Not in a private network namespace, or OBS did not come up.</exception>
    public static async Task<HeadlessObs> StartAsync(HeadlessObsOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        NetworkNamespace.EnsurePrivate();
        ExternalTool.EnsureOnPath("obs", "Xvfb", "ffmpeg", "ffprobe");
        if (options.LoadFaceSwapModule)
        {
            BuildOutputs.EnsureModuleBuilt();
        }

        var clock = Stopwatch.StartNew();
        var artifacts = options.ArtifactDirectory is { } requested
            ? RepositoryLayout.CreateEmptyDirectory(requested)
            : RepositoryLayout.CreateArtifactDirectory(options.Name);
        var home = Path.Combine(artifacts, "home");
        var configHome = Path.Combine(home, ".config");
        Directory.CreateDirectory(Path.Combine(artifacts, "recordings"));
        // XDG_RUNTIME_DIR must be 0700 (CreateTempSubdirectory makes it so) and short enough
        // for a Unix socket path, so it lives in /tmp rather than under .e2e/.
        var runtime = Directory.CreateTempSubdirectory("ofs-harness-").FullName;
        var port = Loopback.FreePort();
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        ObsProfile.Write(configHome, options, port, password, Path.Combine(artifacts, "recordings"));

        XvfbDisplay? display = null;
        ManagedProcess obs;
        Dictionary<string, string?> environment;
        try
        {
            display = await XvfbDisplay.StartAsync(Path.Combine(artifacts, "xvfb.log"), options.StartTimeout).ConfigureAwait(false);
            options.Log?.Invoke($"Xvfb {display.Display} (pid {display.Pid})");
            environment = new Dictionary<string, string?>
            {
                ["DISPLAY"] = display.Display,
                ["QT_QPA_PLATFORM"] = "xcb",
                ["XDG_RUNTIME_DIR"] = runtime,
                ["HOME"] = home,
                ["XDG_CONFIG_HOME"] = configHome,
                ["WAYLAND_DISPLAY"] = null,
                ["DBUS_SESSION_BUS_ADDRESS"] = null,
                ["OBS_FACESWAP_HOST"] = options.HostPath ?? BuildOutputs.HostPath,
                ["OBS_FACESWAP_ENDPOINT"] = Path.Combine(runtime, "control.sock"),
                ["OBS_FACESWAP_MODEL_CACHE"] = BuildOutputs.ModelCacheDirectory,
                ["OBS_PLUGINS_PATH"] = options.LoadFaceSwapModule ? BuildOutputs.ModuleDirectory : null,
                ["OBS_PLUGINS_DATA_PATH"] = options.LoadFaceSwapModule ? BuildOutputs.DataDirectory : null,
            };
            obs = StartObsProcess(environment, artifacts);
        }
        catch
        {
            if (display is not null)
            {
                await display.DisposeAsync().ConfigureAwait(false);
            }

            Directory.Delete(runtime, recursive: true);
            throw;
        }

        var headless = new HeadlessObs(options, display, obs, environment, artifacts, runtime, port, password);
        options.Log?.Invoke($"OBS pid {obs.Pid}, obs-websocket 127.0.0.1:{port}, artifacts {artifacts}");
        try
        {
            await headless.WaitUntilReadyAsync(options.StartTimeout - clock.Elapsed, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await headless.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        options.Log?.Invoke($"OBS ready after {clock.ElapsedMilliseconds} ms");
        return headless;
    }

    /// <summary>
    /// Ends OBS and starts it again with the same profile, port and password (Xvfb stays), then
    /// waits until obs-websocket answers. <paramref name="crash"/> kills it with SIGKILL, as a
    /// crash would (no ExitStarted, no close frame); otherwise SIGINT shuts it down cleanly.
    /// </summary>
    /// <param name="crash">SIGKILL instead of a clean shutdown.</param>
    /// <param name="downtime">How long OBS stays down before it starts again.</param>
    /// <param name="cancellationToken">Cancels waiting for the new OBS.</param>
    /// <returns>A task that completes when the new OBS answers.</returns>
    public async Task RestartAsync(bool crash, TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var old = _obs;
        var clean = await old.StopAsync(crash ? Posix.SigKill : Posix.SigInt, _options.StopTimeout).ConfigureAwait(false);
        _options.Log?.Invoke($"OBS pid {old.Pid} {(crash ? "killed" : clean ? "exited" : "did not exit and was killed")} for a restart");
        await old.DisposeAsync().ConfigureAwait(false);
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        _obs = StartObsProcess(_environment, ArtifactDirectory);
        _options.Log?.Invoke($"OBS restarted, pid {_obs.Pid}");
        await WaitUntilReadyAsync(_options.StartTimeout, cancellationToken).ConfigureAwait(false);
        _options.Log?.Invoke($"OBS ready again after {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>The options for an obs-websocket client of this OBS.</summary>
    /// <param name="eventSubscriptions">The events to receive.</param>
    /// <returns>The options.</returns>
    public ObsWebSocketOptions WebSocketOptions(ObsEventSubscriptions eventSubscriptions = ObsEventSubscriptions.All) => new()
    {
        Uri = new Uri($"ws://127.0.0.1:{Port}"),
        Password = Password,
        EventSubscriptions = eventSubscriptions,
        RequestTimeout = TimeSpan.FromSeconds(15),
    };

    /// <summary>Connects an identified obs-websocket client.</summary>
    /// <param name="eventSubscriptions">The events to receive.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The client; dispose it before this OBS.</returns>
    public Task<ObsWebSocketClient> ConnectAsync(
        ObsEventSubscriptions eventSubscriptions = ObsEventSubscriptions.All,
        CancellationToken cancellationToken = default) =>
        ObsWebSocketClient.ConnectAsync(WebSocketOptions(eventSubscriptions), cancellationToken);

    /// <summary>Throws <see cref="InvalidOperationException"/> (with the end of OBS's log) if OBS has exited.</summary>
    public void EnsureRunning()
    {
        if (_obs.HasExited)
        {
            throw new InvalidOperationException(
                $"OBS (pid {_obs.Pid}) exited with code {_obs.ExitCode}. Log tail:\n{LogTail(40)}");
        }
    }

    /// <summary>The text of OBS's own log file (the newest in its logs folder), or "" if none yet.</summary>
    /// <returns>The log text.</returns>
    public string ReadObsLog()
    {
        var logs = Path.Combine(ObsConfigDirectory, "logs");
        if (!Directory.Exists(logs))
        {
            return "";
        }

        var newest = new DirectoryInfo(logs).GetFiles("*.txt").OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault();
        if (newest is null)
        {
            return "";
        }

        using var stream = new FileStream(newest.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The last lines of OBS's log, for failure messages.</summary>
    /// <param name="lines">How many lines.</param>
    /// <returns>The lines, joined.</returns>
    public string LogTail(int lines)
    {
        var text = ReadObsLog();
        if (text.Length == 0 && File.Exists(Path.Combine(ArtifactDirectory, "obs.log")))
        {
            using var stream = new FileStream(Path.Combine(ArtifactDirectory, "obs.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }

        return string.Join('\n', text.Split('\n').TakeLast(lines));
    }

    /// <summary>
    /// Host processes of this OBS: live processes other than OBS whose environment has this
    /// run's OBS_FACESWAP_ENDPOINT (the module's host inherits it, however it was spawned).
    /// </summary>
    /// <returns>The processes.</returns>
    public IReadOnlyList<ProcessIdentity> FindHostProcesses() =>
        ProcessTree.FindByEnvironment("OBS_FACESWAP_ENDPOINT", ControlEndpoint)
            .Where(p => p.Pid != _obs.Pid && p.Pid != Environment.ProcessId)
            .ToList();

    /// <summary>
    /// Stops OBS (SIGINT, <see cref="HeadlessObsOptions.StopTimeout"/>, then SIGKILL), any host
    /// process it left (SIGTERM, then SIGKILL), and Xvfb, all by PID. Idempotent.
    /// </summary>
    /// <returns>A task that completes when everything has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var leftovers = ProcessTree.Descendants(_obs.Pid).Concat(FindHostProcesses()).Distinct().ToList();
        var clean = await _obs.StopAsync(Posix.SigInt, _options.StopTimeout).ConfigureAwait(false);
        _options.Log?.Invoke(clean
            ? $"OBS exited with code {_obs.ExitCode}"
            : $"OBS did not exit within {_options.StopTimeout.TotalSeconds:0} s of SIGINT and was killed");

        foreach (var process in leftovers.Concat(FindHostProcesses()).Distinct().Where(p => p.IsAlive))
        {
            _options.Log?.Invoke($"stopping leftover {process.Command} (pid {process.Pid})");
            Posix.Signal(process.Pid, Posix.SigTerm);
            for (var i = 0; i < 30 && process.IsAlive; i++)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }

            if (process.IsAlive)
            {
                Posix.Signal(process.Pid, Posix.SigKill);
            }
        }

        await _obs.DisposeAsync().ConfigureAwait(false);
        await _display.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_runtimeDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static ManagedProcess StartObsProcess(IReadOnlyDictionary<string, string?> environment, string artifacts) =>
        ManagedProcess.Start(
            "obs",
            "obs",
            ["--multi", "--verbose", "--disable-missing-files-check"],
            environment,
            Path.Combine(artifacts, "obs.log"),
            Path.Combine(artifacts, "home"));

    private async Task WaitUntilReadyAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(budget > TimeSpan.Zero ? budget : TimeSpan.FromSeconds(1));
        Exception? last = null;
        try
        {
            // 1. The port accepts (0.5 to 0.8 s after launch on this machine).
            while (!await Loopback.AcceptsAsync(Port, cts.Token).ConfigureAwait(false))
            {
                EnsureRunning();
                await Task.Delay(100, cts.Token).ConfigureAwait(false);
            }

            // 2. obs-websocket identifies us and answers a request (it may say NotReady at first).
            while (true)
            {
                EnsureRunning();
                try
                {
                    await using var client = await ConnectAsync(ObsEventSubscriptions.None, cts.Token).ConfigureAwait(false);
                    await client.GetVersionAsync(cts.Token).ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (ex is ObsRequestException { Code: ObsRequestStatusCode.NotReady }
                                               or ObsConnectionClosedException or System.Net.WebSockets.WebSocketException)
                {
                    last = ex;
                    await Task.Delay(200, cts.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"OBS did not answer on obs-websocket 127.0.0.1:{Port} within {_options.StartTimeout.TotalSeconds:0} s. "
                + $"Last error: {last?.Message ?? "port closed"}. Log tail:\n{LogTail(40)}",
                last);
        }
    }
}
