using System.Net;
using System.Net.Sockets;

namespace ObsFaceSwap.Testing.Rtmp;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of an upstream server (e.g. nginx-rtmp) that can be told
/// to stop reading from its clients: the connection stays open and accepted, but nothing the
/// client sends is read any more, so the client's socket buffers fill and its writes block,
/// like a platform ingest that hangs mid-stream. The receive buffer of accepted sockets is kept
/// small so that the stall reaches the client quickly.
/// </summary>
public sealed class StallingTcpProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Lock _lock = new();
    private readonly Task _acceptLoop;
    private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stalled;
    private long _bytesFromClients;
    private int _disposed;

    private StallingTcpProxy(Socket listener, IPEndPoint upstream)
    {
        _listener = listener;
        _upstream = upstream;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port clients connect to on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    /// <summary>Bytes read from clients so far (stops growing once stalled).</summary>
    public long BytesFromClients => Interlocked.Read(ref _bytesFromClients);

    /// <summary>Whether reading from clients has stopped.</summary>
    public bool IsStalled => _stalled;

    /// <summary>Starts relaying to 127.0.0.1:<paramref name="upstreamPort"/>.</summary>
    /// <param name="upstreamPort">The upstream server's port.</param>
    /// <param name="receiveBufferBytes">SO_RCVBUF of the accepted sockets (the kernel doubles it).</param>
    /// <returns>The proxy.</returns>
    public static StallingTcpProxy Start(int upstreamPort, int receiveBufferBytes = 16 * 1024)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Set before listen: accepted sockets inherit it, and the window is negotiated small.
        listener.ReceiveBufferSize = receiveBufferBytes;
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        return new StallingTcpProxy(listener, new IPEndPoint(IPAddress.Loopback, upstreamPort));
    }

    /// <summary>Stops reading from clients (connections stay open). Irreversible for this proxy.</summary>
    public void Stall() => _stalled = true;

    /// <summary>Closes the listener and every connection. Idempotent.</summary>
    /// <returns>A task that completes when the relay loops have ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _resume.TrySetResult();
        _listener.Dispose();
        lock (_lock)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var relays = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                lock (_lock)
                {
                    _sockets.Add(client);
                    _sockets.Add(upstream);
                }

                try
                {
                    await upstream.ConnectAsync(_upstream, _stop.Token).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    client.Dispose();
                    upstream.Dispose();
                    continue;
                }

                relays.Add(RelayAsync(client, upstream, fromClient: true));
                relays.Add(RelayAsync(upstream, client, fromClient: false));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        await Task.WhenAll(relays).ConfigureAwait(false);
    }

    private async Task RelayAsync(Socket from, Socket to, bool fromClient)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (fromClient && _stalled)
                {
                    // Never read again: the client's writes back up.
                    await _resume.Task.ConfigureAwait(false);
                    return;
                }

                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                if (fromClient)
                {
                    Interlocked.Add(ref _bytesFromClients, n);
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
        }
    }
}
