using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ObsFaceSwap.Obs;

/// <summary>
/// An async obs-websocket v5 client (rpcVersion 1, JSON encoding).
/// </summary>
/// <remarks>
/// <para>
/// One task receives every message: it completes the pending request the answer is for and
/// queues events on a channel. A second task, the event dispatcher, runs the event handlers
/// one event at a time in arrival order. Handlers may send requests and await them: the
/// answers come in on the receive task, so nothing deadlocks.
/// </para>
/// <para>
/// Every request has a timeout (<see cref="ObsWebSocketOptions.RequestTimeout"/> unless given
/// one) and honours its <see cref="CancellationToken"/>. A failed request throws
/// <see cref="ObsRequestException"/> with obs-websocket's status code and comment; a connection
/// that ends fails every pending request with <see cref="ObsConnectionClosedException"/>,
/// which carries the close code (e.g. 4009 when the password is wrong).
/// </para>
/// <para>The typed request methods are named after the protocol and grouped one file per
/// category, as obs-websocket groups its request handlers.</para>
/// </remarks>
public sealed partial class ObsWebSocketClient : IAsyncDisposable
{
    /// <summary>The WebSocket sub-protocol for JSON messages.</summary>
    public const string SubProtocol = "obswebsocket.json";

    /// <summary>The rpc version this client speaks.</summary>
    public const int RpcVersion = 1;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly ObsWebSocketOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly Channel<ObsEvent> _events = Channel.CreateUnbounded<ObsEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _lifetime;
    private readonly CancellationToken _lifetimeToken;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _dispatcherDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ArrayBufferWriter<byte> _receiveBuffer = new(16 * 1024);
    private readonly AsyncLocal<bool> _onDispatcher = new();
    private readonly Lock _handlersLock = new();
    private EventHandlerRegistration[] _handlers = [];
    private TaskCompletionSource? _reidentified;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _dispatchLoop = Task.CompletedTask;
    private long _nextRequestId;
    private int _disposed;
    private ObsConnectionClosedException? _closeError;

    private ObsWebSocketClient(WebSocket socket, ObsWebSocketOptions options)
    {
        _socket = socket;
        _options = options;
        _lifetime = new CancellationTokenSource();
        // Read once: the dispatcher may still run (a handler that disposed the client) after the source is disposed.
        _lifetimeToken = _lifetime.Token;
    }

    /// <summary>The obs-websocket version the server announced in Hello.</summary>
    public string ObsWebSocketVersion { get; private set; } = "";

    /// <summary>The rpc version the server agreed to in Identified.</summary>
    public int NegotiatedRpcVersion { get; private set; }

    /// <summary>True until the connection ends or the client is disposed.</summary>
    public bool IsConnected => !_closed.Task.IsCompleted;

    /// <summary>Completes (successfully) when the connection has ended, for any reason.</summary>
    public Task Closed => _closed.Task;

    /// <summary>The close code of an ended connection, or null (still open, or broke without a close frame).</summary>
    public int? CloseCode => _closeError?.CloseCode;

    /// <summary>The close reason of an ended connection, if the server sent one.</summary>
    public string? CloseReason => _closeError?.CloseReason;

