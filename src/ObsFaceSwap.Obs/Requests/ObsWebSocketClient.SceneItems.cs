using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>A scene item's transform (GetSceneItemTransform, and inside GetSceneItemList).</summary>
/// <param name="PositionX">X position of the item's alignment point, pixels.</param>
/// <param name="PositionY">Y position of the item's alignment point, pixels.</param>
/// <param name="Rotation">Rotation, degrees.</param>
/// <param name="ScaleX">Horizontal scale.</param>
/// <param name="ScaleY">Vertical scale.</param>
/// <param name="Width">Width on the canvas after scaling and cropping.</param>
/// <param name="Height">Height on the canvas after scaling and cropping.</param>
/// <param name="SourceWidth">The source's own width.</param>
/// <param name="SourceHeight">The source's own height.</param>
/// <param name="Alignment">Alignment bits (OBS_ALIGN_*; 5 is top left).</param>
/// <param name="BoundsType">Bounds type, e.g. <c>OBS_BOUNDS_NONE</c>.</param>
/// <param name="BoundsAlignment">Alignment inside the bounds.</param>
/// <param name="BoundsWidth">Bounds width.</param>
/// <param name="BoundsHeight">Bounds height.</param>
/// <param name="CropLeft">Pixels cropped on the left.</param>
/// <param name="CropRight">Pixels cropped on the right.</param>
/// <param name="CropTop">Pixels cropped at the top.</param>
/// <param name="CropBottom">Pixels cropped at the bottom.</param>
public sealed record ObsSceneItemTransform(
    double PositionX,
    double PositionY,
    double Rotation,
    double ScaleX,
    double ScaleY,
    double Width,
    double Height,
    double SourceWidth,
    double SourceHeight,
    int Alignment,
    string BoundsType,
    int BoundsAlignment,
    double BoundsWidth,
    double BoundsHeight,
    int CropLeft,
    int CropRight,
    int CropTop,
    int CropBottom);

/// <summary>One entry of GetSceneItemList.</summary>
/// <param name="SceneItemId">The item's id within its scene.</param>
/// <param name="SceneItemIndex">Its position (0 is the bottom).</param>
/// <param name="SourceName">The source it shows.</param>
/// <param name="SourceType">The source's type, e.g. <c>OBS_SOURCE_TYPE_INPUT</c>.</param>
/// <param name="InputKind">The input's kind when the source is an input, else null.</param>
/// <param name="IsGroup">Whether the source is a group, when it is a scene; else null.</param>
/// <param name="SceneItemEnabled">Whether the item is visible.</param>
/// <param name="SceneItemLocked">Whether the item is locked.</param>
/// <param name="SceneItemTransform">Its transform.</param>
public sealed record ObsSceneItem(
    long SceneItemId,
    int SceneItemIndex,
    string SourceName,
    string? SourceType,
    string? InputKind,
    bool? IsGroup,
    bool SceneItemEnabled,
    bool SceneItemLocked,
    ObsSceneItemTransform? SceneItemTransform);

/// <summary>GetSceneItemList's answer.</summary>
/// <param name="SceneItems">The items, bottom first.</param>
internal sealed record ObsSceneItemList(IReadOnlyList<ObsSceneItem> SceneItems);

/// <summary>GetSceneItemTransform's answer.</summary>
/// <param name="SceneItemTransform">The transform.</param>
internal sealed record ObsSceneItemTransformResponse(ObsSceneItemTransform SceneItemTransform);

