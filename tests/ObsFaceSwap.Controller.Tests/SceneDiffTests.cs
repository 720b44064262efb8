using System.Text.Json.Nodes;
using ObsFaceSwap.Controller.Scenes;

namespace ObsFaceSwap.Controller.Tests;

public sealed class SceneDiffTests
{
    private static readonly string[] Kinds = ["v4l2_input", "ffmpeg_source", "image_source", "text_ft2_source_v2", "color_source_v3", "browser_source"];

    private static readonly SceneFile File = SceneFileParser.Parse(SceneFileParserTests.Example);

    /// <summary>The state OBS has after applying <paramref name="file"/> (plus what OBS adds: other keys, other transform fields).</summary>
    private static ObsSceneState Matching(SceneFile file)
    {
        var inputs = new Dictionary<string, ObsInputState>();
        foreach (var s in file.Sources)
        {
            var kind = InputKinds.Resolve(s.Kind, Kinds, s.Name);
            var settings = InputKinds.Settings(s, kind);
            settings["added_by_obs"] = 1;
            inputs[s.Name] = new ObsInputState(kind, settings);
        }

        var id = 1;
        var items = file.Scenes.ToDictionary(
            sc => sc.Name,
            sc => (IReadOnlyList<ObsItemState>)sc.Items.Select(i =>
            {
                var t = SceneDiff.Transform(i);
                t["alignment"] = 5;
                t["positionX"] ??= 0.0;
                // OBS keeps transforms as floats.
                if (t["scaleX"] is JsonValue sx)
                {
                    t["scaleX"] = (double)(float)sx.GetValue<double>();
                }

                return new ObsItemState(id++, i.Source, i.Visible ?? true, t);
            }).ToList());
        var filters = file.Sources.Where(s => s.Filters.Count > 0).ToDictionary(
            s => s.Name,
            s => (IReadOnlyList<ObsFilterState>)s.Filters.Select(f => new ObsFilterState(f.Name, f.Kind, f.Enabled ?? true, (JsonObject)f.Settings.DeepClone())).ToList());
        return new ObsSceneState
        {
            Scenes = file.Scenes.Select(s => s.Name).Append("Scene").ToHashSet(),
            Inputs = inputs,
            Items = items,
            Filters = filters,
            InputKinds = Kinds,
            Transitions = ["Cut", "Fade"],
            CurrentTransition = file.Transition?.Name,
            TransitionDurationMs = file.Transition?.DurationMs,
            ProgramScene = file.ProgramScene,
        };
    }

    [Fact]
    public void Empty_obs_gets_every_scene_input_item_filter_transition_and_the_program()
    {
        var state = new ObsSceneState { Scenes = new HashSet<string> { "Scene" }, InputKinds = Kinds, Transitions = ["Cut", "Fade"], CurrentTransition = "Cut", TransitionDurationMs = 300, ProgramScene = "Scene" };

        var changes = SceneDiff.Compute(File, state);

        Assert.Equal(["create scene 'Live'", "create scene 'Intro'", "create scene 'Extras'"], changes.OfType<CreateSceneChange>().Select(c => c.ToString()));
        var adds = changes.OfType<AddItemChange>().ToList();
        // Clip is shown in both scenes: created once, then added as an item of the existing input.
        Assert.Equal(
            [
                ("Live", "Camera", "v4l2_input"), ("Live", "Logo", "image_source"), ("Live", "Clip", "ffmpeg_source"), ("Intro", "Clip", null), ("Intro", "Live", null),
                ("Extras", "Ingest", "ffmpeg_source"), ("Extras", "Title", "text_ft2_source_v2"), ("Extras", "Page", "browser_source"), ("Extras", "Red", "color_source_v3"),
            ],
            adds.Select(a => (a.Scene, a.Source, a.NewInputKind)));
        Assert.False(adds[2].Visible);
        Assert.Equal(0.5, adds[0].Transform["scaleY"]!.GetValue<double>());
        Assert.Equal(4, adds[0].Transform["cropLeft"]!.GetValue<double>());
        var filter = Assert.Single(changes.OfType<CreateFilterChange>());
        Assert.Equal(("Camera", "Privacy", SceneFileParser.FaceSwapFilterKind), (filter.Source, filter.Filter, filter.Kind));
        // The duration is already 300; only the name changes.
        Assert.Equal(new SetTransitionChange("Fade", null), Assert.Single(changes.OfType<SetTransitionChange>()));
        Assert.Equal("Live", Assert.Single(changes.OfType<SetProgramSceneChange>()).Scene);
        Assert.IsType<CreateSceneChange>(changes[0]);
        Assert.IsType<SetProgramSceneChange>(changes[^1]);
    }

