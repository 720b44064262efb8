using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ObsFaceSwap.Testing.Processes;

namespace ObsFaceSwap.Testing.Rtmp;

/// <summary>
/// A local nginx-rtmp server standing in for streaming platforms: one <c>application</c> per
/// simulated platform on 127.0.0.1:PORT, each recording every stream it receives to
/// <c>DIR/rec/APP/KEY-TIMESTAMP.flv</c> (<c>record_unique</c>: a reconnect starts a new file).
/// nginx runs in the foreground as a child of the test (same network namespace), with its
/// configuration, pid file and error log in DIR; it is stopped by PID and can be started again
/// on the same port (a platform outage).
/// </summary>
public sealed class NginxRtmpServer : IAsyncDisposable
{
    /// <summary>Where Debian's libnginx-mod-rtmp puts the module.</summary>
    public const string ModulePath = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

    private readonly Action<string>? _log;
    private ManagedProcess? _process;
    private int _disposed;

    private NginxRtmpServer(string directory, int port, IReadOnlyList<string> applications, Action<string>? log)
    {
        Directory = directory;
        Port = port;
        Applications = applications;
        _log = log;
    }

    /// <summary>The server's folder: nginx.conf, nginx.pid, error.log, nginx.out, rec/.</summary>
    public string Directory { get; }

    /// <summary>The RTMP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The applications (one per simulated platform).</summary>
    public IReadOnlyList<string> Applications { get; }

    /// <summary>Whether nginx is running now.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>nginx's process id while running.</summary>
    public int? Pid => IsRunning ? _process!.Pid : null;

    /// <summary>The server URL of an application, e.g. <c>rtmp://127.0.0.1:PORT/APP</c>.</summary>
    /// <param name="application">The application.</param>
    /// <returns>The URL.</returns>
    public string Url(string application) => $"rtmp://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/{application}";

    /// <summary>Where an application's recordings go.</summary>
    /// <param name="application">The application.</param>
    /// <returns>The folder.</returns>
    public string RecordingDirectory(string application) => Path.Combine(Directory, "rec", application);

    /// <summary>The recordings of an application, oldest first.</summary>
    /// <param name="application">The application.</param>
    /// <returns>The .flv files.</returns>
    public IReadOnlyList<FileInfo> Recordings(string application) =>
        new DirectoryInfo(RecordingDirectory(application)).GetFiles("*.flv").OrderBy(f => f.CreationTimeUtc).ThenBy(f => f.Name).ToList();

    /// <summary>Bytes recorded so far by an application (all its files).</summary>
    /// <param name="application">The application.</param>
    /// <returns>The byte count.</returns>
    public long RecordedBytes(string application) => Recordings(application).Sum(f => { f.Refresh(); return f.Length; });

    /// <summary>Writes the configuration and starts nginx, waiting until the port accepts.</summary>
    /// <param name="directory">An empty folder for this server.</param>
    /// <param name="applications">Application names ([a-z0-9_-]).</param>
    /// <param name="log">Progress lines; null discards them.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The running server.</returns>
    public static async Task<NginxRtmpServer> StartAsync(
        string directory,
        IReadOnlyList<string> applications,
        Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(applications);
        NetworkNamespace.EnsurePrivate();
        ExternalTool.EnsureOnPath("nginx");
        if (!File.Exists(ModulePath))
        {
            throw new FileNotFoundException($"{ModulePath} not found: install libnginx-mod-rtmp (bash scripts/setup.sh).");
        }

        if (applications.Count == 0 || applications.Any(a => a.Length == 0 || !a.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-')))
        {
            throw new ArgumentException("Application names must be non-empty [a-z0-9_-].", nameof(applications));
        }

        System.IO.Directory.CreateDirectory(directory);
        var server = new NginxRtmpServer(Path.GetFullPath(directory), Loopback.FreePort(), applications.ToList(), log);
        foreach (var application in applications)
        {
            System.IO.Directory.CreateDirectory(server.RecordingDirectory(application));
        }

        await File.WriteAllTextAsync(Path.Combine(server.Directory, "nginx.conf"), server.Config(), cancellationToken).ConfigureAwait(false);
        await server.StartProcessAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>Starts nginx again (after <see cref="StopAsync"/>) on the same port and folders.</summary>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>A task that completes when the port accepts.</returns>
    public Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("nginx is running.");
        }

        return StartProcessAsync(cancellationToken);
    }

    /// <summary>Stops nginx (SIGTERM: fast shutdown, connections dropped; SIGKILL after 5 s).</summary>
    /// <returns>A task that completes when it has exited.</returns>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        await process.StopAsync(Posix.SigTerm, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await process.DisposeAsync().ConfigureAwait(false);
        _log?.Invoke($"nginx-rtmp stopped (port {Port})");
    }

    /// <summary>Stops nginx. Idempotent.</summary>
    /// <returns>A task that completes when it has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await StopAsync().ConfigureAwait(false);
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var conf = Path.Combine(Directory, "nginx.conf");
        _process = ManagedProcess.Start(
            "nginx",
            "nginx",
            ["-p", Directory + "/", "-e", Path.Combine(Directory, "error.log"), "-c", conf],
            new Dictionary<string, string?>(),
            Path.Combine(Directory, "nginx.out"),
            Directory);
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                var error = File.Exists(Path.Combine(Directory, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(Directory, "error.log"), cancellationToken).ConfigureAwait(false) : "";
                throw new InvalidOperationException($"nginx exited with code {_process.ExitCode}: {error}");
            }

            if (await Loopback.AcceptsAsync(Port, cancellationToken).ConfigureAwait(false))
            {
                _log?.Invoke($"nginx-rtmp pid {_process.Pid} on 127.0.0.1:{Port} ({string.Join(", ", Applications)}) after {clock.ElapsedMilliseconds} ms");
                return;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"nginx did not accept on 127.0.0.1:{Port} within 10 s.");
    }

    private string Config()
    {
        var text = new StringBuilder();
        text.Append("load_module ").Append(ModulePath).Append(";\n");
        text.Append("daemon off;\nmaster_process off;\nworker_processes 1;\n");
        text.Append("pid ").Append(Path.Combine(Directory, "nginx.pid")).Append(";\n");
        text.Append("error_log ").Append(Path.Combine(Directory, "error.log")).Append(" info;\n");
        text.Append("events { worker_connections 256; }\n");
        text.Append("rtmp {\n  server {\n");
        text.Append("    listen 127.0.0.1:").Append(Port.ToString(CultureInfo.InvariantCulture)).Append(";\n");
        text.Append("    chunk_size 4096;\n");
        foreach (var application in Applications)
        {
            text.Append("    application ").Append(application).Append(" {\n");
            text.Append("      live on;\n      record all;\n      record_unique on;\n");
            text.Append("      record_path ").Append(RecordingDirectory(application)).Append(";\n");
            text.Append("    }\n");
        }

        text.Append("  }\n}\n");
        return text.ToString();
    }
}
