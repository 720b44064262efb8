using System.Text.Json.Nodes;
using ObsFaceSwap.Controller.Scenes;

namespace ObsFaceSwap.Controller.Tests;

public sealed class SceneFileParserTests
{
    internal const string Example = """
        sources:
          Camera:
            kind: camera
            device: /dev/video0
            filters:
              - name: Privacy
                kind: faceswap
                settings: { mode: privacy, privacy_intensity: 80 }
          Clip: { kind: media, file: /videos/intro.mp4, loop: true }
          Ingest: { kind: rtmp, url: "rtmp://127.0.0.1/live/in" }
          Logo: { kind: image, file: /img/logo.png }
          Title: { kind: text, text: "Hello", settings: { font: { size: 48 } } }
          Page: { kind: browser, url: "https://example.org", width: 800, height: 600 }
          Red: { kind: color, color: "#FF0000", width: 64, height: 64 }
        scenes:
          - name: Live
            items:
              - { source: Camera, position: [10, 20], scale: 0.5, crop: { left: 4, bottom: 2 }, visible: true }
              - { source: Logo, position: { x: 600, y: 20 }, scale: [0.25, 0.5], rotation: 90 }
              - { source: Clip, visible: false }
          - name: Intro
            items:
              - source: Clip
              - source: Live
          - name: Extras
            items: [ { source: Ingest }, { source: Title }, { source: Page }, { source: Red } ]
        transition: { name: Fade, durationMs: 300 }
        program: Live
        """;

    [Fact]
    public void Parses_sources_scenes_layout_filters_transition_and_program()
    {
        var file = SceneFileParser.Parse(Example, "show.yaml");

        Assert.Equal(["Camera", "Clip", "Ingest", "Logo", "Title", "Page", "Red"], file.Sources.Select(s => s.Name));
        var camera = file.Sources[0];
        Assert.Equal(SourceKind.Camera, camera.Kind);
        Assert.Equal("/dev/video0", camera.Shorthand["device"]!.GetValue<string>());
        var filter = Assert.Single(camera.Filters);
        Assert.Equal(SceneFileParser.FaceSwapFilterKind, filter.Kind);
        Assert.Equal("privacy", filter.Settings["mode"]!.GetValue<string>());
        Assert.Equal(80, filter.Settings["privacy_intensity"]!.GetValue<long>());
        Assert.Equal(3, camera.Line);
        Assert.Equal(["Live", "Intro", "Extras"], file.Scenes.Select(s => s.Name));
        var item = file.Scenes[0].Items[0];
        Assert.Equal((10.0, 20.0, 0.5, 0.5), (item.PositionX!.Value, item.PositionY!.Value, item.ScaleX!.Value, item.ScaleY!.Value));
        Assert.Equal(new CropSpec(4, null, null, 2), item.Crop);
        Assert.True(item.Visible);
        var logo = file.Scenes[0].Items[1];
        Assert.Equal((600.0, 0.25, 0.5, 90.0), (logo.PositionX!.Value, logo.ScaleX!.Value, logo.ScaleY!.Value, logo.Rotation!.Value));
        Assert.Null(logo.Visible);
        Assert.False(file.Scenes[0].Items[2].Visible);
        Assert.Null(file.Scenes[0].Items[2].PositionX);
        Assert.Equal("Live", file.Scenes[1].Items[1].Source);
        Assert.Equal(new TransitionSpec("Fade", 300), file.Transition);
        Assert.Equal("Live", file.ProgramScene);
        // Quoted scalars stay text, plain ones become numbers or booleans.
        Assert.Equal(48, file.Sources[4].Settings["font"]!["size"]!.GetValue<long>());
        Assert.True(file.Sources[1].Shorthand["loop"]!.GetValue<bool>());
    }

