namespace ObsFaceSwap.Obs;

/// <summary>obs-websocket answered a request with a failure status.</summary>
public sealed class ObsRequestException : Exception
{
    /// <summary>Creates the exception for a failed request.</summary>
    /// <param name="requestType">The request type that failed.</param>
    /// <param name="code">obs-websocket's status code.</param>
    /// <param name="comment">obs-websocket's comment, if any.</param>
    public ObsRequestException(string requestType, ObsRequestStatusCode code, string? comment)
        : base(FormatMessage(requestType, code, comment))
    {
        RequestType = requestType;
        Code = code;
        Comment = comment;
    }

    /// <inheritdoc />
    public ObsRequestException() : this("(unknown)", ObsRequestStatusCode.Unknown, null)
    {
    }

    /// <inheritdoc />
    public ObsRequestException(string message) : base(message)
    {
        RequestType = "(unknown)";
    }

    /// <inheritdoc />
    public ObsRequestException(string message, Exception innerException) : base(message, innerException)
    {
        RequestType = "(unknown)";
    }

    /// <summary>The request type that failed.</summary>
    public string RequestType { get; }

    /// <summary>obs-websocket's <c>requestStatus.code</c>.</summary>
    public ObsRequestStatusCode Code { get; }

    /// <summary>obs-websocket's <c>requestStatus.comment</c>, if it sent one.</summary>
    public string? Comment { get; }

    private static string FormatMessage(string requestType, ObsRequestStatusCode code, string? comment) =>
        comment is null
            ? $"obs-websocket request {requestType} failed with status {(int)code} ({code})."
            : $"obs-websocket request {requestType} failed with status {(int)code} ({code}): {comment}";
}
