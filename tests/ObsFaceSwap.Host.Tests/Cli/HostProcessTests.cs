using System.Diagnostics;
using System.Text.Json;

namespace ObsFaceSwap.Host.Tests.Cli;

/// <summary>The built obs-faceswap-host executable, as OBS, the end-to-end tests and the demo run it.</summary>
public sealed class HostProcessTests : IDisposable
{
    private const string IdleExitSeconds = "8";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ofs-proc-");

    private string Socket => Path.Combine(_dir.FullName, "control.sock");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task The_host_serves_stats_refuses_a_second_host_and_exits_when_idle()
    {
        // The idle time must outlast the CLI launches below (each a dotnet start-up, over a second
        // on a loaded 2-core machine); a shorter one let the host exit between two of them.
        using var host = HostProcess.Start("run", "--endpoint", Socket, "--idle-exit-seconds", IdleExitSeconds);
        await host.WaitForStderrAsync("listening on");
        Assert.True(File.Exists(Socket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Socket));

        var stats = await HostProcess.RunToEndAsync("stats", "--endpoint", Socket, "--json");
        Assert.Equal(0, stats.ExitCode);
        using (var doc = JsonDocument.Parse(stats.Stdout))
        {
            Assert.Equal(host.Process.Id, doc.RootElement.GetProperty("hostPid").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("channels").GetArrayLength());
        }

        var table = await HostProcess.RunToEndAsync("stats", "--endpoint", Socket);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains($"pid {host.Process.Id}", table.Stdout, StringComparison.Ordinal);

        var second = await HostProcess.RunToEndAsync("--endpoint", Socket);
        Assert.Equal(3, second.ExitCode);
        Assert.Contains("already listening", second.Stderr, StringComparison.Ordinal);

        Assert.True(host.Process.WaitForExit(30_000), "the host did not exit after the idle time");
        Assert.Equal(0, host.Process.ExitCode);
        Assert.False(File.Exists(Socket));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced()
    {
        // A socket file left by a process that died without unlinking it (.NET itself unlinks
        // on Dispose, so another process makes it).
        var psi = new ProcessStartInfo("python3") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])");
        psi.ArgumentList.Add(Socket);
        using (var maker = Process.Start(psi)!)
        {
            Assert.True(maker.WaitForExit(20_000));
            Assert.Equal(0, maker.ExitCode);
        }

        Assert.True(File.Exists(Socket));
        using var host = HostProcess.Start("run", "--endpoint", Socket, "--idle-exit-seconds", IdleExitSeconds);
        await host.WaitForStderrAsync("listening on");
        var stats = await HostProcess.RunToEndAsync("stats", "--endpoint", Socket, "--json");
        Assert.Equal(0, stats.ExitCode);
        Assert.True(host.Process.WaitForExit(30_000));
        Assert.Equal(0, host.Process.ExitCode);
    }

    [Fact]
    public async Task A_regular_file_at_the_socket_path_is_never_removed()
    {
        await File.WriteAllTextAsync(Socket, "not a socket");
        var run = await HostProcess.RunToEndAsync("run", "--endpoint", Socket);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not a socket", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("not a socket", await File.ReadAllTextAsync(Socket));
    }

    [Fact]
    public async Task Stats_with_no_host_exits_4_with_a_clear_message()
    {
        var stats = await HostProcess.RunToEndAsync("stats", "--endpoint", Socket);
        Assert.Equal(4, stats.ExitCode);
        Assert.Contains($"no host answers at {Socket}", stats.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stats.Stdout);
    }

    [Fact]
    public async Task A_bad_command_line_fails()
    {
        var bad = await HostProcess.RunToEndAsync("run", "--idle-exit-seconds", "-3", "--endpoint", Socket);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--idle-exit-seconds", bad.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Socket));
    }

    /// <summary>A running obs-faceswap-host process.</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly System.Text.StringBuilder _stderr = new();

        private HostProcess(Process process)
        {
            Process = process;
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_stderr)
                    {
                        _stderr.AppendLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public static HostProcess Start(params string[] args)
        {
            var process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("cannot start the host");
            return new HostProcess(process);
        }

        public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(params string[] args)
        {
            using var process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("cannot start the host");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }

        public async Task WaitForStderrAsync(string text)
        {
            var deadline = Environment.TickCount64 + 20_000;
            while (true)
            {
                lock (_stderr)
                {
                    if (_stderr.ToString().Contains(text, StringComparison.Ordinal))
                    {
                        return;
                    }
                }

                Assert.False(Process.HasExited, $"the host exited early: {_stderr}");
                Assert.True(Environment.TickCount64 < deadline, $"no '{text}' from the host: {_stderr}");
                await Task.Delay(20);
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
                Process.WaitForExit(10_000);
            }

            Process.Dispose();
        }

        private static ProcessStartInfo StartInfo(string[] args)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "obs-faceswap-host.dll");
            var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(dll);
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            psi.Environment.Remove("OBS_FACESWAP_ENDPOINT");
            return psi;
        }
    }
}
