using System.Text.Json.Serialization;

namespace ObsFaceSwap.Host.Stats;

/// <summary>The STATS_REPLY JSON.</summary>
/// <param name="HostPid">The host's process id.</param>
/// <param name="UptimeSeconds">Seconds since the host started.</param>
/// <param name="Channels">One entry per attached channel.</param>
internal sealed record StatsReply(int HostPid, double UptimeSeconds, IReadOnlyList<ChannelStats> Channels);

/// <summary>One channel's counters and timings.</summary>
/// <param name="ChannelId">The channel id.</param>
/// <param name="FramesIn">Header <c>frames_read</c>: frames the host took.</param>
/// <param name="ResultsOut">Header <c>results_written</c>.</param>
/// <param name="FramesDroppedByShim">Header <c>frames_dropped</c>: READY frames the shim reclaimed unread.</param>
/// <param name="ResultsDropped">Header <c>results_dropped</c>: READY results the host reclaimed unread.</param>
/// <param name="QueueDepth">Header <c>queue_depth</c>.</param>
/// <param name="PipelineMs">Whole-pipeline time per frame.</param>
/// <param name="Stages">Per-stage times, in pipeline order.</param>
/// <param name="Mode">Current pipeline mode.</param>
/// <param name="FramesSkippedByShim">Header <c>frames_skipped</c>.</param>
/// <param name="FramesRejected">Frames this host rejected (invalid header, odd or changed generation).</param>
/// <param name="StageFailures">Frames whose pipeline threw (published with status STAGE_FAILED).</param>
/// <param name="ResultsConsumedByShim">Header <c>results_consumed</c>.</param>
/// <param name="ResultsRejectedByShim">Header <c>results_rejected</c>.</param>
internal sealed record ChannelStats(
    ulong ChannelId,
    ulong FramesIn,
    ulong ResultsOut,
    ulong FramesDroppedByShim,
    ulong ResultsDropped,
    uint QueueDepth,
    PipelineTimes PipelineMs,
    IReadOnlyList<StageStats> Stages,
    string Mode,
    ulong FramesSkippedByShim,
    long FramesRejected,
    long StageFailures,
    ulong ResultsConsumedByShim,
    ulong ResultsRejectedByShim);

/// <summary>Pipeline time in milliseconds.</summary>
internal sealed record PipelineTimes(double Mean, double P95, double Max);

/// <summary>One stage's time in milliseconds.</summary>
internal sealed record StageStats(string Name, long Count, double MeanMs, double P95Ms, double MaxMs);

/// <summary>System.Text.Json source generation for the stats JSON (camelCase).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StatsReply))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