    /// <summary>
    /// Connects, answers Hello with Identify (authenticating when the server asks for it) and
    /// waits for Identified, all within <see cref="ObsWebSocketOptions.ConnectTimeout"/>.
    /// </summary>
    /// <param name="options">Where and how to connect.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The identified client.</returns>
    /// <exception cref="ObsConnectionClosedException">The server closed the connection during the
    /// handshake, e.g. with <see cref="ObsCloseCode.AuthenticationFailed"/>.</exception>
    /// <exception cref="TimeoutException">The handshake did not finish in time.</exception>
    public static async Task<ObsWebSocketClient> ConnectAsync(ObsWebSocketOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        var client = new ObsWebSocketClient(socket, options);
        using var connectCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectCts.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(options.Uri, connectCts.Token).ConfigureAwait(false);
            await client.HandshakeAsync(connectCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException(
                $"obs-websocket at {options.Uri} did not complete the handshake within {options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        client.Start();
        return client;
    }

    /// <summary>
    /// Sends one request and waits for its answer.
    /// </summary>
    /// <param name="requestType">The request type, e.g. <c>GetVersion</c>.</param>
    /// <param name="requestData">The request's fields; null when it has none. Not modified.</param>
    /// <param name="timeout">How long to wait for the answer; null uses <see cref="ObsWebSocketOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels waiting (the server may still carry out the request).</param>
    /// <returns>The successful response.</returns>
    /// <exception cref="ObsRequestException">The server answered with a failure status.</exception>
    /// <exception cref="TimeoutException">No answer came within the timeout.</exception>
    /// <exception cref="ObsConnectionClosedException">The connection ended before the answer came.</exception>
    public async Task<ObsRequestResponse> RequestAsync(
        string requestType,
        JsonObject? requestData = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestType);
        var requestId = NextRequestId();
        var d = await ExchangeAsync(
            ObsOpCode.Request,
            requestId,
            writer =>
            {
                writer.WriteString("requestType", requestType);
                writer.WriteString("requestId", requestId);
                if (requestData is not null)
                {
                    writer.WritePropertyName("requestData");
                    requestData.WriteTo(writer);
                }
            },
            requestType,
            timeout,
            cancellationToken).ConfigureAwait(false);
        return ParseResponse(d).EnsureSuccess();
    }

    /// <summary>
    /// Sends several requests as one RequestBatch and waits for all their answers. A failed
    /// request inside the batch does not throw: check each response's
    /// <see cref="ObsRequestResponse.Status"/> or call <see cref="ObsRequestResponse.EnsureSuccess"/>.
    /// </summary>
    /// <param name="requests">The requests, in order.</param>
    /// <param name="haltOnFailure">Stop at the first failed request (later ones get no response).</param>
    /// <param name="executionType">How the server runs them.</param>
    /// <param name="timeout">How long to wait for the whole batch; null uses <see cref="ObsWebSocketOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The responses in request order (fewer than the requests when halted).</returns>
    public async Task<IReadOnlyList<ObsRequestResponse>> RequestBatchAsync(
        IReadOnlyList<ObsBatchRequest> requests,
        bool haltOnFailure = false,
        ObsRequestBatchExecutionType executionType = ObsRequestBatchExecutionType.SerialRealtime,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var batchId = NextRequestId();
        var d = await ExchangeAsync(
            ObsOpCode.RequestBatch,
            batchId,
            writer =>
            {
                writer.WriteString("requestId", batchId);
                writer.WriteBoolean("haltOnFailure", haltOnFailure);
                writer.WriteNumber("executionType", (int)executionType);
                writer.WriteStartArray("requests");
                for (var i = 0; i < requests.Count; i++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("requestType", requests[i].RequestType);
                    writer.WriteString("requestId", i.ToString(CultureInfo.InvariantCulture));
                    if (requests[i].RequestData is { } data)
                    {
                        writer.WritePropertyName("requestData");
                        data.WriteTo(writer);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            },
            "RequestBatch",
            timeout,
            cancellationToken).ConfigureAwait(false);

        if (!d.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("RequestBatchResponse has no results array.");
        }

        var indexed = new List<(int Index, ObsRequestResponse Response)>(results.GetArrayLength());
        foreach (var result in results.EnumerateArray())
        {
            var index = result.TryGetProperty("requestId", out var id)
                && id.ValueKind == JsonValueKind.String
                && int.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var i)
                    ? i
                    : int.MaxValue;
            indexed.Add((index, ParseResponse(result)));
        }

        // Parallel batches answer in completion order; the caller gets request order.
        indexed.Sort((a, b) => a.Index.CompareTo(b.Index));
        return indexed.ConvertAll(x => x.Response);
    }

    /// <summary>
    /// Changes the event subscriptions of this session (Reidentify) and waits for the server
    /// to confirm with Identified.
    /// </summary>
    /// <param name="eventSubscriptions">The new bitmask.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes once the server confirmed.</returns>
    public async Task ReidentifyAsync(ObsEventSubscriptions eventSubscriptions, CancellationToken cancellationToken = default)
    {
        var confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _reidentified, confirmed, null) is not null)
        {
            throw new InvalidOperationException("A Reidentify is already in progress.");
        }

        try
        {
            await SendAsync(
                ObsOpCode.Reidentify,
                writer => writer.WriteNumber("eventSubscriptions", (int)eventSubscriptions),
                cancellationToken).ConfigureAwait(false);
            await Task.WhenAny(confirmed.Task, _closed.Task).WaitAsync(_options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (!confirmed.Task.IsCompleted)
            {
                throw CloseError();
            }
        }
        finally
        {
            Volatile.Write(ref _reidentified, null);
        }
    }

    /// <summary>
    /// Adds a handler that the event dispatcher calls for every event, in arrival order, one
    /// at a time. A handler may send requests and await them. The token it gets is cancelled
    /// when the client is disposed.
    /// </summary>
    /// <param name="handler">The handler.</param>
    /// <returns>Disposing it removes the handler.</returns>
    public IDisposable AddEventHandler(Func<ObsEvent, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var registration = new EventHandlerRegistration(this, handler);
        lock (_handlersLock)
        {
            _handlers = [.. _handlers, registration];
        }

        return registration;
    }

    /// <summary>
    /// Waits for the next event of a type (that matches a predicate). Call it before the
    /// action that triggers the event, then await the task. The event's category must be in
    /// the session's event subscriptions.
    /// </summary>
    /// <param name="eventType">The event type, e.g. <c>RecordStateChanged</c>.</param>
    /// <param name="predicate">Further condition on the event; null accepts any of the type.</param>
    /// <param name="timeout">How long to wait; null uses <see cref="ObsWebSocketOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The matching event.</returns>
    /// <exception cref="TimeoutException">No matching event came within the timeout.</exception>
    /// <exception cref="ObsConnectionClosedException">The connection ended first.</exception>
    public Task<ObsEvent> WaitForEventAsync(
        string eventType,
        Func<ObsEvent, bool>? predicate = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        var matched = new TaskCompletionSource<ObsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = AddEventHandler((evt, _) =>
        {
            if (evt.EventType == eventType && (predicate is null || predicate(evt)))
            {
                matched.TrySetResult(evt);
            }

            return ValueTask.CompletedTask;
        });
        return WaitAsync();

        async Task<ObsEvent> WaitAsync()
        {
            var limit = timeout ?? _options.RequestTimeout;
            try
            {
                // The dispatcher finishes after delivering every event that arrived before the close.
                await Task.WhenAny(matched.Task, _dispatcherDone.Task).WaitAsync(limit, cancellationToken).ConfigureAwait(false);
                return matched.Task.IsCompleted ? await matched.Task.ConfigureAwait(false) : throw CloseError();
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"No {eventType} event arrived within {limit.TotalMilliseconds:0} ms.");
            }
            finally
            {
                registration.Dispose();
            }
        }
    }

