namespace ObsFaceSwap.Obs;

/// <summary>How <see cref="ObsWebSocketClient"/> connects to obs-websocket.</summary>
public sealed record ObsWebSocketOptions
{
    /// <summary>The server address, e.g. <c>ws://127.0.0.1:4455</c>.</summary>
    public required Uri Uri { get; init; }

    /// <summary>The server password; null when the server does not require authentication.</summary>
    public string? Password { get; init; }

    /// <summary>The event categories to receive (Identify's <c>eventSubscriptions</c>).</summary>
    public ObsEventSubscriptions EventSubscriptions { get; init; } = ObsEventSubscriptions.All;

    /// <summary>Bound on connecting plus Hello/Identify/Identified.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of a request that is given none explicitly.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reconnect after the connection drops; null (the default) closes the client for good
    /// when the connection ends. See <see cref="ObsWebSocketClient"/> for what requests do
    /// while the client reconnects.
    /// </summary>
    public ObsReconnectOptions? Reconnect { get; init; }

    /// <summary>
    /// When set, the client pings the server at this interval and treats the connection as
    /// dropped when no pong arrives within the same time (a half-open connection: OBS hung or
    /// the machine vanished without closing the socket). Null leaves dead-peer detection to TCP.
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>
    /// Called on the event dispatcher when an event handler throws; the dispatcher goes on with
    /// the next handler. Null ignores such exceptions. Exceptions from
    /// <see cref="ObsWebSocketClient.Disconnected"/> and <see cref="ObsWebSocketClient.Reconnected"/>
    /// handlers come here too, with an event named <c>Disconnected</c> or <c>Reconnected</c>
    /// (intent <see cref="ObsEventSubscriptions.None"/>, no data).
    /// </summary>
    public Action<ObsEvent, Exception>? EventHandlerFailed { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (Uri is null || (Uri.Scheme != "ws" && Uri.Scheme != "wss"))
        {
            throw new ArgumentException("Uri must be a ws:// or wss:// address.", nameof(Uri));
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("ConnectTimeout must be positive.", nameof(ConnectTimeout));
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("RequestTimeout must be positive.", nameof(RequestTimeout));
        }

        if (KeepAliveInterval is { } keepAlive && keepAlive <= TimeSpan.Zero)
        {
            throw new ArgumentException("KeepAliveInterval must be positive.", nameof(KeepAliveInterval));
        }

        Reconnect?.Validate();
    }
}
