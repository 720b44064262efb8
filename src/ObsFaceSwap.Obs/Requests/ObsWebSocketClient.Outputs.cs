using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>One entry of GetOutputList.</summary>
/// <param name="OutputName">The output's name, e.g. <c>simple_file_output</c>.</param>
/// <param name="OutputKind">Its kind, e.g. <c>ffmpeg_muxer</c>.</param>
/// <param name="OutputWidth">Its width.</param>
/// <param name="OutputHeight">Its height.</param>
/// <param name="OutputActive">Whether it is active.</param>
/// <param name="OutputFlags">Its capability flags (<c>OBS_OUTPUT_VIDEO</c>, ...: booleans).</param>
public sealed record ObsOutput(string OutputName, string OutputKind, int OutputWidth, int OutputHeight, bool OutputActive, JsonElement OutputFlags);

/// <summary>GetOutputList's answer.</summary>
/// <param name="Outputs">The outputs.</param>
internal sealed record ObsOutputList(IReadOnlyList<ObsOutput> Outputs);

/// <content>Requests of the Outputs category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>GetVirtualCamStatus: whether the virtual camera runs (status 604 where OBS has no virtual camera).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>Whether the output is active.</returns>
    public async Task<bool> GetVirtualCamStatusAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetVirtualCamStatus", cancellationToken: cancellationToken).ConfigureAwait(false)).ReadBoolean("outputActive");

    /// <summary>ToggleVirtualCam: starts the virtual camera if it is stopped, else stops it.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>Whether the output is now active.</returns>
    public async Task<bool> ToggleVirtualCamAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("ToggleVirtualCam", cancellationToken: cancellationToken).ConfigureAwait(false)).ReadBoolean("outputActive");

    /// <summary>StartVirtualCam: starts the virtual camera (status 500 if it runs already).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request.</returns>
    public Task StartVirtualCamAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("StartVirtualCam", cancellationToken: cancellationToken);

    /// <summary>StopVirtualCam: stops the virtual camera (status 501 if it is not running).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request.</returns>
    public Task StopVirtualCamAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("StopVirtualCam", cancellationToken: cancellationToken);

    /// <summary>GetOutputList: every output OBS has.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The outputs.</returns>
    public async Task<IReadOnlyList<ObsOutput>> GetOutputListAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetOutputList", null, ObsJsonContext.Default.ObsOutputList, cancellationToken).ConfigureAwait(false)).Outputs;

    /// <summary>GetOutputStatus: an output's state and counters.</summary>
    /// <param name="outputName">The output, e.g. <c>simple_file_output</c>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The status.</returns>
    public Task<ObsOutputStatus> GetOutputStatusAsync(string outputName, CancellationToken cancellationToken = default) =>
        RequestAsync("GetOutputStatus", OutputData(outputName), ObsJsonContext.Default.ObsOutputStatus, cancellationToken);

    /// <summary>ToggleOutput: starts an output if it is stopped, else stops it.</summary>
    /// <param name="outputName">The output.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>Whether the output is now active.</returns>
    public async Task<bool> ToggleOutputAsync(string outputName, CancellationToken cancellationToken = default) =>
        (await RequestAsync("ToggleOutput", OutputData(outputName), cancellationToken: cancellationToken).ConfigureAwait(false))
            .ReadBoolean("outputActive");

    /// <summary>StartOutput: starts an output (status 500 if it runs already).</summary>
    /// <param name="outputName">The output.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request.</returns>
    public Task StartOutputAsync(string outputName, CancellationToken cancellationToken = default) =>
        RequestAsync("StartOutput", OutputData(outputName), cancellationToken: cancellationToken);

    /// <summary>StopOutput: stops an output (status 501 if it is not running).</summary>
    /// <param name="outputName">The output.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS accepted the request.</returns>
    public Task StopOutputAsync(string outputName, CancellationToken cancellationToken = default) =>
        RequestAsync("StopOutput", OutputData(outputName), cancellationToken: cancellationToken);

    /// <summary>GetOutputSettings: an output's settings object.</summary>
    /// <param name="outputName">The output.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The settings.</returns>
    public async Task<JsonElement> GetOutputSettingsAsync(string outputName, CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetOutputSettings", OutputData(outputName), cancellationToken: cancellationToken).ConfigureAwait(false))
            .ReadObject("outputSettings");

    /// <summary>SetOutputSettings: merges settings into an output's settings.</summary>
    /// <param name="outputName">The output.</param>
    /// <param name="outputSettings">The settings to apply (copied).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the settings are applied.</returns>
    public Task SetOutputSettingsAsync(string outputName, JsonObject outputSettings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputSettings);
        var data = OutputData(outputName);
        data["outputSettings"] = outputSettings.DeepClone();
        return RequestAsync("SetOutputSettings", data, cancellationToken: cancellationToken);
    }

    private static JsonObject OutputData(string outputName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        return new JsonObject { ["outputName"] = outputName };
    }
}
