namespace ObsFaceSwap.Obs;

/// <summary>An identified session with obs-websocket ended (not raised for <see cref="ObsWebSocketClient.DisposeAsync"/>).</summary>
/// <param name="reason">Why: the close code and reason, or the transport error.</param>
/// <param name="willReconnect">Whether the client now reconnects; false means it closed for good.</param>
public sealed class ObsDisconnectedEventArgs(ObsConnectionClosedException reason, bool willReconnect) : EventArgs
{
    /// <summary>Why the session ended: the close code and reason, or the transport error.</summary>
    public ObsConnectionClosedException Reason { get; } = reason;

    /// <summary>Whether the client now reconnects; false means it closed for good.</summary>
    public bool WillReconnect { get; } = willReconnect;
}

/// <summary>The client identified again after the connection dropped.</summary>
/// <param name="attempts">Connection attempts it took (1 when the first succeeded).</param>
/// <param name="downtime">Time from the drop to the new Identified.</param>
/// <param name="obsWebSocketVersion">The obs-websocket version the new session's Hello announced.</param>
public sealed class ObsReconnectedEventArgs(int attempts, TimeSpan downtime, string obsWebSocketVersion) : EventArgs
{
    /// <summary>Connection attempts it took (1 when the first succeeded).</summary>
    public int Attempts { get; } = attempts;

    /// <summary>Time from the drop to the new Identified.</summary>
    public TimeSpan Downtime { get; } = downtime;

    /// <summary>The obs-websocket version the new session's Hello announced.</summary>
    public string ObsWebSocketVersion { get; } = obsWebSocketVersion;
}
