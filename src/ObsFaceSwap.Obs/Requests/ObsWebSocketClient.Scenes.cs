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

    /// <summary>RemoveScene: removes a scene (status 600 if there is none of the name).</summary>
    /// <param name="sceneName">The scene.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the scene is gone.</returns>
    public Task RemoveSceneAsync(string sceneName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sceneName);
        return RequestAsync("RemoveScene", new JsonObject { ["sceneName"] = sceneName }, cancellationToken: cancellationToken);
    }

    /// <summary>GetCurrentProgramScene: the scene on program (output).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The scene's name.</returns>
    public async Task<string> GetCurrentProgramSceneAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetCurrentProgramScene", cancellationToken: cancellationToken).ConfigureAwait(false))
            .ReadString("currentProgramSceneName");
}
