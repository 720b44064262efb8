namespace ObsFaceSwap.Obs;

/// <summary>The <c>requestStatus</c> object of a RequestResponse.</summary>
/// <param name="Result">Whether the request succeeded.</param>
/// <param name="Code">obs-websocket's status code (<see cref="ObsRequestStatusCode.Success"/> on success).</param>
/// <param name="Comment">The server's explanation of a failure, if it gave one.</param>
public readonly record struct ObsRequestStatus(bool Result, ObsRequestStatusCode Code, string? Comment);
