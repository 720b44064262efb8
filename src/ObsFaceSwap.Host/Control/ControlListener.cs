using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ObsFaceSwap.Channel;

namespace ObsFaceSwap.Host.Control;

/// <summary>Another host already serves the endpoint.</summary>
internal sealed class EndpointInUseException : IOException
{
    public EndpointInUseException(string message)
        : base(message)
    {
    }

    public EndpointInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EndpointInUseException()
    {
    }
}

/// <summary>
/// The server side of the control endpoint: a bound, listening Unix socket (Linux, macOS) or a
/// named-pipe server (Windows). Bound before the generic host starts, so "another host is
/// listening" is detected up front.
/// </summary>
internal abstract class ControlListener : IAsyncDisposable
{
    protected ControlListener(ControlEndpoint endpoint)
    {
        Endpoint = endpoint;
    }

    public ControlEndpoint Endpoint { get; }

    /// <summary>
    /// Binds the endpoint. A stale Unix socket file with no listener is replaced.
    /// </summary>
    /// <exception cref="EndpointInUseException">Another host listens there.</exception>
    /// <exception cref="IOException">The endpoint cannot be created.</exception>
    public static ControlListener Bind(ControlEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return OperatingSystem.IsWindows() ? NamedPipeListener.Bind(endpoint) : UnixSocketListener.Bind(endpoint);
    }

    /// <summary>Waits for the next client and returns its stream.</summary>
    public abstract ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>Unix domain socket listener; socket mode 0600 in a 0700 directory.</summary>
[UnsupportedOSPlatform("windows")]
internal sealed class UnixSocketListener : ControlListener
{
    private readonly Socket _socket;
    private int _disposed;

    private UnixSocketListener(ControlEndpoint endpoint, Socket socket)
        : base(endpoint)
    {
        _socket = socket;
    }

    public static new UnixSocketListener Bind(ControlEndpoint endpoint)
    {
        var path = endpoint.Address;
        endpoint.EnsureDirectory();
        if (File.Exists(path) || Directory.Exists(path))
        {
            RemoveStaleSocket(path);
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(64);
            return new UnixSocketListener(endpoint, socket);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new EndpointInUseException($"another obs-faceswap host is already listening on {path}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override async ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken)
    {
        var client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        return new NetworkStream(client, ownsSocket: true);
    }

    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _socket.Dispose();
            try
            {
                File.Delete(Endpoint.Address);
            }
            catch (IOException)
            {
                // Best effort: a stale socket file is replaced by the next host.
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Something exists at the socket path: if a host answers there, it is in use; if nothing
    /// listens, remove it when it looks like a socket (sockets have length 0; a directory or a
    /// non-empty file is never removed).
    /// </summary>
    private static void RemoveStaleSocket(string path)
    {
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new EndpointInUseException($"another obs-faceswap host is already listening on {path}");
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AccessDenied)
            {
                // Nobody listens: stale.
            }
        }

        if (Directory.Exists(path) || new FileInfo(path).Length != 0)
        {
            throw new IOException($"{path} exists and is not a socket; remove it or choose another --endpoint");
        }

        File.Delete(path);
    }
}

/// <summary>Named-pipe listener (Windows): current user only; the first instance proves nobody else serves the name.</summary>
[SupportedOSPlatform("windows")]
internal sealed class NamedPipeListener : ControlListener
{
    private NamedPipeServerStream? _pending;
    private int _disposed;

    private NamedPipeListener(ControlEndpoint endpoint, NamedPipeServerStream first)
        : base(endpoint)
    {
        _pending = first;
    }

    public static new NamedPipeListener Bind(ControlEndpoint endpoint)
    {
        try
        {
            return new NamedPipeListener(endpoint, Create(endpoint.Address, first: true));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new EndpointInUseException($"another obs-faceswap host is already listening on {endpoint}", e);
        }
    }

    public override async ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken)
    {
        var pipe = _pending ?? Create(Endpoint.Address, first: false);
        _pending = null;
        try
        {
            await pipe.WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
            return pipe;
        }
        catch
        {
            await pipe.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _pending is not null)
        {
            await _pending.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static NamedPipeServerStream Create(string name, bool first)
    {
        var options = PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly | (first ? PipeOptions.FirstPipeInstance : PipeOptions.None);
        return new NamedPipeServerStream(name, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances, PipeTransmissionMode.Byte, options);
    }
}
