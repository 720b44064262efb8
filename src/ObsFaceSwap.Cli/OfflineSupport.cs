using System.CommandLine;
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

    /// <summary><c>--provider cpu|cuda|auto</c>.</summary>
    public static Option<string> ProviderOption()
    {
        var option = new Option<string>("--provider")
        {
            Description = "ONNX Runtime execution provider: cpu (default), cuda (fails if CUDA cannot load), or auto (CUDA when available, else CPU).",
            DefaultValueFactory = _ => "cpu",
            HelpName = "cpu|cuda|auto",
        };
        option.AcceptOnlyFromAmong("cpu", "cuda", "auto");
        return option;
    }

    /// <summary>Resolves the verified model file from the store and opens the detector (CPU unless CUDA is available).</summary>
    /// <exception cref="ModelMissingException">The model is not in the cache.</exception>
    /// <exception cref="ModelHashMismatchException">The cached file does not verify.</exception>
    /// <exception cref="ModelLoadException">ONNX Runtime cannot use the file.</exception>
    public static BlazeFaceDetector OpenDetector(ModelStore store, string modelName, string provider)
    {
        var inference = new InferenceOptions(provider switch
        {
            "cuda" => ExecutionProvider.Cuda,
            "auto" => ExecutionProvider.Auto,
            _ => ExecutionProvider.Cpu,
        });
        var front = string.Equals(modelName, "front-128", StringComparison.Ordinal);
        var path = store.Resolve(front ? "blazeface-front-128" : "blazeface-back-256");
        return BlazeFaceDetector.Open(path, front ? BlazeFaceModel.Front128 : BlazeFaceModel.Back256, inference: inference);
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