    /// <summary>
    /// Closes the connection (normal closure, bounded wait), stops the event dispatcher and
    /// fails requests still pending. Idempotent; safe to call from an event handler.
    /// </summary>
    /// <returns>A task that completes when the client has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_socket.State == WebSocketState.Open)
        {
            using var closeCts = new CancellationTokenSource(CloseTimeout);
            try
            {
                await SendLockedAsync(
                    () => _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", closeCts.Token),
                    closeCts.Token).ConfigureAwait(false);
                // The receive loop ends when the server's close frame arrives.
                await _receiveLoop.WaitAsync(closeCts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // The server did not answer the close in time; the abort below ends it.
            }
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        await _receiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Shutdown(new ObsConnectionClosedException(
            (int?)_socket.CloseStatus ?? (int)WebSocketCloseStatus.NormalClosure, "The client was disposed."));
        if (!_onDispatcher.Value)
        {
            await _dispatchLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _socket.Dispose();
        _lifetime.Dispose();
    }

    private string NextRequestId() =>
        Interlocked.Increment(ref _nextRequestId).ToString(CultureInfo.InvariantCulture);

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        using (var hello = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false) ?? throw SocketCloseError())
        {
            var d = ReadEnvelope(hello.RootElement, ObsOpCode.Hello);
            ObsWebSocketVersion = d.TryGetProperty("obsWebSocketVersion", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()!
                : "";
            string? authentication = null;
            if (d.TryGetProperty("authentication", out var auth) && auth.ValueKind == JsonValueKind.Object)
            {
                if (_options.Password is null)
                {
                    throw new InvalidOperationException(
                        $"obs-websocket at {_options.Uri} requires a password, but ObsWebSocketOptions.Password is null.");
                }

                authentication = ObsAuthentication.CreateAuthenticationString(
                    _options.Password,
                    RequireString(auth, "salt"),
                    RequireString(auth, "challenge"));
            }

            await SendAsync(
                ObsOpCode.Identify,
                writer =>
                {
                    writer.WriteNumber("rpcVersion", RpcVersion);
                    if (authentication is not null)
                    {
                        writer.WriteString("authentication", authentication);
                    }

                    writer.WriteNumber("eventSubscriptions", (int)_options.EventSubscriptions);
                },
                cancellationToken).ConfigureAwait(false);
        }

        using var identified = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false) ?? throw SocketCloseError();
        var identifiedData = ReadEnvelope(identified.RootElement, ObsOpCode.Identified);
        NegotiatedRpcVersion = identifiedData.TryGetProperty("negotiatedRpcVersion", out var rpc)
            && rpc.ValueKind == JsonValueKind.Number && rpc.TryGetInt32(out var n)
            ? n
            : RpcVersion;
    }

