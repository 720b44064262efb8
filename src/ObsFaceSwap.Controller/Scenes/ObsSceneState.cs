using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Controller.Scenes;

/// <summary>What OBS has now, as far as a scene file concerns it: read by <see cref="ObsSceneStateReader"/>, compared by <see cref="SceneDiff"/>.</summary>
public sealed record ObsSceneState
{
    /// <summary>Scene names.</summary>
    public IReadOnlySet<string> Scenes { get; init; } = new HashSet<string>();

    /// <summary>Inputs by name.</summary>
    public IReadOnlyDictionary<string, ObsInputState> Inputs { get; init; } = new Dictionary<string, ObsInputState>();

    /// <summary>Items of the scenes the file names (bottom first), by scene.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ObsItemState>> Items { get; init; } = new Dictionary<string, IReadOnlyList<ObsItemState>>();

    /// <summary>Filters of the sources the file names, by source.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ObsFilterState>> Filters { get; init; } = new Dictionary<string, IReadOnlyList<ObsFilterState>>();

    /// <summary>Default settings per OBS input kind (GetInputDefaultSettings): OBS leaves defaults out of GetInputSettings.</summary>
    public IReadOnlyDictionary<string, JsonObject> InputDefaults { get; init; } = new Dictionary<string, JsonObject>();

    /// <summary>Default settings per filter kind (GetSourceFilterDefaultSettings).</summary>
    public IReadOnlyDictionary<string, JsonObject> FilterDefaults { get; init; } = new Dictionary<string, JsonObject>();

    /// <summary>The input kinds this OBS has (GetInputKindList).</summary>
    public IReadOnlyCollection<string> InputKinds { get; init; } = [];

    /// <summary>The transitions OBS has.</summary>
    public IReadOnlyCollection<string> Transitions { get; init; } = [];

    /// <summary>The current transition.</summary>
    public string? CurrentTransition { get; init; }

    /// <summary>The current transition's duration in ms; null for a fixed transition.</summary>
    public int? TransitionDurationMs { get; init; }

    /// <summary>The program scene.</summary>
    public string? ProgramScene { get; init; }
}

/// <summary>One input.</summary>
/// <param name="Kind">Its (versioned) kind.</param>
/// <param name="Settings">Its non-default settings.</param>
public sealed record ObsInputState(string Kind, JsonObject Settings);

/// <summary>One scene item.</summary>
/// <param name="Id">sceneItemId.</param>
/// <param name="Source">The source it shows.</param>
/// <param name="Enabled">Whether it is visible.</param>
/// <param name="Transform">Its transform (positionX, scaleX, cropLeft, rotation ...).</param>
public sealed record ObsItemState(long Id, string Source, bool Enabled, JsonObject Transform);

/// <summary>One filter.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Enabled">Whether it is on.</param>
/// <param name="Settings">Its non-default settings.</param>
public sealed record ObsFilterState(string Name, string Kind, bool Enabled, JsonObject Settings);

/// <summary>Reads the <see cref="ObsSceneState"/> a scene file is compared with.</summary>
public static class ObsSceneStateReader
{
    /// <summary>Reads every scene, input, item, filter and default the file names.</summary>
    public static async Task<ObsSceneState> ReadAsync(IObsRequester obs, SceneFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obs);
        ArgumentNullException.ThrowIfNull(file);
        var version = await obs.RequestAsync("GetVersion", null, cancellationToken).ConfigureAwait(false);
        var requests = version.Arr("availableRequests").Select(r => r.GetString() ?? "").ToHashSet(StringComparer.Ordinal);
        var sceneList = await obs.RequestAsync("GetSceneList", null, cancellationToken).ConfigureAwait(false);
        var scenes = sceneList.Arr("scenes").Select(s => s.Str("sceneName")).ToHashSet(StringComparer.Ordinal);
        var kinds = (await obs.RequestAsync("GetInputKindList", new JsonObject { ["unversioned"] = false }, cancellationToken).ConfigureAwait(false))
            .Arr("inputKinds").Select(k => k.GetString() ?? "").ToHashSet(StringComparer.Ordinal);
        var inputList = await obs.RequestAsync("GetInputList", null, cancellationToken).ConfigureAwait(false);
        var existingInputs = inputList.Arr("inputs").ToDictionary(i => i.Str("inputName"), i => i.Str("inputKind"), StringComparer.Ordinal);

