using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>GetInputSettings's answer.</summary>
/// <param name="InputSettings">The input's settings (values that differ from defaults).</param>
/// <param name="InputKind">The input's kind.</param>
public sealed record ObsInputSettings(JsonElement InputSettings, string InputKind);

/// <summary>One entry of GetInputList.</summary>
/// <param name="InputName">The input's name.</param>
/// <param name="InputKind">Its kind, e.g. <c>ffmpeg_source</c>.</param>
/// <param name="UnversionedInputKind">Its kind without the version suffix, e.g. <c>color_source</c>.</param>
public sealed record ObsInput(string InputName, string InputKind, string UnversionedInputKind);

/// <summary>GetInputList's answer.</summary>
/// <param name="Inputs">The inputs.</param>
internal sealed record ObsInputList(IReadOnlyList<ObsInput> Inputs);

/// <content>Requests of the Inputs category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>CreateInput: creates an input and adds it to a scene as a scene item.</summary>
    /// <param name="sceneName">The scene to add it to.</param>
    /// <param name="inputName">The new input's name.</param>
    /// <param name="inputKind">The input kind, e.g. <c>ffmpeg_source</c> or <c>color_source_v3</c>.</param>
    /// <param name="inputSettings">The input's settings (copied), or null for the kind's defaults.</param>
    /// <param name="sceneItemEnabled">Whether the new scene item is visible.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The id of the new scene item.</returns>
    public async Task<long> CreateInputAsync(
        string sceneName,
        string inputName,
        string inputKind,
        JsonObject? inputSettings = null,
        bool sceneItemEnabled = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sceneName);
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        ArgumentException.ThrowIfNullOrEmpty(inputKind);
        var data = new JsonObject
        {
            ["sceneName"] = sceneName,
            ["inputName"] = inputName,
            ["inputKind"] = inputKind,
            ["sceneItemEnabled"] = sceneItemEnabled,
        };
        if (inputSettings is not null)
        {
            data["inputSettings"] = inputSettings.DeepClone();
        }

        return (await RequestAsync("CreateInput", data, cancellationToken: cancellationToken).ConfigureAwait(false))
            .ReadInt64("sceneItemId");
    }

    /// <summary>RemoveInput: removes an input and every scene item of it.</summary>
    /// <param name="inputName">The input.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the input is gone.</returns>
    public Task RemoveInputAsync(string inputName, CancellationToken cancellationToken = default) =>
        RequestAsync("RemoveInput", InputData(inputName), cancellationToken: cancellationToken);

    /// <summary>GetInputSettings: an input's settings and kind.</summary>
    /// <param name="inputName">The input.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The settings.</returns>
    public Task<ObsInputSettings> GetInputSettingsAsync(string inputName, CancellationToken cancellationToken = default) =>
        RequestAsync("GetInputSettings", InputData(inputName), ObsJsonContext.Default.ObsInputSettings, cancellationToken);

    /// <summary>SetInputSettings: changes an input's settings.</summary>
    /// <param name="inputName">The input.</param>
    /// <param name="inputSettings">The settings to apply (copied).</param>
    /// <param name="overlay">True (the protocol's default) merges them into the current settings;
    /// false replaces the settings, resetting every other key to its default.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the settings are applied.</returns>
    public Task SetInputSettingsAsync(
        string inputName,
        JsonObject inputSettings,
        bool overlay = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputSettings);
        var data = InputData(inputName);
        data["inputSettings"] = inputSettings.DeepClone();
        data["overlay"] = overlay;
        return RequestAsync("SetInputSettings", data, cancellationToken: cancellationToken);
    }

    /// <summary>GetInputList: every input, or those of one kind.</summary>
    /// <param name="inputKind">Only this kind (e.g. <c>ffmpeg_source</c>), or null for all.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The inputs.</returns>
    public async Task<IReadOnlyList<ObsInput>> GetInputListAsync(string? inputKind = null, CancellationToken cancellationToken = default)
    {
        var data = inputKind is null ? null : new JsonObject { ["inputKind"] = inputKind };
        return (await RequestAsync("GetInputList", data, ObsJsonContext.Default.ObsInputList, cancellationToken).ConfigureAwait(false)).Inputs;
    }

    /// <summary>SetInputAudioSyncOffset: delays (or advances) an input's audio, -950 ms to 20 000 ms.</summary>
    /// <param name="inputName">The input.</param>
    /// <param name="inputAudioSyncOffset">The offset; sent as whole milliseconds.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when it is set.</returns>
    public Task SetInputAudioSyncOffsetAsync(string inputName, TimeSpan inputAudioSyncOffset, CancellationToken cancellationToken = default)
    {
        var data = InputData(inputName);
        data["inputAudioSyncOffset"] = (long)inputAudioSyncOffset.TotalMilliseconds;
        return RequestAsync("SetInputAudioSyncOffset", data, cancellationToken: cancellationToken);
    }

    private static JsonObject InputData(string inputName)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        return new JsonObject { ["inputName"] = inputName };
    }
}
