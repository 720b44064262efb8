namespace ObsFaceSwap.Controller;

/// <summary>OBS or the obs-faceswap module refused what the controller asked (a vendor answer with an error, an action not allowed in OBS's current state).</summary>
public sealed class ControllerException : Exception
{
    /// <inheritdoc />
    public ControllerException()
    {
    }

    /// <inheritdoc />
    public ControllerException(string message) : base(message)
    {
    }

    /// <inheritdoc />
    public ControllerException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
