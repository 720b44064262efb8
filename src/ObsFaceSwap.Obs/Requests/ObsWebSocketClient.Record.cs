namespace ObsFaceSwap.Obs;

/// <summary>GetRecordStatus's answer.</summary>
/// <param name="OutputActive">Whether the record output is running.</param>
/// <param name="OutputPaused">Whether it is paused.</param>
/// <param name="OutputTimecode">Its timecode, <c>HH:MM:SS.mmm</c>.</param>
/// <param name="OutputDuration">Its duration in ms.</param>
/// <param name="OutputBytes">Bytes written so far.</param>
public sealed record ObsRecordStatus(bool OutputActive, bool OutputPaused, string OutputTimecode, long OutputDuration, long OutputBytes);

/// <content>Requests of the Record category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>StartRecord: starts the record output (status 500 if it runs already).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request (RecordStateChanged tells when it started).</returns>
    public Task StartRecordAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("StartRecord", cancellationToken: cancellationToken);

    /// <summary>StopRecord: stops the record output (status 501 if it is not running).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The path of the recording file.</returns>
    public async Task<string> StopRecordAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("StopRecord", cancellationToken: cancellationToken).ConfigureAwait(false)).ReadString("outputPath");

    /// <summary>GetRecordStatus: the record output's state.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The status.</returns>
    public async Task<ObsRecordStatus> GetRecordStatusAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetRecordStatus", cancellationToken: cancellationToken).ConfigureAwait(false))
            .Read(ObsJsonContext.Default.ObsRecordStatus);

    /// <summary>PauseRecord: pauses the record output (status 502 if it is paused already).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request.</returns>
    public Task PauseRecordAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("PauseRecord", cancellationToken: cancellationToken);

    /// <summary>ResumeRecord: resumes a paused record output (status 503 if it is not paused).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request.</returns>
    public Task ResumeRecordAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("ResumeRecord", cancellationToken: cancellationToken);
}
