namespace ObsFaceSwap.Inference;

/// <summary>Which ONNX Runtime execution provider runs a model.</summary>
public enum ExecutionProvider
{
    /// <summary>
    /// CUDA when ONNX Runtime lists it and its provider library loads, otherwise the CPU. The
    /// choice and its reason are logged once per session.
    /// </summary>
    Auto = 0,

    /// <summary>ONNX Runtime's default CPU provider.</summary>
    Cpu = 1,

    /// <summary>CUDA on device <see cref="InferenceOptions.DeviceId"/>; fails if it cannot load.</summary>
    Cuda = 2,
}

/// <summary>How a <see cref="ModelSession"/> runs its model.</summary>
/// <param name="Provider">Requested execution provider; <see cref="ExecutionProvider.Auto"/> by default.</param>
/// <param name="DeviceId">GPU ordinal for GPU providers, &gt;= 0.</param>
/// <param name="IntraOpThreads">CPU threads inside one operator; 0 lets ONNX Runtime decide (one per core).</param>
public sealed record InferenceOptions(
    ExecutionProvider Provider = ExecutionProvider.Auto,
    int DeviceId = 0,
    int IntraOpThreads = 0)
{
    /// <summary>The defaults: <see cref="ExecutionProvider.Auto"/>, device 0, ONNX Runtime's thread count.</summary>
    public static InferenceOptions Default { get; } = new();

    /// <summary>Throws when a field is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative device id or thread count, or an unknown provider.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Provider))
        {
            throw new ArgumentOutOfRangeException(nameof(Provider), Provider, "unknown execution provider");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(DeviceId);
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads);
    }
}
