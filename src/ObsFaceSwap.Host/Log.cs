using Microsoft.Extensions.Logging;

namespace ObsFaceSwap.Host;

/// <summary>
/// Every log event of the host, source-generated, with stable event ids (1xx host, 2xx
/// connections, 3xx channels, 4xx stats, 5xx per-frame anomalies). Nothing per frame is
/// logged at Information.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "obs-faceswap-host {Version} listening on {Endpoint} (pid {Pid}, idle exit {IdleExitSeconds} s)")]
    public static partial void HostListening(ILogger logger, string version, ObsFaceSwap.Channel.ControlEndpoint endpoint, int pid, int idleExitSeconds);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "No connection for {IdleExitSeconds} s: exiting")]
    public static partial void IdleExit(ILogger logger, int idleExitSeconds);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Host stopping")]
    public static partial void HostStopping(ILogger logger);

    [LoggerMessage(EventId = 103, Level = LogLevel.Critical, Message = "Control server failed")]
    public static partial void ServerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Accepting a control connection failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Connection {ConnectionId} accepted")]
    public static partial void ConnectionAccepted(ILogger logger, int connectionId);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    public static partial void ConnectionClosed(ILogger logger, int connectionId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Connection {ConnectionId}: shim pid {ShimPid} said hello")]
    public static partial void Hello(ILogger logger, int connectionId, uint shimPid);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: bad message, answering ERROR {Code} ({Reason}); closing the connection: {Closing}")]
    public static partial void BadMessage(ILogger logger, int connectionId, uint code, string reason, bool closing);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Connection {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, int connectionId, Exception exception);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Channel {ChannelId} opened ({ShmName}, {Size} bytes, {FrameSlots} frame slots, {ResultSlots} result slots, queue depth {QueueDepth}, wake-up {WaitMode})")]
    public static partial void ChannelOpened(ILogger logger, ulong channelId, string shmName, ulong size, int frameSlots, int resultSlots, int queueDepth, ObsFaceSwap.Channel.FrameWaitMode waitMode);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Channel {ChannelId} detached ({Reason})")]
    public static partial void ChannelDetached(ILogger logger, ulong channelId, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Channel {ChannelId}: cannot open: {Reason}")]
    public static partial void ChannelOpenFailed(ILogger logger, ulong channelId, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Channel {ChannelId}: settings applied (mode {Mode})")]
    public static partial void SettingsApplied(ILogger logger, ulong channelId, ObsFaceSwap.Host.Pipeline.PipelineMode mode);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "Channel {ChannelId}: invalid settings ignored, previous settings kept: {Reason}")]
    public static partial void SettingsInvalid(ILogger logger, ulong channelId, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "Channel {ChannelId}: pipeline thread failed; the channel is no longer served")]
    public static partial void SessionFaulted(ILogger logger, ulong channelId, Exception exception);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Channel {ChannelId}: pipeline thread did not stop within {TimeoutMs} ms; its memory stays mapped")]
    public static partial void SessionStopTimeout(ILogger logger, ulong channelId, int timeoutMs);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Channel {ChannelId} [{Mode}]: {FramesIn} frames in, {ResultsOut} results out, {FramesDropped} frames dropped by shim, {ResultsDropped} results dropped, {FramesRejected} rejected, queue depth {QueueDepth}; pipeline mean {MeanMs:0.000} ms, p95 {P95Ms:0.000} ms, max {MaxMs:0.000} ms")]
    public static partial void ChannelStats(ILogger logger, ulong channelId, string mode, ulong framesIn, ulong resultsOut, ulong framesDropped, ulong resultsDropped, long framesRejected, uint queueDepth, double meanMs, double p95Ms, double maxMs);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Channel {ChannelId} stage {Stage}: {Count} frames, mean {MeanMs:0.000} ms, p95 {P95Ms:0.000} ms, max {MaxMs:0.000} ms")]
    public static partial void StageStats(ILogger logger, ulong channelId, string stage, long count, double meanMs, double p95Ms, double maxMs);

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "Channel {ChannelId}: frame rejected: {Reason}")]
    public static partial void FrameRejected(ILogger logger, ulong channelId, string reason);

    [LoggerMessage(EventId = 501, Level = LogLevel.Debug, Message = "Channel {ChannelId}: frame {FrameId} was torn (generation changed while held); result discarded")]
    public static partial void FrameTorn(ILogger logger, ulong channelId, ulong frameId);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Channel {ChannelId}: stage failed on frame {FrameId} (failure {Failures}; further failures are logged at Debug)")]
    public static partial void StageFailed(ILogger logger, ulong channelId, ulong frameId, long failures, Exception exception);

    [LoggerMessage(EventId = 503, Level = LogLevel.Debug, Message = "Channel {ChannelId}: stage failed on frame {FrameId}")]
    public static partial void StageFailedAgain(ILogger logger, ulong channelId, ulong frameId, Exception exception);

    [LoggerMessage(EventId = 504, Level = LogLevel.Debug, Message = "Channel {ChannelId}: no result slot free for frame {FrameId}")]
    public static partial void NoResultSlot(ILogger logger, ulong channelId, ulong frameId);
}
