using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>One request inside a RequestBatch.</summary>
/// <param name="RequestType">The request type, e.g. <c>CreateScene</c>.</param>
/// <param name="RequestData">The request's fields, or null when it has none.</param>
public sealed record ObsBatchRequest(string RequestType, JsonObject? RequestData = null)
{
    /// <summary>A <c>Sleep</c> for <see cref="ObsRequestBatchExecutionType.SerialRealtime"/> batches.</summary>
    /// <param name="duration">How long to sleep (0 to 50 000 ms).</param>
    /// <returns>The request.</returns>
    public static ObsBatchRequest Sleep(TimeSpan duration) =>
        new("Sleep", new JsonObject { ["sleepMillis"] = (long)duration.TotalMilliseconds });

    /// <summary>A <c>Sleep</c> for <see cref="ObsRequestBatchExecutionType.SerialFrame"/> batches.</summary>
    /// <param name="frames">How many graphics frames to sleep (0 to 10 000).</param>
    /// <returns>The request.</returns>
    public static ObsBatchRequest SleepFrames(int frames) =>
        new("Sleep", new JsonObject { ["sleepFrames"] = frames });
}
