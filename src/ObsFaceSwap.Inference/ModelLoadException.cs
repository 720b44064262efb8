namespace ObsFaceSwap.Inference;

/// <summary>
/// A model file exists but cannot be used: ONNX Runtime rejected it (corrupt or truncated file,
/// unsupported operator) or its inputs and outputs do not match what the caller needs. The
/// message names the file.
/// </summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the exception for <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">The model file.</param>
    /// <param name="reason">What is wrong, one sentence.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ModelLoadException(string modelPath, string reason, Exception? innerException = null)
        : base($"Cannot use ONNX model '{modelPath}': {reason}", innerException)
    {
        ModelPath = modelPath;
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public ModelLoadException()
        : this(string.Empty, "unknown model")
    {
    }

    /// <summary>Creates the exception with a plain message.</summary>
    /// <param name="message">The message.</param>
    public ModelLoadException(string message)
        : base(message)
    {
        ModelPath = string.Empty;
    }

    /// <summary>Creates the exception with a plain message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        ModelPath = string.Empty;
    }

    /// <summary>Path of the model file that failed, as given by the caller.</summary>
    public string ModelPath { get; }
}
