using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace ObsFaceSwap.Inference;

/// <summary>
/// The one place that opens an ONNX Runtime <see cref="InferenceSession"/>: file check,
/// optimisation level, threads, execution-provider choice (with its reason), load errors
/// turned into <see cref="ModelLoadException"/>, and the one log line naming the provider.
/// <see cref="ModelSession"/> and the SCRFD detector both open their sessions through it.
/// </summary>
internal static class SessionLoader
{
    private const string CudaProviderName = "CUDAExecutionProvider";

    /// <summary>
    /// Opens <paramref name="modelPath"/> and hands the session to <paramref name="build"/>, which
    /// takes ownership of it. If <paramref name="build"/> throws, the session is disposed.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">ONNX Runtime cannot load the file, or CUDA was requested and cannot load.</exception>
    public static T Open<T>(string modelPath, InferenceOptions options, ILogger logger, Func<InferenceSession, ExecutionProvider, T> build)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model not found: '{modelPath}'", modelPath);
        }

        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        }

        var (provider, reason) = ChooseProvider(sessionOptions, options, modelPath);
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException(modelPath, $"ONNX Runtime could not load it ({ex.Message.Trim()})", ex);
        }

        try
        {
            var result = build(session, provider);
            var ortVersion = OrtEnv.Instance().GetVersionString();
            var modelName = Path.GetFileName(modelPath);
            Log.ProviderChosen(logger, ortVersion, provider, modelName, reason);
            return result;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static (ExecutionProvider Provider, string Reason) ChooseProvider(SessionOptions sessionOptions, InferenceOptions options, string modelPath)
    {
        if (options.Provider == ExecutionProvider.Cpu)
        {
            return (ExecutionProvider.Cpu, "requested");
        }

        var available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains(CudaProviderName))
        {
            var reason = $"this ONNX Runtime build has no CUDA provider (available: {string.Join(", ", available)})";
            return options.Provider == ExecutionProvider.Cuda
                ? throw new ModelLoadException(modelPath, "CUDA was requested but " + reason)
                : (ExecutionProvider.Cpu, reason);
        }

        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(options.DeviceId);
            return (ExecutionProvider.Cuda, $"{(options.Provider == ExecutionProvider.Cuda ? "requested" : "auto")}, device {options.DeviceId}");
        }
        catch (OnnxRuntimeException ex) when (options.Provider == ExecutionProvider.Auto)
        {
            return (ExecutionProvider.Cpu, "CUDA provider did not load: " + FirstLine(ex.Message));
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException(modelPath, "CUDA was requested but did not load: " + FirstLine(ex.Message), ex);
        }
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var newline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? trimmed : trimmed[..newline].TrimEnd();
    }
}
