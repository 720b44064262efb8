using System.Globalization;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Controller.Scenes;

/// <summary>One change a scene file needs; <see cref="ToString"/> is the line <c>scenes apply --dry-run</c> prints.</summary>
public abstract record SceneChange
{
    /// <summary>Carries the change out.</summary>
    /// <param name="obs">Where to send the requests.</param>
    /// <param name="created">Scene item ids of items created earlier in the same apply, by (scene, source, occurrence).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when OBS has made the change.</returns>
    internal abstract Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken);

    internal static string Keys(JsonObject settings) => string.Join(", ", settings.Select(p => $"{p.Key}={Show(p.Value)}"));

    internal static string Show(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString("0.###", CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };
}

/// <summary>CreateScene.</summary>
/// <param name="Scene">The new scene.</param>
public sealed record CreateSceneChange(string Scene) : SceneChange
{
    internal override Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken) =>
        obs.RequestAsync("CreateScene", new JsonObject { ["sceneName"] = Scene }, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"create scene '{Scene}'";
}

/// <summary>Adds a source to a scene: CreateInput (a new input) or CreateSceneItem (an existing source), then its layout.</summary>
/// <param name="Scene">The scene.</param>
/// <param name="Source">The source.</param>
/// <param name="Occurrence">Which occurrence of the source in the scene (0 for the first).</param>
/// <param name="NewInputKind">The OBS kind of a new input; null when the source exists (or is a scene).</param>
/// <param name="Settings">The new input's settings.</param>
/// <param name="Visible">The item's visibility.</param>
/// <param name="Transform">The item's layout (may be empty).</param>
public sealed record AddItemChange(string Scene, string Source, int Occurrence, string? NewInputKind, JsonObject? Settings, bool Visible, JsonObject Transform) : SceneChange
{
    internal override async Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken)
    {
        var answer = NewInputKind is not null
            ? await obs.RequestAsync("CreateInput", new JsonObject
            {
                ["sceneName"] = Scene,
                ["inputName"] = Source,
                ["inputKind"] = NewInputKind,
                ["inputSettings"] = Settings?.DeepClone() ?? new JsonObject(),
                ["sceneItemEnabled"] = Visible,
            }, cancellationToken).ConfigureAwait(false)
            : await obs.RequestAsync("CreateSceneItem", new JsonObject
            {
                ["sceneName"] = Scene,
                ["sourceName"] = Source,
                ["sceneItemEnabled"] = Visible,
            }, cancellationToken).ConfigureAwait(false);
        var id = answer.Int("sceneItemId");
        created[(Scene, Source, Occurrence)] = id;
        if (Transform.Count > 0)
        {
            await obs.RequestAsync("SetSceneItemTransform", new JsonObject
            {
                ["sceneName"] = Scene,
                ["sceneItemId"] = id,
                ["sceneItemTransform"] = Transform.DeepClone(),
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        (NewInputKind is not null ? $"create input '{Source}' ({NewInputKind}) in scene '{Scene}'" : $"add '{Source}' to scene '{Scene}'")
        + (Settings is { Count: > 0 } ? $" settings {Keys(Settings)}" : "")
        + (Transform.Count > 0 ? $" layout {Keys(Transform)}" : "")
        + (Visible ? "" : " hidden");
}

/// <summary>SetInputSettings (overlay) with the keys that differ.</summary>
/// <param name="Input">The input.</param>
/// <param name="Settings">The keys to set.</param>
public sealed record SetInputSettingsChange(string Input, JsonObject Settings) : SceneChange
{
    internal override Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken) =>
        obs.RequestAsync("SetInputSettings", new JsonObject
        {
            ["inputName"] = Input,
            ["inputSettings"] = Settings.DeepClone(),
            ["overlay"] = true,
        }, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"set input '{Input}' settings {Keys(Settings)}";
}

/// <summary>SetSceneItemTransform with the fields that differ.</summary>
/// <param name="Scene">The scene.</param>
/// <param name="Source">The item's source (for the message).</param>
/// <param name="ItemId">The item.</param>
/// <param name="Transform">The fields to set.</param>
public sealed record SetTransformChange(string Scene, string Source, long ItemId, JsonObject Transform) : SceneChange
{
    internal override Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken) =>
        obs.RequestAsync("SetSceneItemTransform", new JsonObject
        {
            ["sceneName"] = Scene,
            ["sceneItemId"] = ItemId,
            ["sceneItemTransform"] = Transform.DeepClone(),
        }, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"set layout of '{Source}' in scene '{Scene}': {Keys(Transform)}";
}

/// <summary>SetSceneItemEnabled.</summary>
/// <param name="Scene">The scene.</param>
/// <param name="Source">The item's source.</param>
/// <param name="ItemId">The item.</param>
/// <param name="Visible">Shown or hidden.</param>
public sealed record SetVisibleChange(string Scene, string Source, long ItemId, bool Visible) : SceneChange
{
    internal override Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken) =>
        obs.RequestAsync("SetSceneItemEnabled", new JsonObject
        {
            ["sceneName"] = Scene,
            ["sceneItemId"] = ItemId,
            ["sceneItemEnabled"] = Visible,
        }, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"{(Visible ? "show" : "hide")} '{Source}' in scene '{Scene}'";
}

/// <summary>CreateSourceFilter.</summary>
/// <param name="Source">The source.</param>
/// <param name="Filter">The filter name.</param>
/// <param name="Kind">The filter kind.</param>
/// <param name="Settings">Its settings.</param>
/// <param name="Enabled">Whether it starts on.</param>
public sealed record CreateFilterChange(string Source, string Filter, string Kind, JsonObject Settings, bool Enabled) : SceneChange
{
    internal override async Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken)
    {
        await obs.RequestAsync("CreateSourceFilter", new JsonObject
        {
            ["sourceName"] = Source,
            ["filterName"] = Filter,
            ["filterKind"] = Kind,
            ["filterSettings"] = Settings.DeepClone(),
        }, cancellationToken).ConfigureAwait(false);
        if (!Enabled)
        {
            await new SetFilterEnabledChange(Source, Filter, false).ApplyAsync(obs, created, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"create filter '{Filter}' ({Kind}) on '{Source}'" + (Settings.Count > 0 ? $" settings {Keys(Settings)}" : "") + (Enabled ? "" : " disabled");
}

/// <summary>SetSourceFilterSettings (overlay) with the keys that differ.</summary>
/// <param name="Source">The source.</param>
/// <param name="Filter">The filter.</param>
/// <param name="Settings">The keys to set.</param>
public sealed record SetFilterSettingsChange(string Source, string Filter, JsonObject Settings) : SceneChange
{
    internal override Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken) =>
        obs.RequestAsync("SetSourceFilterSettings", new JsonObject
        {
            ["sourceName"] = Source,
            ["filterName"] = Filter,
            ["filterSettings"] = Settings.DeepClone(),
            ["overlay"] = true,
        }, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"set filter '{Filter}' on '{Source}' settings {Keys(Settings)}";
}

/// <summary>SetSourceFilterEnabled.</summary>
/// <param name="Source">The source.</param>
/// <param name="Filter">The filter.</param>
/// <param name="Enabled">On or off.</param>
public sealed record SetFilterEnabledChange(string Source, string Filter, bool Enabled) : SceneChange
{
    internal override Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken) =>
        obs.RequestAsync("SetSourceFilterEnabled", new JsonObject
        {
            ["sourceName"] = Source,
            ["filterName"] = Filter,
            ["filterEnabled"] = Enabled,
        }, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"{(Enabled ? "enable" : "disable")} filter '{Filter}' on '{Source}'";
}

/// <summary>SetCurrentSceneTransition and/or SetCurrentSceneTransitionDuration.</summary>
/// <param name="Name">The transition to make current; null keeps it.</param>
/// <param name="DurationMs">The duration to set; null keeps it.</param>
public sealed record SetTransitionChange(string? Name, int? DurationMs) : SceneChange
{
    internal override async Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken)
    {
        if (Name is not null)
        {
            await obs.RequestAsync("SetCurrentSceneTransition", new JsonObject { ["transitionName"] = Name }, cancellationToken).ConfigureAwait(false);
        }

        if (DurationMs is { } ms)
        {
            await obs.RequestAsync("SetCurrentSceneTransitionDuration", new JsonObject { ["transitionDuration"] = ms }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        "set transition" + (Name is not null ? $" '{Name}'" : "") + (DurationMs is { } ms ? $" duration {ms} ms" : "");
}

/// <summary>SetCurrentProgramScene.</summary>
/// <param name="Scene">The scene.</param>
public sealed record SetProgramSceneChange(string Scene) : SceneChange
{
    internal override Task ApplyAsync(IObsRequester obs, Dictionary<(string, string, int), long> created, CancellationToken cancellationToken) =>
        obs.RequestAsync("SetCurrentProgramScene", new JsonObject { ["sceneName"] = Scene }, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"switch program to scene '{Scene}'";
}
