namespace ObsFaceSwap.Obs.Events;

/// <summary>The <c>outputState</c> of output events (obs-websocket's <c>ObsOutputState</c>).</summary>
public enum ObsOutputState
{
    /// <summary>A state this client does not know (<c>OBS_WEBSOCKET_OUTPUT_UNKNOWN</c> or newer).</summary>
    Unknown,

    /// <summary><c>OBS_WEBSOCKET_OUTPUT_STARTING</c>.</summary>
    Starting,

    /// <summary><c>OBS_WEBSOCKET_OUTPUT_STARTED</c>.</summary>
    Started,

    /// <summary><c>OBS_WEBSOCKET_OUTPUT_STOPPING</c>.</summary>
    Stopping,

    /// <summary><c>OBS_WEBSOCKET_OUTPUT_STOPPED</c>.</summary>
    Stopped,

    /// <summary><c>OBS_WEBSOCKET_OUTPUT_RECONNECTING</c> (stream only).</summary>
    Reconnecting,

    /// <summary><c>OBS_WEBSOCKET_OUTPUT_RECONNECTED</c> (stream only).</summary>
    Reconnected,

    /// <summary><c>OBS_WEBSOCKET_OUTPUT_PAUSED</c> (record only).</summary>
    Paused,

    /// <summary><c>OBS_WEBSOCKET_OUTPUT_RESUMED</c> (record only).</summary>
    Resumed,
}

/// <summary>Parsing <see cref="ObsOutputState"/>.</summary>
public static class ObsOutputStates
{
    /// <summary>Maps the protocol string to the enum.</summary>
    /// <param name="outputState">E.g. <c>OBS_WEBSOCKET_OUTPUT_STARTED</c>.</param>
    /// <returns>The state; <see cref="ObsOutputState.Unknown"/> for anything else.</returns>
    public static ObsOutputState Parse(string? outputState) => outputState switch
    {
        "OBS_WEBSOCKET_OUTPUT_STARTING" => ObsOutputState.Starting,
        "OBS_WEBSOCKET_OUTPUT_STARTED" => ObsOutputState.Started,
        "OBS_WEBSOCKET_OUTPUT_STOPPING" => ObsOutputState.Stopping,
        "OBS_WEBSOCKET_OUTPUT_STOPPED" => ObsOutputState.Stopped,
        "OBS_WEBSOCKET_OUTPUT_RECONNECTING" => ObsOutputState.Reconnecting,
        "OBS_WEBSOCKET_OUTPUT_RECONNECTED" => ObsOutputState.Reconnected,
        "OBS_WEBSOCKET_OUTPUT_PAUSED" => ObsOutputState.Paused,
        "OBS_WEBSOCKET_OUTPUT_RESUMED" => ObsOutputState.Resumed,
        _ => ObsOutputState.Unknown,
    };
}