        var inputs = new Dictionary<string, ObsInputState>(StringComparer.Ordinal);
        var filters = new Dictionary<string, IReadOnlyList<ObsFilterState>>(StringComparer.Ordinal);
        foreach (var source in file.Sources)
        {
            if (existingInputs.TryGetValue(source.Name, out var kind))
            {
                var settings = await obs.RequestAsync("GetInputSettings", new JsonObject { ["inputName"] = source.Name }, cancellationToken).ConfigureAwait(false);
                inputs[source.Name] = new ObsInputState(kind, ToObject(settings.Obj("inputSettings")));
            }

            if (source.Filters.Count > 0 && (existingInputs.ContainsKey(source.Name) || scenes.Contains(source.Name)))
            {
                filters[source.Name] = await ReadFiltersAsync(obs, source.Name, cancellationToken).ConfigureAwait(false);
            }
        }

        var items = new Dictionary<string, IReadOnlyList<ObsItemState>>(StringComparer.Ordinal);
        foreach (var scene in file.Scenes.Where(s => scenes.Contains(s.Name)))
        {
            var list = await obs.RequestAsync("GetSceneItemList", new JsonObject { ["sceneName"] = scene.Name }, cancellationToken).ConfigureAwait(false);
            items[scene.Name] = list.Arr("sceneItems")
                .OrderBy(i => i.Int("sceneItemIndex"))
                .Select(i => new ObsItemState(i.Int("sceneItemId"), i.Str("sourceName"), i.Bool("sceneItemEnabled", true), ToObject(i.Obj("sceneItemTransform"))))
                .ToList();
        }

        var inputDefaults = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (requests.Contains("GetInputDefaultSettings"))
        {
            foreach (var kind in file.Sources.Select(s => inputs.TryGetValue(s.Name, out var i) ? i.Kind : null).OfType<string>().Distinct())
            {
                var d = await obs.RequestAsync("GetInputDefaultSettings", new JsonObject { ["inputKind"] = kind }, cancellationToken).ConfigureAwait(false);
                inputDefaults[kind] = ToObject(d.Obj("defaultInputSettings"));
            }
        }

        var filterDefaults = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (requests.Contains("GetSourceFilterDefaultSettings"))
        {
            foreach (var kind in filters.Values.SelectMany(f => f).Select(f => f.Kind).Distinct())
            {
                var d = await obs.RequestAsync("GetSourceFilterDefaultSettings", new JsonObject { ["filterKind"] = kind }, cancellationToken).ConfigureAwait(false);
                filterDefaults[kind] = ToObject(d.Obj("defaultFilterSettings"));
            }
        }

        var transitions = await obs.RequestAsync("GetSceneTransitionList", null, cancellationToken).ConfigureAwait(false);
        int? duration = null;
        try
        {
            var current = await obs.RequestAsync("GetCurrentSceneTransition", null, cancellationToken).ConfigureAwait(false);
            duration = current.TryGetProperty("transitionDuration", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null;
        }
        catch (Obs.ObsRequestException)
        {
            // No current transition.
        }

        return new ObsSceneState
        {
            Scenes = scenes,
            Inputs = inputs,
            Items = items,
            Filters = filters,
            InputDefaults = inputDefaults,
            FilterDefaults = filterDefaults,
            InputKinds = kinds,
            Transitions = transitions.Arr("transitions").Select(t => t.Str("transitionName")).ToList(),
            CurrentTransition = transitions.Str("currentSceneTransitionName") is { Length: > 0 } name ? name : null,
            TransitionDurationMs = duration,
            ProgramScene = sceneList.Str("currentProgramSceneName") is { Length: > 0 } program ? program : null,
        };
    }

    private static async Task<IReadOnlyList<ObsFilterState>> ReadFiltersAsync(IObsRequester obs, string source, CancellationToken cancellationToken)
    {
        var list = await obs.RequestAsync("GetSourceFilterList", new JsonObject { ["sourceName"] = source }, cancellationToken).ConfigureAwait(false);
        return list.Arr("filters")
            .Select(f => new ObsFilterState(f.Str("filterName"), f.Str("filterKind"), f.Bool("filterEnabled", true), ToObject(f.Obj("filterSettings"))))
            .ToList();
    }

    internal static JsonObject ToObject(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? JsonNode.Parse(element.GetRawText())!.AsObject() : [];
}
