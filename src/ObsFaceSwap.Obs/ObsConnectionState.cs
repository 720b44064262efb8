namespace ObsFaceSwap.Obs;

/// <summary>Where an <see cref="ObsWebSocketClient"/> stands with its server.</summary>
public enum ObsConnectionState
{
    /// <summary>Identified: requests are sent at once and events arrive.</summary>
    Connected,

    /// <summary>
    /// The connection dropped and the client is reconnecting (only with
    /// <see cref="ObsWebSocketOptions.Reconnect"/>): new requests wait for the next session.
    /// </summary>
    Reconnecting,

    /// <summary>Closed for good (disposed, dropped without reconnecting, or reconnecting gave up).</summary>
    Closed,
}