    [Fact]
    public void Sources_in_no_scene_cannot_be_created()
    {
        var file = SceneFileParser.Parse("sources:\n  Lonely: { kind: color }\nscenes:\n  - name: S\n");

        var e = Assert.Throws<SceneConflictException>(() => SceneDiff.Compute(file, new ObsSceneState { InputKinds = Kinds }));

        Assert.Contains("'Lonely'", e.Message, StringComparison.Ordinal);
        Assert.Contains("in no scene", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_matching_obs_needs_no_change()
    {
        Assert.Empty(SceneDiff.Compute(File, Matching(File)));
    }

    [Fact]
    public void Only_what_differs_is_changed()
    {
        var state = Matching(File);
        var inputs = state.Inputs.ToDictionary();
        var clip = (JsonObject)inputs["Clip"].Settings.DeepClone();
        clip["looping"] = false;
        inputs["Clip"] = inputs["Clip"] with { Settings = clip };
        var live = state.Items["Live"].ToList();
        var camera = (JsonObject)live[0].Transform.DeepClone();
        camera["positionX"] = 11.0;
        live[0] = live[0] with { Transform = camera, Enabled = false };
        var filters = new Dictionary<string, IReadOnlyList<ObsFilterState>>
        {
            ["Camera"] = [new ObsFilterState("Privacy", SceneFileParser.FaceSwapFilterKind, false, JsonNode.Parse("""{"mode":"privacy","privacy_intensity":50}""")!.AsObject())],
        };
        var items = state.Items.ToDictionary();
        items["Live"] = live;
        state = state with { Inputs = inputs, Items = items, Filters = filters, TransitionDurationMs = 500 };

        var changes = SceneDiff.Compute(File, state).Select(c => c.ToString()).ToList();

        Assert.Equal(
            [
                "set layout of 'Camera' in scene 'Live': positionX=10",
                "show 'Camera' in scene 'Live'",
                "set input 'Clip' settings looping=true",
                "set filter 'Privacy' on 'Camera' settings privacy_intensity=80",
                "set transition duration 300 ms",
            ],
            changes);
    }

    [Fact]
    public void Visibility_and_filter_state_are_changed_when_the_file_says_so()
    {
        const string yaml = """
            sources:
              C: { kind: color, filters: [ { name: F, kind: color_filter_v2, enabled: false } ] }
            scenes:
              - name: S
                items: [ { source: C, visible: true } ]
            """;
        var file = SceneFileParser.Parse(yaml);
        var state = Matching(file);
        state = state with
        {
            Items = new Dictionary<string, IReadOnlyList<ObsItemState>> { ["S"] = [state.Items["S"][0] with { Enabled = false }] },
            Filters = new Dictionary<string, IReadOnlyList<ObsFilterState>> { ["C"] = [new ObsFilterState("F", "color_filter_v2", true, [])] },
        };

        var changes = SceneDiff.Compute(file, state);

        Assert.Equal(["show 'C' in scene 'S'", "disable filter 'F' on 'C'"], changes.Select(c => c.ToString()));
    }

    [Fact]
    public void Defaults_count_as_set_values()
    {
        const string yaml = "sources:\n  C: { kind: color, width: 1920 }\nscenes:\n  - name: S\n    items: [ { source: C } ]\n";
        var file = SceneFileParser.Parse(yaml);
        var state = Matching(file);
        // OBS leaves values equal to the default out of GetInputSettings.
        state = state with
        {
            Inputs = new Dictionary<string, ObsInputState> { ["C"] = new("color_source_v3", []) },
            InputDefaults = new Dictionary<string, JsonObject> { ["color_source_v3"] = new() { ["width"] = 1920, ["height"] = 1080 } },
        };

        Assert.Empty(SceneDiff.Compute(file, state));
        Assert.Single(SceneDiff.Compute(file, state with { InputDefaults = new Dictionary<string, JsonObject>() }));
    }

    [Fact]
    public void A_source_of_another_kind_is_a_conflict_naming_both_kinds()
    {
        var state = Matching(File);
        var inputs = state.Inputs.ToDictionary();
        inputs["Logo"] = new ObsInputState("color_source_v3", []);

        var e = Assert.Throws<SceneConflictException>(() => SceneDiff.Compute(File, state with { Inputs = inputs }));

        Assert.Contains("'Logo'", e.Message, StringComparison.Ordinal);
        Assert.Contains("color_source_v3", e.Message, StringComparison.Ordinal);
        Assert.Contains("image", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_transition_is_a_conflict()
    {
        var e = Assert.Throws<SceneConflictException>(() => SceneDiff.Compute(File, Matching(File) with { Transitions = ["Cut"], CurrentTransition = "Cut" }));

        Assert.Contains("'Fade'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_occurrence_of_a_source_is_matched_to_the_second_item()
    {
        const string yaml = "sources:\n  C: { kind: color }\nscenes:\n  - name: S\n    items:\n      - { source: C, position: [0, 0] }\n      - { source: C, position: [100, 0] }\n";
        var file = SceneFileParser.Parse(yaml);
        var state = Matching(file);
        var onlyFirst = state with { Items = new Dictionary<string, IReadOnlyList<ObsItemState>> { ["S"] = [state.Items["S"][0]] } };

        Assert.Empty(SceneDiff.Compute(file, state));
        var add = Assert.IsType<AddItemChange>(Assert.Single(SceneDiff.Compute(file, onlyFirst)));
        Assert.Equal((1, (string?)null, 100.0), (add.Occurrence, add.NewInputKind, add.Transform["positionX"]!.GetValue<double>()));
    }

    [Fact]
    public async Task Apply_creates_the_input_then_sets_its_layout_on_the_new_item()
    {
        const string yaml = "sources:\n  C: { kind: color, color: \"#00FF00\" }\nscenes:\n  - name: S\n    items: [ { source: C, position: [5, 6], visible: false } ]\n";
        var file = SceneFileParser.Parse(yaml);
        var obs = new FakeObs().On("CreateInput", """{"sceneItemId": 42}""");
        var changes = SceneDiff.Compute(file, new ObsSceneState { InputKinds = Kinds });

        await SceneDiff.ApplyAsync(obs, changes);

        Assert.Equal(["CreateScene", "CreateInput", "SetSceneItemTransform"], obs.Types);
        var create = obs.Requests[1].Data!;
        Assert.Equal("color_source_v3", create["inputKind"]!.GetValue<string>());
        Assert.False(create["sceneItemEnabled"]!.GetValue<bool>());
        Assert.Equal(0xFF00FF00L, create["inputSettings"]!["color"]!.GetValue<long>());
        Assert.Equal(42, obs.Requests[2].Data!["sceneItemId"]!.GetValue<long>());
        Assert.Equal(5, obs.Requests[2].Data!["sceneItemTransform"]!["positionX"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("""1""", """1.00001""", true)]
    [InlineData("""1""", """1.01""", false)]
    [InlineData("""{"a":1}""", """{"a":1,"b":2}""", true)]
    [InlineData("""{"a":1,"c":3}""", """{"a":1,"b":2}""", false)]
    [InlineData("""[1,2]""", """[1,2]""", true)]
    [InlineData("""[1,2]""", """[2,1]""", false)]
    [InlineData("\"x\"", "\"x\"", true)]
    [InlineData("\"1\"", "1", false)]
    [InlineData("true", "true", true)]
    [InlineData("true", "1", false)]
    public void Values_compare_as_obs_stores_them(string desired, string current, bool equal)
    {
        Assert.Equal(equal, SceneDiff.ValuesEqual(JsonNode.Parse(desired), JsonNode.Parse(current)));
    }
}