/// <content>Requests of the Scene Items category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>GetSceneItemList: the items of a scene.</summary>
    /// <param name="sceneName">The scene.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The items, bottom first.</returns>
    public async Task<IReadOnlyList<ObsSceneItem>> GetSceneItemListAsync(string sceneName, CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetSceneItemList", SceneData(sceneName), ObsJsonContext.Default.ObsSceneItemList, cancellationToken).ConfigureAwait(false))
            .SceneItems;

    /// <summary>CreateSceneItem: adds an existing source to a scene.</summary>
    /// <param name="sceneName">The scene.</param>
    /// <param name="sourceName">The source (an input or another scene).</param>
    /// <param name="sceneItemEnabled">Whether the new item is visible.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The new item's id.</returns>
    public async Task<long> CreateSceneItemAsync(
        string sceneName,
        string sourceName,
        bool sceneItemEnabled = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        var data = SceneData(sceneName);
        data["sourceName"] = sourceName;
        data["sceneItemEnabled"] = sceneItemEnabled;
        return (await RequestAsync("CreateSceneItem", data, cancellationToken: cancellationToken).ConfigureAwait(false)).ReadInt64("sceneItemId");
    }

    /// <summary>GetSceneItemId: finds the item that shows a source in a scene.</summary>
    /// <param name="sceneName">The scene.</param>
    /// <param name="sourceName">The source.</param>
    /// <param name="searchOffset">Which match when there are several (0 the first, -1 the last); null for the server's default (0).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The item's id (status 600 if none).</returns>
    public async Task<long> GetSceneItemIdAsync(
        string sceneName,
        string sourceName,
        int? searchOffset = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        var data = SceneData(sceneName);
        data["sourceName"] = sourceName;
        if (searchOffset is int offset)
        {
            data["searchOffset"] = offset;
        }

        return (await RequestAsync("GetSceneItemId", data, cancellationToken: cancellationToken).ConfigureAwait(false)).ReadInt64("sceneItemId");
    }

    /// <summary>GetSceneItemTransform: an item's position, scale, crop and bounds.</summary>
    /// <param name="sceneName">The scene.</param>
    /// <param name="sceneItemId">The item.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The transform.</returns>
    public async Task<ObsSceneItemTransform> GetSceneItemTransformAsync(
        string sceneName,
        long sceneItemId,
        CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetSceneItemTransform", ItemData(sceneName, sceneItemId), ObsJsonContext.Default.ObsSceneItemTransformResponse, cancellationToken)
            .ConfigureAwait(false)).SceneItemTransform;

    /// <summary>
    /// SetSceneItemTransform: changes some of an item's transform fields (those given; e.g.
    /// <c>positionX</c>, <c>scaleX</c>, <c>cropLeft</c>, <c>boundsType</c>); the rest stay.
    /// </summary>
    /// <param name="sceneName">The scene.</param>
    /// <param name="sceneItemId">The item.</param>
    /// <param name="sceneItemTransform">The fields to change (copied), named as in <see cref="ObsSceneItemTransform"/> in camelCase.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the transform is applied.</returns>
    public Task SetSceneItemTransformAsync(
        string sceneName,
        long sceneItemId,
        JsonObject sceneItemTransform,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sceneItemTransform);
        var data = ItemData(sceneName, sceneItemId);
        data["sceneItemTransform"] = sceneItemTransform.DeepClone();
        return RequestAsync("SetSceneItemTransform", data, cancellationToken: cancellationToken);
    }

    /// <summary>SetSceneItemEnabled: shows or hides an item.</summary>
    /// <param name="sceneName">The scene.</param>
    /// <param name="sceneItemId">The item.</param>
    /// <param name="sceneItemEnabled">Whether it is visible.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when it is set.</returns>
    public Task SetSceneItemEnabledAsync(string sceneName, long sceneItemId, bool sceneItemEnabled, CancellationToken cancellationToken = default)
    {
        var data = ItemData(sceneName, sceneItemId);
        data["sceneItemEnabled"] = sceneItemEnabled;
        return RequestAsync("SetSceneItemEnabled", data, cancellationToken: cancellationToken);
    }

    /// <summary>SetSceneItemIndex: moves an item in the scene's order (0 is the bottom).</summary>
    /// <param name="sceneName">The scene.</param>
    /// <param name="sceneItemId">The item.</param>
    /// <param name="sceneItemIndex">Its new position.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when it is moved.</returns>
    public Task SetSceneItemIndexAsync(string sceneName, long sceneItemId, int sceneItemIndex, CancellationToken cancellationToken = default)
    {
        var data = ItemData(sceneName, sceneItemId);
        data["sceneItemIndex"] = sceneItemIndex;
        return RequestAsync("SetSceneItemIndex", data, cancellationToken: cancellationToken);
    }

    private static JsonObject SceneData(string sceneName)
    {
        ArgumentException.ThrowIfNullOrEmpty(sceneName);
        return new JsonObject { ["sceneName"] = sceneName };
    }

    private static JsonObject ItemData(string sceneName, long sceneItemId)
    {
        var data = SceneData(sceneName);
        data["sceneItemId"] = sceneItemId;
        return data;
    }
}
