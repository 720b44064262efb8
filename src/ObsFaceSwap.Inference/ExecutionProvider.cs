using System.Diagnostics.CodeAnalysis;

namespace ObsFaceSwap.Inference;

/// <summary>
/// Which ONNX Runtime execution provider runs a model. A provider that cannot run (not in this
/// ONNX Runtime build, its provider library missing, the wrong operating system, or it fails to
/// load) never fails the model: the CPU runs it instead, and the one log line of the session
/// names the provider requested, the provider running, and why.
/// </summary>
/// <remarks>
/// Settings and command-line names (<see cref="ExecutionProviders.Parse"/>, case-insensitive):
/// <c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>tensorrt</c>, <c>directml</c>, <c>coreml</c>.
/// </remarks>
public enum ExecutionProvider
{
    /// <summary>
    /// The first usable of: CUDA, then DirectML (Windows only), then CoreML (macOS only), else
    /// the CPU. A GPU provider is tried only when ONNX Runtime lists it and, for CUDA, its
    /// provider library (<c>libonnxruntime_providers_cuda.so</c> /
    /// <c>onnxruntime_providers_cuda.dll</c>) lies beside the ONNX Runtime library, so a
    /// CPU-only machine gets no load error. TensorRT is never chosen automatically (its engine
    /// build takes minutes on first use): ask for it.
    /// </summary>
    Auto = 0,

    /// <summary>ONNX Runtime's default CPU provider.</summary>
    Cpu = 1,

    /// <summary>NVIDIA CUDA on device <see cref="InferenceOptions.DeviceId"/> (needs the CUDA provider library, CUDA and cuDNN).</summary>
    Cuda = 2,

    /// <summary>
    /// NVIDIA TensorRT on device <see cref="InferenceOptions.DeviceId"/> (needs the TensorRT
    /// provider library and TensorRT); CUDA is added behind it for the nodes TensorRT does not
    /// take, when CUDA is usable.
    /// </summary>
    TensorRT = 3,

    /// <summary>DirectML (Direct3D 12) on adapter <see cref="InferenceOptions.DeviceId"/>; Windows only.</summary>
    DirectML = 4,

    /// <summary>Apple CoreML; macOS only.</summary>
    CoreML = 5,
}

/// <summary>Names of <see cref="ExecutionProvider"/> values in settings and on the command line.</summary>
public static class ExecutionProviders
{
    /// <summary>The accepted names, in <see cref="ExecutionProvider"/> order: auto, cpu, cuda, tensorrt, directml, coreml.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "cpu", "cuda", "tensorrt", "directml", "coreml"];

    /// <summary>The accepted names as one phrase for error messages: "auto, cpu, cuda, tensorrt, directml or coreml".</summary>
    public static string AcceptedNames { get; } = string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[^1];

    /// <summary>The settings name of <paramref name="provider"/> (lower case, e.g. <c>tensorrt</c>).</summary>
    /// <param name="provider">A defined value.</param>
    /// <returns>One of <see cref="Names"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An undefined value.</exception>
    public static string Name(ExecutionProvider provider) => Enum.IsDefined(provider)
        ? Names[(int)provider]
        : throw new ArgumentOutOfRangeException(nameof(provider), provider, "unknown execution provider");

    /// <summary>The provider's own spelling for log lines: auto, CPU, CUDA, TensorRT, DirectML, CoreML.</summary>
    /// <param name="provider">A defined value.</param>
    /// <returns>The display name.</returns>
    public static string DisplayName(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Auto => "auto",
        ExecutionProvider.Cpu => "CPU",
        ExecutionProvider.Cuda => "CUDA",
        ExecutionProvider.TensorRT => "TensorRT",
        ExecutionProvider.DirectML => "DirectML",
        ExecutionProvider.CoreML => "CoreML",
        _ => provider.ToString(),
    };

    /// <summary>Parses a settings or command-line name, ignoring case and surrounding blanks.</summary>
    /// <param name="text">auto, cpu, cuda, tensorrt, directml or coreml.</param>
    /// <param name="provider">The value, when the name is known.</param>
    /// <returns>False for null, empty or unknown names.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out ExecutionProvider provider)
    {
        var trimmed = text.AsSpan().Trim();
        for (var i = 0; i < Names.Count; i++)
        {
            if (trimmed.Equals(Names[i], StringComparison.OrdinalIgnoreCase))
            {
                provider = (ExecutionProvider)i;
                return true;
            }
        }

        provider = ExecutionProvider.Auto;
        return false;
    }

    /// <summary>Parses a settings or command-line name, ignoring case.</summary>
    /// <param name="text">auto, cpu, cuda, tensorrt, directml or coreml.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">An unknown name; the message lists the accepted ones.</exception>
    public static ExecutionProvider Parse(string? text) => TryParse(text, out var provider)
        ? provider
        : throw new ArgumentException($"unknown execution provider \"{text}\": expected {AcceptedNames}", nameof(text));
}

/// <summary>How a <see cref="ModelSession"/> runs its model.</summary>
/// <param name="Provider">Requested execution provider; <see cref="ExecutionProvider.Auto"/> by default.</param>
/// <param name="DeviceId">GPU ordinal for GPU providers (CUDA, TensorRT, DirectML), &gt;= 0.</param>
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
