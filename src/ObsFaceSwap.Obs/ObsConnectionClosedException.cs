namespace ObsFaceSwap.Obs;

/// <summary>
/// The connection to obs-websocket ended (or never completed identification). Carries the
/// WebSocket close code when the server sent one, e.g. <see cref="ObsCloseCode.AuthenticationFailed"/>.
/// </summary>
public sealed class ObsConnectionClosedException : Exception
{
    /// <summary>Creates the exception for a connection that closed.</summary>
    /// <param name="closeCode">The close code the server sent, or null if the connection broke without one.</param>
    /// <param name="closeReason">The close reason text the server sent, if any.</param>
    /// <param name="innerException">The transport error, if one ended the connection.</param>
    public ObsConnectionClosedException(int? closeCode, string? closeReason, Exception? innerException = null)
        : base(FormatMessage(closeCode, closeReason, innerException), innerException)
    {
        CloseCode = closeCode;
        CloseReason = closeReason;
    }

    /// <inheritdoc />
    public ObsConnectionClosedException() : this((int?)null, null)
    {
    }

    /// <inheritdoc />
    public ObsConnectionClosedException(string message) : base(message)
    {
    }

    /// <inheritdoc />
    public ObsConnectionClosedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The WebSocket close code, or null if the connection ended without a close frame.</summary>
    public int? CloseCode { get; }

    /// <summary>The close code as obs-websocket's enumeration (numeric values it does not name pass through).</summary>
    public ObsCloseCode? ObsCloseCode => CloseCode is int code ? (ObsCloseCode)code : null;

    /// <summary>The close reason the server sent, if any.</summary>
    public string? CloseReason { get; }

    private static string FormatMessage(int? closeCode, string? closeReason, Exception? inner)
    {
        if (closeCode is not int code)
        {
            return inner is null
                ? "The obs-websocket connection ended without a close frame."
                : $"The obs-websocket connection broke: {inner.Message}";
        }

        var name = Enum.IsDefined(typeof(ObsCloseCode), code) ? $" ({(ObsCloseCode)code})" : "";
        return string.IsNullOrEmpty(closeReason)
            ? $"obs-websocket closed the connection with code {code}{name}."
            : $"obs-websocket closed the connection with code {code}{name}: {closeReason}";
    }
}
