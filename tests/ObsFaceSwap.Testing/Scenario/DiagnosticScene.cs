using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing.Media;

namespace ObsFaceSwap.Testing.Scenario;

/// <summary>
/// The end-to-end scene: a looping media source playing the test clip, optionally with the
/// obs-faceswap filter, as the program scene; and recording it.
/// </summary>
public static class DiagnosticScene
{
    /// <summary>The scene's name.</summary>
    public const string SceneName = "FaceSwap E2E";

    /// <summary>The media input's name.</summary>
    public const string InputName = "Clip";

    /// <summary>The filter's name.</summary>
    public const string FilterName = "Face Swap";

    /// <summary>The filter kind the module registers.</summary>
    public const string FilterKind = "obs_faceswap_filter";

    /// <summary>Filter settings for the diagnostic stage.</summary>
    /// <returns>A new settings object.</returns>
    public static JsonObject DiagnosticSettings() => new() { ["mode"] = "diagnostic" };

    /// <summary>
    /// Creates the scene, the media input (ffmpeg_source, local file, looping) and, when
    /// <paramref name="filterSettings"/> is given, the filter, in one RequestBatch; makes it
    /// the program scene; and waits until the media plays.
    /// </summary>
    /// <param name="obs">The client.</param>
    /// <param name="clip">The clip to play.</param>
    /// <param name="filterSettings">The filter's settings, or null for no filter.</param>
    /// <param name="cancellationToken">Cancels set-up.</param>
    /// <returns>A task that completes when the media plays.</returns>
    public static async Task SetUpAsync(
        ObsWebSocketClient obs,
        TestClip clip,
        JsonObject? filterSettings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obs);
        ArgumentNullException.ThrowIfNull(clip);
        var requests = new List<ObsBatchRequest>
        {
            new("CreateScene", new JsonObject { ["sceneName"] = SceneName }),
            new("CreateInput", new JsonObject
            {
                ["sceneName"] = SceneName,
                ["inputName"] = InputName,
                ["inputKind"] = "ffmpeg_source",
                ["inputSettings"] = new JsonObject
                {
                    ["local_file"] = clip.Path,
                    ["is_local_file"] = true,
                    ["looping"] = true,
                    ["restart_on_activate"] = false,
                    ["close_when_inactive"] = false,
                    ["hw_decode"] = false,
                },
                ["sceneItemEnabled"] = true,
            }),
        };
        if (filterSettings is not null)
        {
            requests.Add(new ObsBatchRequest("CreateSourceFilter", new JsonObject
            {
                ["sourceName"] = InputName,
                ["filterName"] = FilterName,
                ["filterKind"] = FilterKind,
                ["filterSettings"] = filterSettings.DeepClone(),
            }));
        }

        requests.Add(new ObsBatchRequest("SetCurrentProgramScene", new JsonObject { ["sceneName"] = SceneName }));
        var results = await obs.RequestBatchAsync(requests, haltOnFailure: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var result in results)
        {
            result.EnsureSuccess();
        }

        if (results.Count != requests.Count)
        {
            throw new InvalidOperationException($"The set-up batch stopped after {results.Count} of {requests.Count} requests.");
        }

        await WaitUntilPlayingAsync(obs, TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts recording and waits for RecordStateChanged STARTED (needs the Outputs event subscription).</summary>
    /// <param name="obs">The client.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The <see cref="Stopwatch"/> timestamp when OBS reported the recording started.</returns>
    public static async Task<long> StartRecordingAsync(ObsWebSocketClient obs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obs);
        var started = obs.WaitForEventAsync(
            "RecordStateChanged",
            e => e.GetString("outputState") == "OBS_WEBSOCKET_OUTPUT_STARTED",
            TimeSpan.FromSeconds(20),
            cancellationToken);
        await obs.StartRecordAsync(cancellationToken).ConfigureAwait(false);
        await started.ConfigureAwait(false);
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Stops recording and waits for RecordStateChanged STOPPED (the file is complete then).</summary>
    /// <param name="obs">The client.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The recording's path.</returns>
    public static async Task<string> StopRecordingAsync(ObsWebSocketClient obs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obs);
        var stopped = obs.WaitForEventAsync(
            "RecordStateChanged",
            e => e.GetString("outputState") == "OBS_WEBSOCKET_OUTPUT_STOPPED",
            TimeSpan.FromSeconds(30),
            cancellationToken);
        var path = await obs.StopRecordAsync(cancellationToken).ConfigureAwait(false);
        await stopped.ConfigureAwait(false);
        return path;
    }

    /// <summary>Records for a while.</summary>
    /// <param name="obs">The client.</param>
    /// <param name="duration">How long.</param>
    /// <param name="cancellationToken">Cancels recording (the recording is left running).</param>
    /// <returns>The recording's path.</returns>
    public static async Task<string> RecordAsync(ObsWebSocketClient obs, TimeSpan duration, CancellationToken cancellationToken = default) =>
        (await RecordTimedAsync(obs, duration, cancellationToken).ConfigureAwait(false)).Path;

    /// <summary>
    /// Records for a while and says how long the recording can have run, measured on this
    /// machine's clock: a loaded machine answers StartRecord and StopRecord later, so a frame
    /// count compared with these bounds does not depend on the machine's speed.
    /// </summary>
    /// <param name="obs">The client.</param>
    /// <param name="duration">How long to wait between STARTED and StopRecord.</param>
    /// <param name="cancellationToken">Cancels recording (the recording is left running).</param>
    /// <returns>The recording's path and its shortest and longest possible length.</returns>
    public static async Task<TimedRecording> RecordTimedAsync(ObsWebSocketClient obs, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var requested = Stopwatch.GetTimestamp();
        var started = await StartRecordingAsync(obs, cancellationToken).ConfigureAwait(false);
        await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
        var stopping = Stopwatch.GetTimestamp();
        var path = await StopRecordingAsync(obs, cancellationToken).ConfigureAwait(false);
        return new TimedRecording(path, Stopwatch.GetElapsedTime(started, stopping), Stopwatch.GetElapsedTime(requested));
    }

    private static async Task WaitUntilPlayingAsync(ObsWebSocketClient obs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? state = null;
        while (clock.Elapsed < timeout)
        {
            var status = await obs.RequestAsync(
                "GetMediaInputStatus",
                new JsonObject { ["inputName"] = InputName },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            state = status.ResponseData is { } data && data.TryGetProperty("mediaState", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()
                : null;
            if (state == "OBS_MEDIA_STATE_PLAYING")
            {
                return;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"The media input did not start playing within {timeout.TotalSeconds:0} s (last state {state ?? "none"}).");
    }
}
