using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ObsFaceSwap.Media;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Models;

namespace ObsFaceSwap.Cli;

/// <summary>What <c>detect</c> and <c>process</c> share: the <c>--model</c> option, opening the detector from the verified store, and error mapping.</summary>
internal static class OfflineSupport
{
    /// <summary>The <c>--model</c> values.</summary>
    public static readonly string[] ModelNames = ["back-256", "front-128"];

    /// <summary><c>--model back-256|front-128</c>.</summary>
    public static Option<string> ModelOption()
    {
        var option = new Option<string>("--model")
        {
            Description = "BlazeFace variant: back-256 (full range, also small faces) or front-128 (selfie distance, faster).",
            DefaultValueFactory = _ => "back-256",
            HelpName = "back-256|front-128",
        };
        option.AcceptOnlyFromAmong(ModelNames);
        return option;
    }

    /// <summary><c>--provider auto|cpu|cuda|tensorrt|directml|coreml</c> (any case; <see cref="ExecutionProviders.Parse"/>).</summary>
    public static Option<string> ProviderOption()
    {
        var option = new Option<string>("--provider")
        {
            Description = "ONNX Runtime execution provider: cpu (default), auto (CUDA, then DirectML on Windows or CoreML on macOS, else CPU), "
                + "cuda, tensorrt, directml or coreml. One that cannot run here falls back to the CPU with one line on stderr saying why.",
            DefaultValueFactory = _ => "cpu",
            HelpName = string.Join('|', ExecutionProviders.Names),
        };
        option.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!ExecutionProviders.TryParse(value, out _))
            {
                r.AddError($"--provider '{value}' is not an execution provider; expected {ExecutionProviders.AcceptedNames}");
            }
        });
        return option;
    }

    /// <summary>
    /// Resolves the verified model file from the store and opens the detector on
    /// <paramref name="provider"/>. The provider line goes to <paramref name="log"/> (prefixed
    /// "obs-faceswap: "): always when the provider is not the CPU, and a fall back to the CPU as a warning.
    /// </summary>
    /// <exception cref="ModelMissingException">The model is not in the cache.</exception>
    /// <exception cref="ModelHashMismatchException">The cached file does not verify.</exception>
    /// <exception cref="ModelLoadException">ONNX Runtime cannot use the file.</exception>
    public static BlazeFaceDetector OpenDetector(ModelStore store, string modelName, string provider, TextWriter? log = null)
    {
        var inference = new InferenceOptions(ExecutionProviders.Parse(provider));
        var front = string.Equals(modelName, "front-128", StringComparison.Ordinal);
        var path = store.Resolve(front ? "blazeface-front-128" : "blazeface-back-256");
        var logger = log is null
            ? (ILogger)NullLogger.Instance
            : new TextWriterLogger(log, inference.Provider == ExecutionProvider.Cpu ? LogLevel.Warning : LogLevel.Information);
        return BlazeFaceDetector.Open(path, front ? BlazeFaceModel.Front128 : BlazeFaceModel.Back256, inference: inference, logger: logger);
    }

    /// <summary>Runs <paramref name="action"/> with the store; maps model-store, media and model-load failures to exit codes and one stderr line.</summary>
    public static async Task<int> RunAsync(ParseResult parse, CliGlobalOptions globals, CliContext context, Func<ModelStore, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await ModelsCommands.RunAsync(parse, globals, context, action, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (MapException(e) is { } code)
        {
            await context.Error.WriteLineAsync($"obs-faceswap: {e.Message}").ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>Exit codes of the offline commands' own failures; null for anything else.</summary>
    internal static int? MapException(Exception e) => e switch
    {
        MediaInputException => ExitCodes.InputUnreadable,
        MediaOutputException => ExitCodes.OutputFailed,
        MediaToolMissingException => ExitCodes.ToolMissing,
        ModelLoadException => ExitCodes.ModelUnusable,
        _ => null,
    };
}

/// <summary>Writes log lines at or above a level to a text writer as "obs-faceswap: message" (the CLI's stderr).</summary>
internal sealed class TextWriterLogger(TextWriter writer, LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            writer.WriteLine("obs-faceswap: " + formatter(state, exception));
        }
    }
}