    private void Start()
    {
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _dispatchLoop = Task.Run(DispatchLoopAsync);
    }

    private async Task ReceiveLoopAsync()
    {
        ObsConnectionClosedException closed;
        try
        {
            while (true)
            {
                using var message = await ReceiveMessageAsync(_lifetimeToken).ConfigureAwait(false);
                if (message is null)
                {
                    closed = SocketCloseError();
                    break;
                }

                HandleMessage(message.RootElement);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            closed = new ObsConnectionClosedException((int?)_socket.CloseStatus, "The client was disposed.");
        }
        catch (Exception ex) when (ex is WebSocketException or JsonException or InvalidDataException or ObjectDisposedException)
        {
            closed = new ObsConnectionClosedException((int?)_socket.CloseStatus, _socket.CloseStatusDescription, ex);
        }

        if (_socket.State == WebSocketState.CloseReceived)
        {
            // Complete the closing handshake the server started; best effort.
            using var cts = new CancellationTokenSource(CloseTimeout);
            try
            {
                await SendLockedAsync(
                    () => _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token),
                    cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
            }
        }

        Shutdown(closed);
    }

    private void HandleMessage(JsonElement root)
    {
        var op = (ObsOpCode)RequireInt(root, "op");
        var d = root.TryGetProperty("d", out var data) && data.ValueKind == JsonValueKind.Object
            ? data
            : throw new InvalidDataException($"obs-websocket message op {(int)op} has no d object.");
        switch (op)
        {
            case ObsOpCode.Event:
                _events.Writer.TryWrite(new ObsEvent(
                    RequireString(d, "eventType"),
                    (ObsEventSubscriptions)RequireInt(d, "eventIntent"),
                    d.TryGetProperty("eventData", out var eventData) ? eventData.Clone() : null));
                break;
            case ObsOpCode.RequestResponse:
            case ObsOpCode.RequestBatchResponse:
                if (_pending.TryRemove(RequireString(d, "requestId"), out var pending))
                {
                    pending.TrySetResult(d.Clone());
                }

                // An answer nobody waits for (its request timed out) is dropped.
                break;
            case ObsOpCode.Identified:
                Volatile.Read(ref _reidentified)?.TrySetResult();
                break;
            default:
                // Unknown op codes from a newer server are ignored.
                break;
        }
    }

    private async Task DispatchLoopAsync()
    {
        _onDispatcher.Value = true;
        try
        {
            await foreach (var evt in _events.Reader.ReadAllAsync(_lifetimeToken).ConfigureAwait(false))
            {
                foreach (var registration in Volatile.Read(ref _handlers))
                {
                    try
                    {
                        await registration.Handler(evt, _lifetimeToken).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // A failing handler must not stop the dispatcher; it is reported instead.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        _options.EventHandlerFailed?.Invoke(evt, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        finally
        {
            _dispatcherDone.TrySetResult();
        }
    }

    private async Task<JsonElement> ExchangeAsync(
        ObsOpCode op,
        string requestId,
        Action<Utf8JsonWriter> writeData,
        string what,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var limit = timeout ?? _options.RequestTimeout;
        if (limit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), "The timeout must be positive.");
        }

        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = answer;
        try
        {
            // Shutdown marks the connection closed before it fails the pending requests, so a
            // request registered after that sweep sees the mark here.
            if (_closed.Task.IsCompleted)
            {
                throw CloseError();
            }

            using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutCts.CancelAfter(limit);
            try
            {
                await SendAsync(op, writeData, timeoutCts.Token).ConfigureAwait(false);
                return await answer.Task.WaitAsync(timeoutCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"obs-websocket did not answer {what} within {limit.TotalMilliseconds:0} ms.");
            }
            catch (WebSocketException ex)
            {
                // The connection broke while sending: report it as the connection ending.
                throw _closeError ?? new ObsConnectionClosedException((int?)_socket.CloseStatus, _socket.CloseStatusDescription, ex);
            }
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    private Task SendAsync(ObsOpCode op, Action<Utf8JsonWriter> writeData, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("op", (int)op);
            writer.WriteStartObject("d");
            writeData(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return SendLockedAsync(
            () => _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken).AsTask(),
            cancellationToken);
    }

    private async Task SendLockedAsync(Func<Task> send, CancellationToken cancellationToken)
    {
        // WebSocket allows one send at a time.
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await send().ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Reads one whole message; null when the server sent a close frame.</summary>
    /// <remarks>The document reads from a reused buffer: dispose it before the next receive and
    /// clone what outlives it.</remarks>
    private async Task<JsonDocument?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        _receiveBuffer.ResetWrittenCount();
        while (true)
        {
            var result = await _socket.ReceiveAsync(_receiveBuffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _receiveBuffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(_receiveBuffer.WrittenMemory);
            }
        }
    }

    private void Shutdown(ObsConnectionClosedException closed)
    {
        if (Interlocked.CompareExchange(ref _closeError, closed, null) is not null)
        {
            return;
        }

        _closed.TrySetResult();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.TrySetException(closed);
            }
        }

        _events.Writer.TryComplete();
    }

    private ObsConnectionClosedException CloseError() =>
        _closeError ?? new ObsConnectionClosedException((int?)null, null);

    private ObsConnectionClosedException SocketCloseError() =>
        new((int?)_socket.CloseStatus, _socket.CloseStatusDescription);

    private static ObsRequestResponse ParseResponse(JsonElement d)
    {
        var requestType = d.TryGetProperty("requestType", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : "";
        if (!d.TryGetProperty("requestStatus", out var status) || status.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"The response to {requestType} has no requestStatus.");
        }

        var result = status.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.True;
        var code = status.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : 0;
        var comment = status.TryGetProperty("comment", out var cm) && cm.ValueKind == JsonValueKind.String ? cm.GetString() : null;
        JsonElement? responseData = d.TryGetProperty("responseData", out var data) ? data.Clone() : null;
        return new ObsRequestResponse(requestType, new ObsRequestStatus(result, (ObsRequestStatusCode)code, comment), responseData);
    }

    private static JsonElement ReadEnvelope(JsonElement root, ObsOpCode expected)
    {
        var op = RequireInt(root, "op");
        if (op != (int)expected)
        {
            throw new InvalidDataException($"Expected obs-websocket op {(int)expected} ({expected}), got op {op}.");
        }

        return root.TryGetProperty("d", out var d) && d.ValueKind == JsonValueKind.Object
            ? d
            : throw new InvalidDataException($"obs-websocket {expected} has no d object.");
    }

    private static int RequireInt(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n)
            ? n
            : throw new InvalidDataException($"obs-websocket message has no integer field '{name}'.");

    private static string RequireString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"obs-websocket message has no string field '{name}'.");

    private sealed class EventHandlerRegistration(ObsWebSocketClient owner, Func<ObsEvent, CancellationToken, ValueTask> handler)
        : IDisposable
    {
        public Func<ObsEvent, CancellationToken, ValueTask> Handler { get; } = handler;

        public void Dispose()
        {
            lock (owner._handlersLock)
            {
                owner._handlers = Array.FindAll(owner._handlers, h => !ReferenceEquals(h, this));
            }
        }
    }
}