    [Fact]
    public void Malformed_yaml_names_the_line()
    {
        const string yaml = "sources:\n  Camera:\n    kind: camera\n  bad: [unclosed\nscenes: []\n";

        var e = Assert.Throws<SceneFileException>(() => SceneFileParser.Parse(yaml, "broken.yaml"));

        Assert.Equal(4, e.Line);
        Assert.StartsWith($"broken.yaml:{e.Line}: malformed YAML", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sources:\n  A: { kind: color }\n  B: kind: color\n", 3, "malformed YAML: While scanning a plain scalar value, found invalid mapping")]
    [InlineData("sources:\n  A:\n    kind: color\n   bad: 1\n", 4, "malformed YAML: While parsing a block mapping, did not find expected key")]
    [InlineData("scenes:\n  - name: A\n\t  items: []\n", 2, "malformed YAML (lines 2-3)")]
    public void Syntax_errors_carry_the_parser_line(string yaml, int line, string problem)
    {
        var e = Assert.Throws<SceneFileException>(() => SceneFileParser.Parse(yaml));

        Assert.Equal(line, e.Line);
        Assert.StartsWith(problem, e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sources:\n  Cam:\n    kind: camera\n    devcie: /dev/video0\n", 4, "unknown field 'devcie'")]
    [InlineData("sources:\n  Cam: { kind: webcam }\n", 2, "unknown kind 'webcam'")]
    [InlineData("sources:\n  Cam: { kind: camera, file: /x }\n", 2, "field 'file' does not apply to a camera source 'Cam'")]
    [InlineData("scenes:\n  - name: A\n    items:\n      - source: Nope\n", 4, "unknown source 'Nope'")]
    [InlineData("scenes:\n  - name: A\n    itmes: []\n", 3, "unknown field 'itmes'")]
    [InlineData("scene:\n  - name: A\n", 1, "unknown field 'scene' in the top level")]
    [InlineData("sources:\n  C: { kind: color }\nscenes:\n  - name: A\n    items:\n      - { source: C, scale: -1 }\n", 6, "scale must be positive")]
    [InlineData("sources:\n  C: { kind: color }\nscenes:\n  - name: A\n    items:\n      - { source: C, crop: { left: 1, middle: 2 } }\n", 6, "unknown field 'middle' in crop")]
    [InlineData("scenes:\n  - name: A\nprogram: B\n", 3, "program scene 'B' is not a scene")]
    [InlineData("transition: { durationMs: 10 }\n", 1, "out of range 50..20000")]
    [InlineData("scenes:\n  - name: A\n  - name: A\n", 3, "scene 'A' is defined twice")]
    [InlineData("sources:\n  A: { kind: color }\nscenes:\n  - name: A\n", 4, "'A' is both a scene and a source")]
    [InlineData("sources:\n  C:\n    kind: color\n    filters:\n      - { kind: faceswap }\n", 5, "a filter of 'C' has no 'name'")]
    [InlineData("", 1, "the file is empty")]
    public void Mistakes_are_errors_naming_the_field_or_kind_and_the_line(string yaml, int line, string problem)
    {
        var e = Assert.Throws<SceneFileException>(() => SceneFileParser.Parse(yaml, "f.yaml"));

        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public void Settings_follow_the_obs_kind()
    {
        var file = SceneFileParser.Parse(Example);

        var camera = InputKinds.Settings(file.Sources[0], "v4l2_input");
        var dshow = InputKinds.Settings(file.Sources[0], "dshow_input");
        var media = InputKinds.Settings(file.Sources[1], "ffmpeg_source");
        var rtmp = InputKinds.Settings(file.Sources[2], "ffmpeg_source");
        var color = InputKinds.Settings(file.Sources[6], "color_source_v3");

        Assert.Equal("/dev/video0", camera["device_id"]!.GetValue<string>());
        Assert.Equal("/dev/video0", dshow["video_device_id"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"is_local_file":true,"local_file":"/videos/intro.mp4","looping":true}"""), media));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"is_local_file":false,"input":"rtmp://127.0.0.1/live/in"}"""), rtmp));
        // #RRGGBB becomes OBS's ABGR integer.
        Assert.Equal(0xFF0000FFL, color["color"]!.GetValue<long>());
    }

    [Fact]
    public void Kinds_resolve_to_what_this_obs_has()
    {
        Assert.Equal("v4l2_input", InputKinds.Resolve(SourceKind.Camera, ["ffmpeg_source", "v4l2_input"], "Cam"));
        Assert.Equal("dshow_input", InputKinds.Resolve(SourceKind.Camera, ["dshow_input"], "Cam"));
        Assert.Equal("text_gdiplus_v2", InputKinds.Resolve(SourceKind.Text, ["text_gdiplus_v2"], "T"));
        Assert.Equal("text_ft2_source_v2", InputKinds.Resolve(SourceKind.Text, ["text_ft2_source_v2"], "T"));
        var e = Assert.Throws<SceneConflictException>(() => InputKinds.Resolve(SourceKind.Browser, ["ffmpeg_source"], "Page"));
        Assert.Contains("browser_source", e.Message, StringComparison.Ordinal);
        Assert.Contains("Page", e.Message, StringComparison.Ordinal);
    }
}
