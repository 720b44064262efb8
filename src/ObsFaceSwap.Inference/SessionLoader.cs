using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace ObsFaceSwap.Inference;

/// <summary>
/// The one place that opens an ONNX Runtime <see cref="InferenceSession"/>: file check,
/// optimisation level, threads, execution-provider choice (with its reason, and the fall back to
/// the CPU), load errors turned into <see cref="ModelLoadException"/>, and the one log line naming
/// the provider. <see cref="ModelSession"/> and the SCRFD detector both open their sessions
/// through it.
/// </summary>
/// <remarks>
/// A provider is tried only when it can run here (<see cref="ProviderSelection.Unavailable"/>):
/// ONNX Runtime lists it, and for CUDA and TensorRT their provider library lies beside the ONNX
/// Runtime library. So a CPU-only machine never makes ONNX Runtime try to load CUDA (which would
/// print a load error on stderr). A provider that is tried and fails, when it is added or when
/// the session starts, leaves the CPU to run the model; that is logged once, at Warning when the
/// provider was asked for by name, with the reason.
/// </remarks>
internal static class SessionLoader
{
    /// <summary>
    /// Opens <paramref name="modelPath"/> and hands the session to <paramref name="build"/>, which
    /// takes ownership of it. If <paramref name="build"/> throws, the session is disposed.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">ONNX Runtime cannot load the file, even on the CPU.</exception>
    public static T Open<T>(string modelPath, InferenceOptions options, ILogger logger, Func<InferenceSession, ExecutionProvider, T> build) =>
        Open(modelPath, options, logger, build, environment: null);

    /// <summary><see cref="Open{T}(string, InferenceOptions, ILogger, Func{InferenceSession, ExecutionProvider, T})"/> with a given provider environment (tests).</summary>
    internal static T Open<T>(string modelPath, InferenceOptions options, ILogger logger, Func<InferenceSession, ExecutionProvider, T> build, OrtProviderEnvironment? environment)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model not found: '{modelPath}'", modelPath);
        }

        environment ??= OrtProviderEnvironment.Current;
        var requested = options.Provider;
        var reasons = new List<string>();
        var sessionOptions = NewSessionOptions(options);
        InferenceSession session;
        ExecutionProvider provider;
        string note;
        try
        {
            (provider, note) = ChooseProvider(sessionOptions, options, environment, reasons);
            try
            {
                session = new InferenceSession(modelPath, sessionOptions);
            }
            catch (OnnxRuntimeException ex) when (provider != ExecutionProvider.Cpu)
            {
                // The provider was added but the session did not start on it (no device, driver
                // too old, ...): run on the CPU. A model that cannot load at all fails below too.
                reasons.Add($"{ExecutionProviders.DisplayName(provider)} did not start the session: {ProviderSelection.FirstLine(ex.Message)}");
                (provider, note) = (ExecutionProvider.Cpu, string.Empty);
                sessionOptions.Dispose();
                sessionOptions = NewSessionOptions(options);
                session = new InferenceSession(modelPath, sessionOptions);
            }
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException(modelPath, $"ONNX Runtime could not load it ({ex.Message.Trim()})", ex);
        }
        finally
        {
            sessionOptions.Dispose();
        }

        try
        {
            var result = build(session, provider);
            LogChoice(logger, Path.GetFileName(modelPath), requested, provider, note, reasons);
            return result;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static SessionOptions NewSessionOptions(InferenceOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        }

        return sessionOptions;
    }

    /// <summary>Adds the first candidate provider that can run and loads; collects why the others did not.</summary>
    private static (ExecutionProvider Provider, string Note) ChooseProvider(SessionOptions sessionOptions, InferenceOptions options, OrtProviderEnvironment environment, List<string> reasons)
    {
        foreach (var candidate in ProviderSelection.Candidates(options.Provider, environment.Os))
        {
            // Auto tries several, so each reason names its provider; an explicit request's line names it already.
            var auto = options.Provider == ExecutionProvider.Auto;
            var name = ExecutionProviders.DisplayName(candidate);
            if (ProviderSelection.Unavailable(candidate, environment) is { } why)
            {
                reasons.Add(auto ? $"{name}: {why}" : why);
                continue;
            }

            try
            {
                return (candidate, ProviderSelection.Append(sessionOptions, candidate, options.DeviceId, environment));
            }
            catch (Exception e) when (ProviderSelection.IsLoadFailure(e))
            {
                reasons.Add($"{(auto ? name : "it")} did not load: {ProviderSelection.FirstLine(e.Message)}");
            }
        }

        return (ExecutionProvider.Cpu, string.Empty);
    }

    private static void LogChoice(ILogger logger, string model, ExecutionProvider requested, ExecutionProvider provider, string note, List<string> reasons)
    {
        var ortVersion = OrtEnv.Instance().GetVersionString();
        var running = ExecutionProviders.DisplayName(provider);
        var asked = ExecutionProviders.DisplayName(requested);
        if (requested is not ExecutionProvider.Auto and not ExecutionProvider.Cpu && provider != requested)
        {
            Log.ProviderFallback(logger, ortVersion, asked, running, model, string.Join("; ", reasons));
            return;
        }

        var parts = new List<string>(reasons.Count + 1);
        parts.AddRange(reasons);
        if (note.Length > 0)
        {
            parts.Add(note);
        }

        Log.ProviderChosen(logger, ortVersion, running, model, asked, parts.Count == 0 ? "no other provider tried" : string.Join("; ", parts));
    }
}
