using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Controller.Scenes;

/// <summary>
/// Compares a scene file with OBS's state and lists the changes that make OBS match the file. Pure: no
/// OBS needed. Only what the file says is compared (settings keys, layout fields it gives); what OBS has
/// beyond that (other scenes, sources, keys) is left alone, so applying the result and diffing again
/// gives no change.
/// </summary>
public static class SceneDiff
{
    private const double Tolerance = 1e-4;

    /// <summary>The changes, in the order they must be applied (scenes, items, settings, filters, transition, program).</summary>
    /// <exception cref="SceneConflictException">The file cannot be applied to this OBS (a kind it lacks, a source of another kind, an unknown transition).</exception>
    public static IReadOnlyList<SceneChange> Compute(SceneFile file, ObsSceneState state)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(state);
        var changes = new List<SceneChange>();
        var sources = file.Sources.ToDictionary(s => s.Name, StringComparer.Ordinal);

        foreach (var source in file.Sources)
        {
            if (state.Scenes.Contains(source.Name) && !state.Inputs.ContainsKey(source.Name))
            {
                throw new SceneConflictException($"source '{source.Name}' (line {source.Line}) is a scene in OBS, not an input");
            }

            if (state.Inputs.TryGetValue(source.Name, out var existing) && !InputKinds.Candidates(source.Kind).Contains(existing.Kind))
            {
                throw new SceneConflictException(
                    $"source '{source.Name}' (line {source.Line}) exists in OBS as a {existing.Kind} input; the file makes it a {source.Kind.ToString().ToLowerInvariant()} source. Rename it or remove it in OBS.");
            }
        }

        foreach (var scene in file.Scenes)
        {
            if (state.Inputs.ContainsKey(scene.Name))
            {
                throw new SceneConflictException($"scene '{scene.Name}' (line {scene.Line}) is an input in OBS, not a scene");
            }

            if (!state.Scenes.Contains(scene.Name))
            {
                changes.Add(new CreateSceneChange(scene.Name));
            }
        }

