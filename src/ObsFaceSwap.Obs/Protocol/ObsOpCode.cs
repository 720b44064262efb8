namespace ObsFaceSwap.Obs;

/// <summary>The <c>op</c> of an obs-websocket v5 message: what the <c>d</c> object holds.</summary>
public enum ObsOpCode
{
    /// <summary>Server to client, first message after connecting: versions and the authentication challenge.</summary>
    Hello = 0,

    /// <summary>Client to server: the answer to <see cref="Hello"/> (rpc version, authentication, event subscriptions).</summary>
    Identify = 1,

    /// <summary>Server to client: identification succeeded.</summary>
    Identified = 2,

    /// <summary>Client to server: changes the session's parameters (event subscriptions) after identification.</summary>
    Reidentify = 3,

    /// <summary>Server to client: an event the session subscribed to.</summary>
    Event = 5,

    /// <summary>Client to server: one request.</summary>
    Request = 6,

    /// <summary>Server to client: the answer to one <see cref="Request"/>.</summary>
    RequestResponse = 7,

    /// <summary>Client to server: several requests processed together.</summary>
    RequestBatch = 8,

    /// <summary>Server to client: the answer to one <see cref="RequestBatch"/>.</summary>
    RequestBatchResponse = 9,
}
