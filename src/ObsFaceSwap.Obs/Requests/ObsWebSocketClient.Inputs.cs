using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

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
}
