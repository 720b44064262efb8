using Microsoft.Extensions.Logging;

namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// Log events of the swap models, source-generated, with stable event ids (61x, beside the
/// inference layer's 60x). Each is written at most once per <see cref="SwapperSession"/>; nothing
/// per frame.
/// </summary>
internal static partial class SwapLog
{
    /// <summary>The preferred model gave a faulty output; the fallback model runs from now on.</summary>
    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "Face swap model {Model} gave a faulty output ({Fault}); falling back to {Fallback} for the rest of the session")]
    public static partial void FellBack(ILogger logger, string model, SwapFault fault, string fallback);

    /// <summary>A model gave a faulty output and no working fallback remains: faces are masked while it faults.</summary>
    [LoggerMessage(EventId = 611, Level = LogLevel.Error, Message = "Face swap model {Model} gave a faulty output ({Fault}) and there is no fallback ({Reason}); faces are masked while it faults")]
    public static partial void NoFallback(ILogger logger, string model, SwapFault fault, string reason);
}
