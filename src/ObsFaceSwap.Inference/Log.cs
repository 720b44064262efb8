using Microsoft.Extensions.Logging;

namespace ObsFaceSwap.Inference;

/// <summary>
/// Log events of the inference layer, source-generated, with stable event ids (6xx). Nothing
/// per frame is logged. Each session logs exactly one of 600 and 601.
/// </summary>
internal static partial class Log
{
    /// <summary>The provider that runs a model: the requested one, or Auto's choice with why the better ones were skipped.</summary>
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "ONNX Runtime {OrtVersion}: {Provider} runs {Model} (requested {Requested}; {Reason})")]
    public static partial void ProviderChosen(ILogger logger, string ortVersion, string provider, string model, string requested, string reason);

    /// <summary>A provider asked for by name cannot run: the CPU runs the model instead.</summary>
    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "ONNX Runtime {OrtVersion}: requested {Requested}, running {Provider} for {Model}, because {Reason}")]
    public static partial void ProviderFallback(ILogger logger, string ortVersion, string requested, string provider, string model, string reason);
}
