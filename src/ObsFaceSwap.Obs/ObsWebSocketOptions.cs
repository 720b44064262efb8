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
    /// Called on the event dispatcher when an event handler throws; the dispatcher goes on with
    /// the next handler. Null ignores such exceptions.
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
    }
}
