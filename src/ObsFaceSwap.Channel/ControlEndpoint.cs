using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace ObsFaceSwap.Channel;

/// <summary>
/// Where the host's control endpoint lives (docs/frame-channel.md, "Who creates what").
/// Linux and other Unix: a Unix domain socket at <c>$OBS_FACESWAP_ENDPOINT</c>, else
/// <c>$XDG_RUNTIME_DIR/obs-faceswap/control.sock</c>, else
/// <c>/tmp/obs-faceswap-&lt;uid&gt;/control.sock</c> (directory 0700, socket 0600).
/// Windows: the named pipe <c>obs-faceswap-&lt;user&gt;</c> (or <c>$OBS_FACESWAP_ENDPOINT</c>), current user only.
/// </summary>
/// <param name="Address">Socket path, or pipe name without the <c>\\.\pipe\</c> prefix.</param>
/// <param name="IsNamedPipe">True on Windows.</param>
/// <param name="OwnsDirectory">True when the socket directory is one of the default private ones, whose mode the host enforces (0700).</param>
public sealed partial record ControlEndpoint(string Address, bool IsNamedPipe, bool OwnsDirectory)
{
    /// <summary>The environment variable that overrides the default address.</summary>
    public const string EnvironmentVariable = "OBS_FACESWAP_ENDPOINT";

    private const string PipePrefix = @"\\.\pipe\";

    /// <summary>
    /// Resolves the endpoint: <paramref name="explicitAddress"/> (a command-line option) wins,
    /// then <c>$OBS_FACESWAP_ENDPOINT</c>, then the platform default.
    /// </summary>
    public static ControlEndpoint Resolve(string? explicitAddress = null)
    {
        var configured = !string.IsNullOrEmpty(explicitAddress) ? explicitAddress : Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (OperatingSystem.IsWindows())
        {
            var name = string.IsNullOrEmpty(configured) ? $"obs-faceswap-{Environment.UserName}" : configured;
            if (name.StartsWith(PipePrefix, StringComparison.OrdinalIgnoreCase))
            {
                name = name[PipePrefix.Length..];
            }

            return new ControlEndpoint(name, IsNamedPipe: true, OwnsDirectory: false);
        }

        if (!string.IsNullOrEmpty(configured))
        {
            return new ControlEndpoint(Path.GetFullPath(configured), IsNamedPipe: false, OwnsDirectory: false);
        }

        var runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var dir = !string.IsNullOrEmpty(runtimeDir) && Path.IsPathRooted(runtimeDir)
            ? Path.Combine(runtimeDir, "obs-faceswap")
            : $"/tmp/obs-faceswap-{GetUid()}";
        return new ControlEndpoint(Path.Combine(dir, "control.sock"), IsNamedPipe: false, OwnsDirectory: true);
    }

    /// <summary>
    /// Creates the socket's directory with mode 0700 when missing; for the default directories
    /// also enforces 0700 on an existing one (which fails unless this user owns it).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The directory belongs to someone else.</exception>
    [UnsupportedOSPlatform("windows")]
    public void EnsureDirectory()
    {
        var dir = Path.GetDirectoryName(Address);
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(dir, Private);
        if (OwnsDirectory)
        {
            File.SetUnixFileMode(dir, Private);
        }
    }

    /// <summary>Connects to the endpoint as a client.</summary>
    /// <param name="timeout">Give up after this long.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected stream.</returns>
    /// <exception cref="IOException">No host answers (wraps the socket or pipe error).</exception>
    /// <exception cref="TimeoutException">No connection within <paramref name="timeout"/>.</exception>
    public async Task<Stream> ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            if (IsNamedPipe)
            {
                var pipe = new NamedPipeClientStream(".", Address, PipeDirection.InOut, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
                try
                {
                    await pipe.ConnectAsync(cts.Token).ConfigureAwait(false);
                    return pipe;
                }
                catch
                {
                    await pipe.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Address), cts.Token).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer from {this} within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            var why = !IsNamedPipe && !File.Exists(Address) ? "no socket exists there" : e.Message;
            throw new IOException($"cannot connect to {this}: {why}", e);
        }
    }

    /// <summary>The address as a person would write it.</summary>
    public override string ToString() => IsNamedPipe ? PipePrefix + Address : Address;

    /// <summary>The real user id (Unix).</summary>
    [UnsupportedOSPlatform("windows")]
    public static uint GetUid() => getuid();

    [LibraryImport("libc")]
    [UnsupportedOSPlatform("windows")]
    private static partial uint getuid();
}
