using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>GetStreamStatus's and GetOutputStatus's answer.</summary>
/// <param name="OutputActive">Whether the output is active.</param>
/// <param name="OutputReconnecting">Whether it is reconnecting (stream outputs).</param>
/// <param name="OutputTimecode">Its timecode, <c>HH:MM:SS.mmm</c>.</param>
/// <param name="OutputDuration">Its duration in ms.</param>
/// <param name="OutputCongestion">Congestion, 0 to 1 (stream outputs).</param>
/// <param name="OutputBytes">Bytes sent or written.</param>
/// <param name="OutputSkippedFrames">Frames the output skipped.</param>
/// <param name="OutputTotalFrames">Frames the output handled.</param>
public sealed record ObsOutputStatus(
    bool OutputActive,
    bool OutputReconnecting,
    string OutputTimecode,
    long OutputDuration,
    double OutputCongestion,
    long OutputBytes,
    long OutputSkippedFrames,
    long OutputTotalFrames);

/// <content>Requests of the Stream category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>GetStreamStatus: the stream output's state and counters.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The status.</returns>
    public Task<ObsOutputStatus> GetStreamStatusAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("GetStreamStatus", null, ObsJsonContext.Default.ObsOutputStatus, cancellationToken);

    /// <summary>ToggleStream: starts the stream output if it is stopped, else stops it.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>Whether the output is now active.</returns>
    public async Task<bool> ToggleStreamAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("ToggleStream", cancellationToken: cancellationToken).ConfigureAwait(false)).ReadBoolean("outputActive");

    /// <summary>StartStream: starts the stream output (status 500 if it runs already).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request (StreamStateChanged tells when it started).</returns>
    public Task StartStreamAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("StartStream", cancellationToken: cancellationToken);

    /// <summary>StopStream: stops the stream output (status 501 if it is not running).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request.</returns>
    public Task StopStreamAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("StopStream", cancellationToken: cancellationToken);

    /// <summary>SendStreamCaption: sends CEA-608 caption text over the stream (status 501 if not streaming).</summary>
    /// <param name="captionText">The caption text.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the caption was queued.</returns>
    public Task SendStreamCaptionAsync(string captionText, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(captionText);
        return RequestAsync("SendStreamCaption", new JsonObject { ["captionText"] = captionText }, cancellationToken: cancellationToken);
    }
}
