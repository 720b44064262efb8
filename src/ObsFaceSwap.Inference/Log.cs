using Microsoft.Extensions.Logging;

namespace ObsFaceSwap.Inference;

/// <summary>
/// Log events of the inference layer, source-generated, with stable event ids (6xx). Nothing
/// per frame is logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "ONNX Runtime {OrtVersion}: {Provider} runs {Model} ({Reason})")]
    public static partial void ProviderChosen(ILogger logger, string ortVersion, ExecutionProvider provider, string model, string reason);
}
