using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <content>Requests of the Scenes category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>CreateScene: adds an empty scene.</summary>
    /// <param name="sceneName">The new scene's name (status 601 if it exists).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the scene exists.</returns>
    public Task CreateSceneAsync(string sceneName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sceneName);
        return RequestAsync("CreateScene", new JsonObject { ["sceneName"] = sceneName }, cancellationToken: cancellationToken);
    }

    /// <summary>SetCurrentProgramScene: switches the program (output) to a scene.</summary>
    /// <param name="sceneName">The scene's name.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the switch was made.</returns>
    public Task SetCurrentProgramSceneAsync(string sceneName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sceneName);
        return RequestAsync("SetCurrentProgramScene", new JsonObject { ["sceneName"] = sceneName }, cancellationToken: cancellationToken);
    }
}