        var createdInputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scene in file.Scenes)
        {
            var existingItems = state.Items.TryGetValue(scene.Name, out var list) ? list : [];
            var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in scene.Items)
            {
                var occurrence = occurrences[item.Source] = occurrences.GetValueOrDefault(item.Source, -1) + 1;
                var match = existingItems.Where(i => i.Source == item.Source).Skip(occurrence).FirstOrDefault();
                var transform = Transform(item);
                if (match is null)
                {
                    string? newKind = null;
                    JsonObject? settings = null;
                    if (sources.TryGetValue(item.Source, out var source) && !state.Inputs.ContainsKey(item.Source) && createdInputs.Add(item.Source))
                    {
                        newKind = InputKinds.Resolve(source.Kind, state.InputKinds, source.Name);
                        settings = InputKinds.Settings(source, newKind);
                    }

                    changes.Add(new AddItemChange(scene.Name, item.Source, occurrence, newKind, settings, item.Visible ?? true, transform));
                    continue;
                }

                var differing = Differing(transform, match.Transform, null);
                if (differing.Count > 0)
                {
                    changes.Add(new SetTransformChange(scene.Name, item.Source, match.Id, differing));
                }

                if (item.Visible is { } visible && visible != match.Enabled)
                {
                    changes.Add(new SetVisibleChange(scene.Name, item.Source, match.Id, visible));
                }
            }
        }

        foreach (var source in file.Sources)
        {
            if (state.Inputs.TryGetValue(source.Name, out var existing))
            {
                var differing = Differing(
                    InputKinds.Settings(source, existing.Kind),
                    existing.Settings,
                    state.InputDefaults.GetValueOrDefault(existing.Kind));
                if (differing.Count > 0)
                {
                    changes.Add(new SetInputSettingsChange(source.Name, differing));
                }
            }
            else if (!createdInputs.Contains(source.Name))
            {
                throw new SceneConflictException($"source '{source.Name}' (line {source.Line}) is not in OBS and in no scene of the file, so it cannot be created");
            }
        }

        foreach (var source in file.Sources.Where(s => s.Filters.Count > 0))
        {
            var existingFilters = state.Filters.TryGetValue(source.Name, out var fl) ? fl : [];
            foreach (var filter in source.Filters)
            {
                var match = existingFilters.FirstOrDefault(f => f.Name == filter.Name);
                if (match is null)
                {
                    changes.Add(new CreateFilterChange(source.Name, filter.Name, filter.Kind, (JsonObject)filter.Settings.DeepClone(), filter.Enabled ?? true));
                    continue;
                }

                if (match.Kind != filter.Kind)
                {
                    throw new SceneConflictException($"filter '{filter.Name}' on '{source.Name}' is a {match.Kind} in OBS; the file says {filter.Kind}");
                }

                var differing = Differing(filter.Settings, match.Settings, state.FilterDefaults.GetValueOrDefault(match.Kind));
                if (differing.Count > 0)
                {
                    changes.Add(new SetFilterSettingsChange(source.Name, filter.Name, differing));
                }

                if (filter.Enabled is { } enabled && enabled != match.Enabled)
                {
                    changes.Add(new SetFilterEnabledChange(source.Name, filter.Name, enabled));
                }
            }
        }

        if (file.Transition is { } transition)
        {
            if (transition.Name is { } name && !state.Transitions.Contains(name))
            {
                throw new SceneConflictException(
                    $"transition '{name}' does not exist in OBS (it has: {string.Join(", ", state.Transitions)}); obs-websocket cannot create transitions");
            }

            var setName = transition.Name is { } n && n != state.CurrentTransition ? n : null;
            // OBS 29 has one duration for every transition: set it only when it differs.
            var setDuration = transition.DurationMs is { } ms && ms != state.TransitionDurationMs ? ms : (int?)null;
            if (setName is not null || setDuration is not null)
            {
                changes.Add(new SetTransitionChange(setName, setDuration));
            }
        }

        if (file.ProgramScene is { } program && program != state.ProgramScene)
        {
            changes.Add(new SetProgramSceneChange(program));
        }

        return changes;
    }

    /// <summary>Applies <paramref name="changes"/> in order.</summary>
    public static async Task ApplyAsync(IObsRequester obs, IReadOnlyList<SceneChange> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obs);
        ArgumentNullException.ThrowIfNull(changes);
        var created = new Dictionary<(string, string, int), long>();
        foreach (var change in changes)
        {
            await change.ApplyAsync(obs, created, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Any JSON number as a double (a JsonValue made from a long does not convert by TryGetValue).</summary>
    private static double Number(JsonValue value) =>
        double.Parse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The item's layout as SetSceneItemTransform fields (only those the file gives).</summary>
    internal static JsonObject Transform(ItemSpec item)
    {
        var t = new JsonObject();
        void Set(string key, double? value)
        {
            if (value is { } v)
            {
                t[key] = v;
            }
        }

        Set("positionX", item.PositionX);
        Set("positionY", item.PositionY);
        Set("scaleX", item.ScaleX);
        Set("scaleY", item.ScaleY);
        Set("rotation", item.Rotation);
        if (item.Crop is { } crop)
        {
            Set("cropLeft", crop.Left);
            Set("cropTop", crop.Top);
            Set("cropRight", crop.Right);
            Set("cropBottom", crop.Bottom);
        }

        return t;
    }

    /// <summary>The keys of <paramref name="desired"/> whose value differs from <paramref name="current"/> (or, when absent there, from <paramref name="defaults"/>).</summary>
    internal static JsonObject Differing(JsonObject desired, JsonObject current, JsonObject? defaults)
    {
        var result = new JsonObject();
        foreach (var (key, value) in desired)
        {
            var have = current.TryGetPropertyValue(key, out var c) ? c
                : defaults is not null && defaults.TryGetPropertyValue(key, out var d) ? d
                : null;
            var known = current.ContainsKey(key) || (defaults?.ContainsKey(key) ?? false);
            if (!known || !ValuesEqual(value, have))
            {
                result[key] = value?.DeepClone();
            }
        }

        return result;
    }

    /// <summary>JSON equality as OBS stores values: numbers within a relative 1e-4 (transforms are floats), objects by the desired keys.</summary>
    internal static bool ValuesEqual(JsonNode? desired, JsonNode? current)
    {
        switch (desired, current)
        {
            case (null, null):
                return true;
            case (null, _) or (_, null):
                return false;
            case (JsonObject d, JsonObject c):
                return d.All(p => c.TryGetPropertyValue(p.Key, out var cv) && ValuesEqual(p.Value, cv));
            case (JsonArray d, JsonArray c):
                return d.Count == c.Count && d.Zip(c).All(p => ValuesEqual(p.First, p.Second));
            case (JsonValue d, JsonValue c):
                var kind = d.GetValueKind();
                if (kind != c.GetValueKind())
                {
                    return false;
                }

                if (kind == JsonValueKind.Number)
                {
                    var dn = Number(d);
                    var cn = Number(c);
                    return Math.Abs(dn - cn) <= Tolerance * Math.Max(1, Math.Abs(dn));
                }

                return kind is JsonValueKind.True or JsonValueKind.False
                    || (kind == JsonValueKind.String && string.Equals(d.GetValue<string>(), c.GetValue<string>(), StringComparison.Ordinal));
            default:
                return false;
        }
    }
}
