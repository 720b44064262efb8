namespace ObsFaceSwap.Obs;

/// <summary>The WebSocket close codes obs-websocket uses to end a session (4000-4999).</summary>
public enum ObsCloseCode
{
    /// <summary>Not a close code: the connection is open.</summary>
    DontClose = 0,

    /// <summary>Unknown reason; should never be used.</summary>
    UnknownReason = 4000,

    /// <summary>The server could not decode an incoming message.</summary>
    MessageDecodeError = 4002,

    /// <summary>A data field is required but missing from the payload.</summary>
    MissingDataField = 4003,

    /// <summary>A data field's value type is invalid.</summary>
    InvalidDataFieldType = 4004,

    /// <summary>A data field's value is invalid.</summary>
    InvalidDataFieldValue = 4005,

    /// <summary>The op code is unknown.</summary>
    UnknownOpCode = 4006,

    /// <summary>A message other than Identify was sent before identification.</summary>
    NotIdentified = 4007,

    /// <summary>Identify was sent twice.</summary>
    AlreadyIdentified = 4008,

    /// <summary>The authentication string was wrong (or missing).</summary>
    AuthenticationFailed = 4009,

    /// <summary>The server does not support the requested rpc version.</summary>
    UnsupportedRpcVersion = 4010,

    /// <summary>The session was invalidated by the server (e.g. the server was stopped).</summary>
    SessionInvalidated = 4011,

    /// <summary>A requested feature is not supported.</summary>
    UnsupportedFeature = 4012,
}
