using System.Buffers;
using System.Diagnostics;
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
/// One task per connection receives every message: it completes the pending request the
/// answer is for and queues events on a channel. A second task, the event dispatcher, runs the
/// event handlers one event at a time in arrival order. Handlers may send requests and await
/// them: the answers come in on the receive task, so nothing deadlocks.
/// </para>
/// <para>
/// Every request has a timeout (<see cref="ObsWebSocketOptions.RequestTimeout"/> unless given
/// one) that always fires, also when the server never answers or a send is stuck, and honours
/// its <see cref="CancellationToken"/>. A failed request throws <see cref="ObsRequestException"/>
/// with obs-websocket's status code and comment.
/// </para>
/// <para>
/// When the connection ends, every request in flight (sent, not yet answered) fails at once
/// with <see cref="ObsConnectionClosedException"/>, which carries the close code (e.g. 4009 when
/// the password is wrong); it is never re-sent, since OBS may have carried it out. Without
/// <see cref="ObsWebSocketOptions.Reconnect"/> the client is then closed for good and later
/// requests fail fast with the same exception. With it, the client reconnects with backoff,
/// identifies again with the same password and its current event subscriptions, and raises
/// <see cref="Disconnected"/> and <see cref="Reconnected"/>; a request issued while it
/// reconnects waits for the new session within its own timeout, and fails with
/// <see cref="ObsConnectionClosedException"/> (not <see cref="TimeoutException"/>: nothing was
/// sent) when the timeout passes first, or at once when reconnecting gives up.
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

    private readonly ObsWebSocketOptions _options;
    private readonly Channel<DispatchItem> _events = Channel.CreateUnbounded<DispatchItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly CancellationTokenSource _lifetime;
    private readonly CancellationToken _lifetimeToken;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _dispatcherDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AsyncLocal<bool> _onDispatcher = new();
    private readonly Lock _handlersLock = new();
    private readonly Lock _stateLock = new();
    private EventHandlerRegistration[] _handlers = [];
    private TaskCompletionSource? _reidentified;
    private Task _dispatchLoop = Task.CompletedTask;
    private Task _reconnectLoop = Task.CompletedTask;
    private long _nextRequestId;
    private int _disposed;

    // Guarded by _stateLock.
    private Connection _connection = null!;
    private ObsConnectionState _state;
    // Completes with the next identified connection, or null when the client closed for good.
    private TaskCompletionSource<Connection?> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ObsConnectionClosedException? _lastDrop;
    private ObsConnectionClosedException? _closeError;
    private volatile ObsEventSubscriptions _eventSubscriptions;

    private ObsWebSocketClient(ObsWebSocketOptions options)
    {
        _options = options;
        _eventSubscriptions = options.EventSubscriptions;
        _lifetime = new CancellationTokenSource();
        // Read once: the dispatcher may still run (a handler that disposed the client) after the source is disposed.
        _lifetimeToken = _lifetime.Token;
    }

    /// <summary>
    /// Raised on the event dispatcher (in order with the events) when an identified session
    /// ends, other than by <see cref="DisposeAsync"/>. A handler may start requests; with
    /// <see cref="ObsDisconnectedEventArgs.WillReconnect"/> they wait for the next session.
    /// </summary>
    public event EventHandler<ObsDisconnectedEventArgs>? Disconnected;

    /// <summary>
    /// Raised on the event dispatcher when the client identified again after a drop, before
    /// any event of the new session. A handler may send requests (e.g. to restore state that
    /// a restarted OBS lost).
    /// </summary>
    public event EventHandler<ObsReconnectedEventArgs>? Reconnected;

    /// <summary>The obs-websocket version the server announced in the current (or last) session's Hello.</summary>
    public string ObsWebSocketVersion => Volatile.Read(ref _connection).ObsWebSocketVersion;

    /// <summary>The rpc version the server agreed to in the current (or last) session's Identified.</summary>
    public int NegotiatedRpcVersion => Volatile.Read(ref _connection).NegotiatedRpcVersion;

    /// <summary>Where the client stands: connected, reconnecting or closed.</summary>
    public ObsConnectionState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>True while identified; false while reconnecting and once closed.</summary>
    public bool IsConnected => State == ObsConnectionState.Connected;

    /// <summary>Completes (successfully) when the client has closed for good, for any reason.</summary>
    public Task Closed => _closed.Task;

    /// <summary>The close code of the last session that ended, or null (none ended, or it broke without a close frame).</summary>
    public int? CloseCode => LastClose?.CloseCode;

    /// <summary>The close reason of the last session that ended, if the server sent one.</summary>
    public string? CloseReason => LastClose?.CloseReason;

    /// <summary>The event subscriptions the current session asked for (Identify or the last Reidentify).</summary>
    public ObsEventSubscriptions EventSubscriptions => _eventSubscriptions;

    private ObsConnectionClosedException? LastClose
    {
        get
        {
            lock (_stateLock)
            {
                return _closeError ?? _lastDrop;
            }
        }
    }

    /// <summary>
    /// Connects, answers Hello with Identify (authenticating when the server asks for it) and
    /// waits for Identified, all within <see cref="ObsWebSocketOptions.ConnectTimeout"/>. The
    /// first connection is not retried, even with <see cref="ObsWebSocketOptions.Reconnect"/>:
    /// a server that is not there, or a wrong password, fails here.
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
        var client = new ObsWebSocketClient(options);
        Connection connection;
        try
        {
            connection = await client.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client._lifetime.Dispose();
            throw;
        }

        lock (client._stateLock)
        {
            client._connection = connection;
            client._state = ObsConnectionState.Connected;
            client._connected.TrySetResult(connection);
            connection.ReceiveLoop = Task.Run(() => client.ReceiveLoopAsync(connection), CancellationToken.None);
        }

        client._dispatchLoop = Task.Run(client.DispatchLoopAsync, CancellationToken.None);
        return client;
    }

    /// <summary>
    /// Waits until the client is identified (at once when it is), e.g. after
    /// <see cref="Disconnected"/>.
    /// </summary>
    /// <param name="timeout">How long to wait; null uses <see cref="ObsWebSocketOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when connected.</returns>
    /// <exception cref="ObsConnectionClosedException">The client closed for good, or was not connected within the timeout.</exception>
    public async Task WaitUntilConnectedAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? _options.RequestTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(limit);
        try
        {
            await CurrentConnectionAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw NotReconnectedError("The client", limit);
        }
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
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _reidentified, confirmed, null) is not null)
        {
            throw new InvalidOperationException("A Reidentify is already in progress.");
        }

        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(_options.RequestTimeout);
            Connection connection;
            try
            {
                connection = await CurrentConnectionAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw NotReconnectedError("Reidentify", _options.RequestTimeout);
            }

            // A reconnect from now on identifies with the new subscriptions.
            _eventSubscriptions = eventSubscriptions;
            await connection.SendAsync(
                ObsOpCode.Reidentify,
                writer => writer.WriteNumber("eventSubscriptions", (int)eventSubscriptions),
                cts.Token).ConfigureAwait(false);
            await Task.WhenAny(confirmed.Task, connection.Ended.Task).WaitAsync(cts.Token).ConfigureAwait(false);
            if (!confirmed.Task.IsCompleted)
            {
                throw connection.CloseError ?? CloseError();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"obs-websocket did not confirm Reidentify within {_options.RequestTimeout.TotalMilliseconds:0} ms.");
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
    /// <exception cref="ObsConnectionClosedException">The client closed for good first (a drop that it reconnects from does not end the wait).</exception>
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
    /// Closes the connection (normal closure, bounded wait), stops reconnecting and the event
    /// dispatcher, and fails requests still pending or waiting for a connection. Idempotent;
    /// safe to call from an event handler.
    /// </summary>
    /// <returns>A task that completes when the client has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Connection connection;
        lock (_stateLock)
        {
            connection = _connection;
        }

        var socket = connection.Socket;
        if (socket.State == WebSocketState.Open)
        {
            using var closeCts = new CancellationTokenSource(CloseTimeout);
            try
            {
                await connection.SendLockedAsync(
                    () => socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", closeCts.Token),
                    closeCts.Token).ConfigureAwait(false);
                // The receive loop ends when the server's close frame arrives.
                await connection.ReceiveLoop.WaitAsync(closeCts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // The server did not answer the close in time; the abort below ends it.
            }
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        socket.Abort();
        await connection.ReceiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _reconnectLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var closed = new ObsConnectionClosedException(
            (int?)socket.CloseStatus ?? (int)WebSocketCloseStatus.NormalClosure, "The client was disposed.");
        connection.Shutdown(closed);
        CloseForGood(closed);
        if (!_onDispatcher.Value)
        {
            await _dispatchLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        socket.Dispose();
        _lifetime.Dispose();
    }

    private static bool IsFatal(Exception error) =>
        error is InvalidOperationException
            || (error is ObsConnectionClosedException closed
                && closed.ObsCloseCode is ObsCloseCode.AuthenticationFailed or ObsCloseCode.UnsupportedRpcVersion);

    private string NextRequestId() =>
        Interlocked.Increment(ref _nextRequestId).ToString(CultureInfo.InvariantCulture);

    /// <summary>Opens a socket and identifies, within <see cref="ObsWebSocketOptions.ConnectTimeout"/>.</summary>
    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        if (_options.KeepAliveInterval is { } keepAlive)
        {
            socket.Options.KeepAliveInterval = keepAlive;
            socket.Options.KeepAliveTimeout = keepAlive;
        }

        var connection = new Connection(this, socket);
        using var connectCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectCts.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(_options.Uri, connectCts.Token).ConfigureAwait(false);
            await connection.HandshakeAsync(_options.Password, _eventSubscriptions, connectCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException(
                $"obs-websocket at {_options.Uri} did not complete the handshake within {_options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return connection;
    }

    /// <summary>The identified connection; waits for it while reconnecting.</summary>
    private async Task<Connection> CurrentConnectionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<Connection?> next;
            lock (_stateLock)
            {
                if (_state == ObsConnectionState.Connected && !_connection.Ended.Task.IsCompleted)
                {
                    return _connection;
                }

                if (_state == ObsConnectionState.Closed)
                {
                    throw CloseError();
                }

                next = _connected.Task;
            }

            var connection = await next.WaitAsync(cancellationToken).ConfigureAwait(false) ?? throw CloseError();
            if (!connection.Ended.Task.IsCompleted)
            {
                return connection;
            }

            // It dropped again before we got to use it: wait for the one after.
            await Task.Yield();
        }
    }

    private async Task ReceiveLoopAsync(Connection connection)
    {
        var socket = connection.Socket;
        ObsConnectionClosedException closed;
        try
        {
            while (true)
            {
                using var message = await connection.ReceiveMessageAsync(_lifetimeToken).ConfigureAwait(false);
                if (message is null)
                {
                    closed = connection.SocketCloseError();
                    break;
                }

                HandleMessage(connection, message.RootElement);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            closed = new ObsConnectionClosedException((int?)socket.CloseStatus, "The client was disposed.");
        }
#pragma warning disable CA1031 // Whatever ends the receive loop (transport error, a keep-alive abort, a malformed message) ends the session: it must reach OnConnectionEnded, or requests would wait for their timeouts and no reconnect would start.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            closed = new ObsConnectionClosedException((int?)socket.CloseStatus, socket.CloseStatusDescription, ex);
        }

        if (socket.State == WebSocketState.CloseReceived)
        {
            // Complete the closing handshake the server started; best effort.
            using var cts = new CancellationTokenSource(CloseTimeout);
            try
            {
                await connection.SendLockedAsync(
                    () => socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token),
                    cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
            }
        }

        OnConnectionEnded(connection, closed);
    }

    /// <summary>A session ended (not by DisposeAsync): fail its requests, then reconnect or close for good.</summary>
    private void OnConnectionEnded(Connection connection, ObsConnectionClosedException closed)
    {
        var reconnect = _options.Reconnect is not null && !IsFatal(closed);
        lock (_stateLock)
        {
            if (Volatile.Read(ref _disposed) != 0 || _state == ObsConnectionState.Closed || !ReferenceEquals(connection, _connection))
            {
                connection.Shutdown(closed);
                return;
            }

            _lastDrop = closed;
            if (reconnect)
            {
                // New requests wait on the next connection from here on ...
                _state = ObsConnectionState.Reconnecting;
                _connected = new TaskCompletionSource<Connection?>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            // ... and the ones in flight fail now (after the state changed, so a request that
            // raced the drop sees either the sweep or the new state, never neither).
            connection.Shutdown(closed);
            _events.Writer.TryWrite(new DispatchItem(null, new ObsDisconnectedEventArgs(closed, reconnect), null));
            if (reconnect)
            {
                _reconnectLoop = Task.Run(() => ReconnectLoopAsync(closed));
                return;
            }
        }

        CloseForGood(closed);
    }

    private async Task ReconnectLoopAsync(ObsConnectionClosedException dropped)
    {
        var policy = _options.Reconnect!;
        var clock = Stopwatch.StartNew();
        Exception lastError = dropped;
        var attempt = 0;
        while (policy.MaxAttempts is null || attempt < policy.MaxAttempts)
        {
            attempt++;
            Connection connection;
            try
            {
                await Task.Delay(policy.DelayBeforeAttempt(attempt, Random.Shared.NextDouble()), _lifetimeToken).ConfigureAwait(false);
                connection = await OpenAsync(_lifetimeToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_lifetimeToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Any failure to connect is one failed attempt; the fatal ones end the loop below.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lastError = ex;
                if (IsFatal(ex))
                {
                    break;
                }

                continue;
            }

            lock (_stateLock)
            {
                if (Volatile.Read(ref _disposed) != 0)
                {
                    connection.Socket.Abort();
                    connection.Socket.Dispose();
                    return;
                }

                _connection = connection;
                _state = ObsConnectionState.Connected;
                // Reconnected goes before any event of the new session: its receive loop starts after.
                _events.Writer.TryWrite(new DispatchItem(null, null, new ObsReconnectedEventArgs(attempt, clock.Elapsed, connection.ObsWebSocketVersion)));
                connection.ReceiveLoop = Task.Run(() => ReceiveLoopAsync(connection));
                _connected.TrySetResult(connection);
            }

            return;
        }

        var final = lastError as ObsConnectionClosedException is { } closed && IsFatal(closed)
            ? closed
            : new ObsConnectionClosedException(
                $"Gave up reconnecting to obs-websocket at {_options.Uri} after {attempt} attempts: {lastError.Message}",
                lastError);
        lock (_stateLock)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }
        }

        CloseForGood(final);
    }

    /// <summary>Closes the client for good: Closed completes, waiting requests fail, the dispatcher drains and stops.</summary>
    private void CloseForGood(ObsConnectionClosedException closed)
    {
        TaskCompletionSource<Connection?> connected;
        lock (_stateLock)
        {
            _closeError ??= closed;
            _state = ObsConnectionState.Closed;
            connected = _connected;
        }

        connected.TrySetResult(null);
        _closed.TrySetResult();
        _events.Writer.TryComplete();
    }

    private void HandleMessage(Connection connection, JsonElement root)
    {
        var op = (ObsOpCode)RequireInt(root, "op");
        var d = root.TryGetProperty("d", out var data) && data.ValueKind == JsonValueKind.Object
            ? data
            : throw new InvalidDataException($"obs-websocket message op {(int)op} has no d object.");
        switch (op)
        {
            case ObsOpCode.Event:
                _events.Writer.TryWrite(new DispatchItem(
                    new ObsEvent(
                        RequireString(d, "eventType"),
                        (ObsEventSubscriptions)RequireInt(d, "eventIntent"),
                        d.TryGetProperty("eventData", out var eventData) ? eventData.Clone() : null),
                    null,
                    null));
                break;
            case ObsOpCode.RequestResponse:
            case ObsOpCode.RequestBatchResponse:
                connection.Complete(RequireString(d, "requestId"), d);
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
            await foreach (var item in _events.Reader.ReadAllAsync(_lifetimeToken).ConfigureAwait(false))
            {
                if (item.Event is { } evt)
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
                else
                {
                    try
                    {
                        if (item.Disconnected is { } disconnected)
                        {
                            Disconnected?.Invoke(this, disconnected);
                        }
                        else if (item.Reconnected is { } reconnected)
                        {
                            Reconnected?.Invoke(this, reconnected);
                        }
                    }
#pragma warning disable CA1031 // As above.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        _options.EventHandlerFailed?.Invoke(
                            new ObsEvent(item.Disconnected is null ? "Reconnected" : "Disconnected", ObsEventSubscriptions.None, null), ex);
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

        // One deadline for waiting for a connection, sending and the answer.
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(limit);
        Connection connection;
        try
        {
            connection = await CurrentConnectionAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw NotReconnectedError(what, limit);
        }

        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Pending[requestId] = answer;
        try
        {
            // Shutdown marks the connection ended before it fails the pending requests, so a
            // request registered after that sweep sees the mark here.
            if (connection.Ended.Task.IsCompleted)
            {
                throw connection.CloseError ?? CloseError();
            }

            try
            {
                await connection.SendAsync(op, writeData, timeoutCts.Token).ConfigureAwait(false);
                return await answer.Task.WaitAsync(timeoutCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"obs-websocket did not answer {what} within {limit.TotalMilliseconds:0} ms.");
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                // The connection broke while sending: report it as the connection ending.
                throw connection.CloseError
                    ?? new ObsConnectionClosedException((int?)connection.Socket.CloseStatus, connection.Socket.CloseStatusDescription, ex);
            }
        }
        finally
        {
            connection.Pending.TryRemove(requestId, out _);
        }
    }

    private ObsConnectionClosedException CloseError()
    {
        lock (_stateLock)
        {
            return _closeError ?? _lastDrop ?? new ObsConnectionClosedException((int?)null, null);
        }
    }

    private ObsConnectionClosedException NotReconnectedError(string what, TimeSpan limit)
    {
        var last = LastClose;
        return new ObsConnectionClosedException(
            $"obs-websocket at {_options.Uri} was not reconnected within {limit.TotalMilliseconds:0} ms, so {what} was not sent"
            + (last is null ? "." : $"; the connection dropped: {last.Message}"),
            last ?? (Exception)new TimeoutException());
    }

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

    /// <summary>One item for the dispatcher: an OBS event or a connection notification.</summary>
    private readonly record struct DispatchItem(ObsEvent? Event, ObsDisconnectedEventArgs? Disconnected, ObsReconnectedEventArgs? Reconnected);

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
