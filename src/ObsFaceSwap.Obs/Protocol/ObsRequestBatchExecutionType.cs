namespace ObsFaceSwap.Obs;

/// <summary>How obs-websocket runs the requests of a RequestBatch.</summary>
public enum ObsRequestBatchExecutionType
{
    /// <summary>Not a valid execution type.</summary>
    None = -1,

    /// <summary>One after another, as fast as possible (the default). <c>Sleep</c> takes <c>sleepMillis</c>.</summary>
    SerialRealtime = 0,

    /// <summary>One per graphics frame, on the graphics thread. <c>Sleep</c> takes <c>sleepFrames</c>.</summary>
    SerialFrame = 1,

    /// <summary>All at once on a thread pool; order is not kept and <c>Sleep</c> is not allowed.</summary>
    Parallel = 2,
}
