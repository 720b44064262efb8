using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace ObsFaceSwap.Models.Tests;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 (ephemeral port) for download tests: GET only, one request per
/// connection, honours "Range: bytes=N-" with 206; can cut the body of the first response short, or answer a status.
/// Every connection is bounded by a 10 s timeout; dispose stops it.
/// </summary>
internal sealed partial class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private readonly Task _loop;
    private int _cutsLeft;

    public LoopbackHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cut the next N responses after this many body bytes (the connection is closed mid-body).</summary>
    public int CutAfterBytes { get; set; }

    /// <summary>Ignore Range headers (always answer 200 with the whole file).</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Answer every request with this status and no body, when set.</summary>
    public HttpStatusCode? ForcedStatus { get; set; }

    /// <summary>"GET /path" or "GET /path bytes=N-" per request, in arrival order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

    public void Serve(string path, byte[] content) => _files["/" + path] = content;

    public void CutNext(int count, int afterBytes)
    {
        Volatile.Write(ref _cutsLeft, count);
        CutAfterBytes = afterBytes;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            var stream = client.GetStream();
            var head = await ReadHeadAsync(stream, timeout.Token);
            var lines = head.Split("\r\n");
            var parts = lines[0].Split(' ');
            var path = parts.Length > 1 ? parts[1] : "/";
            long? from = null;
            foreach (var line in lines.Skip(1))
            {
                var m = RangePattern().Match(line);
                if (m.Success)
                {
                    from = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                }
            }

            lock (_requests)
            {
                _requests.Add($"{parts[0]} {path}" + (from is { } f ? $" bytes={f}-" : string.Empty));
            }

            if (ForcedStatus is { } forced)
            {
                await WriteAsync(stream, $"HTTP/1.1 {(int)forced} {forced}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout.Token);
                return;
            }

            if (!_files.TryGetValue(path, out var content))
            {
                await WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout.Token);
                return;
            }

            var start = IgnoreRange ? 0 : from ?? 0;
            if (start >= content.Length && start > 0)
            {
                await WriteAsync(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{content.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout.Token);
                return;
            }

            var length = content.Length - start;
            var header = start > 0
                ? $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{content.Length - 1}/{content.Length}\r\n"
                : "HTTP/1.1 200 OK\r\n";
            header += $"Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n";
            await WriteAsync(stream, header, timeout.Token);

            var send = (int)length;
            if (Interlocked.Decrement(ref _cutsLeft) >= 0)
            {
                send = Math.Min(send, CutAfterBytes);
            }

            await stream.WriteAsync(content.AsMemory((int)start, send), timeout.Token);
            await stream.FlushAsync(timeout.Token);
            if (send < length)
            {
                client.Client.Shutdown(SocketShutdown.Send); // end mid-body: the client sees a premature end
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 16 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                break;
            }

            buffer.Add(one[0]);
            var n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. buffer]);
    }

    private static Task WriteAsync(NetworkStream stream, string text, CancellationToken cancellationToken)
        => stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).AsTask();

    [GeneratedRegex(@"^Range:\s*bytes=(\d+)-\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RangePattern();
}
