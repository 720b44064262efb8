using System.Net;
using System.Net.Sockets;

namespace ObsFaceSwap.Testing.Rtmp;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of an upstream server (e.g. nginx-rtmp) that can be told
/// to stop reading from its clients: the connection stays open and accepted, but nothing the
/// client sends is read any more, so the client's socket buffers fill and its writes block,
/// like a platform ingest that hangs mid-stream. The receive buffer of accepted sockets is kept
/// small so that the stall reaches the client quickly. It can also be told to read slowly
/// (<see cref="Throttle"/>), like an ingest behind a link narrower than the stream.
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
    private long _throttleBytesPerSecond;
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
    /// <param name="maxSegmentBytes">
    /// Linux: the TCP MSS announced to clients (TCP_MAXSEG), e.g. 1400 as on a real path. Loopback's
    /// MSS is about 64 KiB, and the kernel sizes a client's send buffer from MSS x cwnd, so on
    /// loopback it grows to tcp_wmem's maximum (4 MiB) and hides a slow reader for many seconds;
    /// a real-sized MSS keeps it to a few hundred KiB. Null: the kernel's choice.
    /// </param>
    /// <returns>The proxy.</returns>
    public static StallingTcpProxy Start(int upstreamPort, int receiveBufferBytes = 16 * 1024, int? maxSegmentBytes = null)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Set before listen: accepted sockets inherit it, and the window is negotiated small.
        listener.ReceiveBufferSize = receiveBufferBytes;
        if (maxSegmentBytes is { } mss && OperatingSystem.IsLinux())
        {
            const int IpProtoTcp = 6, TcpMaxSeg = 2;
            listener.SetRawSocketOption(IpProtoTcp, TcpMaxSeg, BitConverter.GetBytes(mss));
        }

        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        return new StallingTcpProxy(listener, new IPEndPoint(IPAddress.Loopback, upstreamPort));
    }

    /// <summary>Stops reading from clients (connections stay open). Irreversible for this proxy.</summary>
    public void Stall() => _stalled = true;

    /// <summary>
    /// Reads from each client at most <paramref name="bitsPerSecond"/> (paced in about 50 ms
    /// steps, per connection); 0 reads at full speed again. Takes effect on the next read.
    /// </summary>
    /// <param name="bitsPerSecond">The rate per connection, in bits per second.</param>
    public void Throttle(long bitsPerSecond) => Interlocked.Exchange(ref _throttleBytesPerSecond, Math.Max(0, bitsPerSecond / 8));

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
        long pacedRate = 0, pacedBytes = 0;
        var paceClock = new System.Diagnostics.Stopwatch();
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

                var rate = fromClient ? Interlocked.Read(ref _throttleBytesPerSecond) : 0;
                if (rate != pacedRate)
                {
                    pacedRate = rate;
                    pacedBytes = 0;
                    paceClock.Restart();
                }

                var want = rate > 0 ? (int)Math.Clamp(rate / 20, 512, buffer.Length) : buffer.Length;
                var n = await from.ReceiveAsync(buffer.AsMemory(0, want), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                if (fromClient)
                {
                    Interlocked.Add(ref _bytesFromClients, n);
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (rate > 0)
                {
                    pacedBytes += n;
                    var ahead = TimeSpan.FromSeconds((double)pacedBytes / rate) - paceClock.Elapsed;
                    if (ahead > TimeSpan.Zero)
                    {
                        await Task.Delay(ahead, _stop.Token).ConfigureAwait(false);
                    }
                }
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
