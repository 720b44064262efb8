using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs.Tests;

/// <summary>The answer a <see cref="FakeObsServer"/> gives to one request.</summary>
internal sealed record FakeReply(bool Result, int Code, string? Comment, JsonObject? Data)
{
    public static FakeReply Ok(JsonObject? data = null) => new(true, 100, null, data);

    public static FakeReply Fail(int code, string comment) => new(false, code, comment, null);
}

/// <summary>
/// Stands in for obs-websocket: a tiny in-process WebSocket server (HTTP upgrade by hand, then
/// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>) that speaks the
/// v5 handshake and answers requests through <see cref="OnRequest"/>. It records every message
/// the client sends, so tests can check the framing.
/// </summary>
internal sealed class FakeObsServer : IAsyncDisposable
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _identified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _listenerLock = new();
    private readonly int _port;
    private TcpListener _listener;
    private Task _acceptLoop;
    private WebSocket? _session;
    private int _identifyCount;
    private volatile TaskCompletionSource _readGate = CompletedGate();

    public FakeObsServer(string? password = "fake-password")
    {
        Password = password;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_listener));
    }

    /// <summary>The password sessions must authenticate with; changeable (a restarted OBS with a new password).</summary>
    public string? Password { get; set; }

    /// <summary>How many clients identified successfully.</summary>
    public int IdentifyCount => Volatile.Read(ref _identifyCount);

    /// <summary>
    /// Drops the current session without a close frame (the TCP connection just ends), as a
    /// crashed OBS does. The server keeps listening.
    /// </summary>
    public void DropSession() => _session?.Abort();

    /// <summary>Stops listening and drops the session: OBS is gone.</summary>
    public void StopListening()
    {
        lock (_listenerLock)
        {
            _listener.Stop();
        }

        DropSession();
    }

    /// <summary>Listens again on the same port: OBS is back.</summary>
    public void StartListening()
    {
        lock (_listenerLock)
        {
            _listener = new TcpListener(IPAddress.Loopback, _port);
            _listener.Start();
            _acceptLoop = Task.Run(() => AcceptLoopAsync(_listener));
        }
    }

    /// <summary>While paused, the server reads nothing more from the session (its receive buffers fill up).</summary>
    public void PauseReading() => _readGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ResumeReading() => _readGate.TrySetResult();

    public string Salt { get; init; } = "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=";

    public string Challenge { get; init; } = "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=";

    public Uri Uri => new($"ws://127.0.0.1:{_port}");

    /// <summary>Answers one request (also each request of a batch); null never answers.</summary>
    public Func<string, JsonElement?, Task<FakeReply?>> OnRequest { get; set; } =
        (_, _) => Task.FromResult<FakeReply?>(FakeReply.Ok());

    /// <summary>Reverses the results of a batch, as a Parallel batch may.</summary>
    public bool ShuffleBatchResults { get; set; }

    /// <summary>Every message the client sent, in order.</summary>
    public ConcurrentQueue<JsonElement> Received { get; } = new();

    /// <summary>Completes when a client identified successfully.</summary>
    public Task Identified => _identified.Task;

    public IEnumerable<JsonElement> ReceivedOp(ObsOpCode op) =>
        Received.Where(m => m.GetProperty("op").GetInt32() == (int)op);

    public Task SendEventAsync(string eventType, ObsEventSubscriptions intent, JsonObject? data = null)
    {
        var d = new JsonObject { ["eventType"] = eventType, ["eventIntent"] = (int)intent };
        if (data is not null)
        {
            d["eventData"] = data;
        }

        return SendAsync(ObsOpCode.Event, d);
    }

    public async Task CloseAsync(int code, string reason)
    {
        var session = _session ?? throw new InvalidOperationException("No client.");
        await _sendLock.WaitAsync();
        try
        {
            await session.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        ResumeReading();
        lock (_listenerLock)
        {
            _listener.Stop();
        }

        _session?.Abort();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException && !_stop.IsCancellationRequested)
            {
                return; // StopListening
            }

            _ = Task.Run(() => ServeAsync(tcp));
        }
    }

    private async Task ServeAsync(TcpClient tcp)
    {
        using var _ = tcp;
        var stream = tcp.GetStream();
        var headers = await ReadHttpHeadersAsync(stream);
        var key = headers["sec-websocket-key"];
#pragma warning disable CA5350 // RFC 6455 defines Sec-WebSocket-Accept with SHA-1; it is not used for security here.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
#pragma warning restore CA5350
        var protocol = headers.TryGetValue("sec-websocket-protocol", out var p) && p.Contains(ObsWebSocketClient.SubProtocol, StringComparison.Ordinal)
            ? ObsWebSocketClient.SubProtocol
            : null;
        var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Accept: {accept}\r\n"
            + (protocol is null ? "" : $"Sec-WebSocket-Protocol: {protocol}\r\n")
            + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = protocol });
        _session = socket;
        try
        {
            await RunSessionAsync(socket);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
    }

    private async Task RunSessionAsync(WebSocket socket)
    {
        var hello = new JsonObject { ["obsWebSocketVersion"] = "5.1.0", ["rpcVersion"] = 1 };
        if (Password is not null)
        {
            hello["authentication"] = new JsonObject { ["challenge"] = Challenge, ["salt"] = Salt };
        }

        await SendAsync(ObsOpCode.Hello, hello);
        var identify = await ReceiveAsync(socket);
        if (identify is null)
        {
            return;
        }

        if (Password is not null)
        {
            var expected = ObsAuthentication.CreateAuthenticationString(Password, Salt, Challenge);
            var given = identify.Value.GetProperty("d").TryGetProperty("authentication", out var a) ? a.GetString() : null;
            if (given != expected)
            {
                await CloseAsync((int)ObsCloseCode.AuthenticationFailed, "Authentication failed.");
                await ReceiveAsync(socket);
                return;
            }
        }

        await SendAsync(ObsOpCode.Identified, new JsonObject { ["negotiatedRpcVersion"] = 1 });
        Interlocked.Increment(ref _identifyCount);
        _identified.TrySetResult();

        while (await ReceiveAsync(socket) is { } message)
        {
            var d = message.GetProperty("d");
            switch ((ObsOpCode)message.GetProperty("op").GetInt32())
            {
                case ObsOpCode.Request:
                    // Each request is answered on its own task: a slow or silent answer does not hold up the others.
                    _ = Task.Run(async () =>
                    {
                        var reply = await OnRequest(d.GetProperty("requestType").GetString()!, RequestData(d));
                        if (reply is not null)
                        {
                            var response = Response(d, reply);
                            await SendAsync(ObsOpCode.RequestResponse, response);
                        }
                    });
                    break;
                case ObsOpCode.RequestBatch:
                    var results = new List<JsonObject>();
                    foreach (var request in d.GetProperty("requests").EnumerateArray())
                    {
                        var reply = await OnRequest(request.GetProperty("requestType").GetString()!, RequestData(request));
                        results.Add(Response(request, reply ?? FakeReply.Fail(205, "no reply")));
                        if (!results[^1]["requestStatus"]!["result"]!.GetValue<bool>() && d.GetProperty("haltOnFailure").GetBoolean())
                        {
                            break;
                        }
                    }

                    if (ShuffleBatchResults)
                    {
                        results.Reverse();
                    }

                    await SendAsync(ObsOpCode.RequestBatchResponse, new JsonObject
                    {
                        ["requestId"] = d.GetProperty("requestId").GetString(),
                        ["results"] = new JsonArray([.. results]),
                    });
                    break;
                case ObsOpCode.Reidentify:
                    await SendAsync(ObsOpCode.Identified, new JsonObject { ["negotiatedRpcVersion"] = 1 });
                    break;
                default:
                    break;
            }
        }
    }

    private static JsonElement? RequestData(JsonElement d) =>
        d.TryGetProperty("requestData", out var data) ? data : null;

    private static JsonObject Response(JsonElement request, FakeReply reply)
    {
        var status = new JsonObject { ["result"] = reply.Result, ["code"] = reply.Code };
        if (reply.Comment is not null)
        {
            status["comment"] = reply.Comment;
        }

        var response = new JsonObject
        {
            ["requestType"] = request.GetProperty("requestType").GetString(),
            ["requestId"] = request.GetProperty("requestId").GetString(),
            ["requestStatus"] = status,
        };
        if (reply.Data is not null)
        {
            response["responseData"] = reply.Data.DeepClone();
        }

        return response;
    }

    private async Task SendAsync(ObsOpCode op, JsonObject d)
    {
        var session = _session ?? throw new InvalidOperationException("No client.");
        var bytes = Encoding.UTF8.GetBytes(new JsonObject { ["op"] = (int)op, ["d"] = d }.ToJsonString());
        await _sendLock.WaitAsync();
        try
        {
            await session.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task<JsonElement?> ReceiveAsync(WebSocket socket)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        while (true)
        {
            await _readGate.Task.WaitAsync(_stop.Token);
            var result = await socket.ReceiveAsync(chunk, _stop.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                var message = JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
                Received.Enqueue(message);
                return message;
            }
        }
    }

    private static async Task<Dictionary<string, string>> ReadHttpHeadersAsync(NetworkStream stream)
    {
        // Byte by byte up to the blank line, so nothing after the headers is consumed.
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("The client closed before sending its upgrade request.");
            }

            bytes.Add(one[0]);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in Encoding.ASCII.GetString([.. bytes]).Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return headers;
    }
}
