using System.Text.Json.Nodes;

namespace ObsFaceSwap.Controller.Scenes;

/// <summary>A scene file: the sources (OBS inputs), the scenes with their items, the transition, the program scene.</summary>
/// <param name="Sources">Inputs by name (OBS input names are global, shared by every scene that shows them).</param>
/// <param name="Scenes">Scenes in file order.</param>
/// <param name="Transition">The current scene transition and its duration; null leaves OBS's as it is.</param>
/// <param name="ProgramScene">The scene to put on program; null leaves the current one.</param>
public sealed record SceneFile(
    IReadOnlyList<SourceSpec> Sources,
    IReadOnlyList<SceneSpec> Scenes,
    TransitionSpec? Transition,
    string? ProgramScene);

/// <summary>The kinds of source a scene file names; each maps to an OBS input kind that the connected OBS has.</summary>
public enum SourceKind
{
    /// <summary>A video capture device: <c>v4l2_input</c> (Linux), <c>dshow_input</c> (Windows), <c>av_capture_input</c> (macOS).</summary>
    Camera,

    /// <summary>A local media file: <c>ffmpeg_source</c>.</summary>
    Media,

    /// <summary>A network stream (RTMP, SRT, HLS): <c>ffmpeg_source</c> with a URL.</summary>
    Rtmp,

    /// <summary>An image file: <c>image_source</c>.</summary>
    Image,

    /// <summary>Text: <c>text_ft2_source_v2</c> (Linux, macOS), <c>text_gdiplus_v2</c> (Windows).</summary>
    Text,

    /// <summary>A web page: <c>browser_source</c> (only where OBS has the browser plugin).</summary>
    Browser,

    /// <summary>A solid colour: <c>color_source_v3</c>.</summary>
    Color,
}

/// <summary>One source (OBS input).</summary>
/// <param name="Name">The input name.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Shorthand">Kind-specific fields (file, url, device, text, loop, width, height, color) as written.</param>
/// <param name="Settings">Raw OBS settings, applied over what the shorthand gives.</param>
/// <param name="Filters">Its filters, in order.</param>
/// <param name="Line">The line the source starts at (1-based), for messages.</param>
public sealed record SourceSpec(
    string Name,
    SourceKind Kind,
    IReadOnlyDictionary<string, JsonNode?> Shorthand,
    JsonObject Settings,
    IReadOnlyList<FilterSpec> Filters,
    int Line);

/// <summary>One filter of a source.</summary>
/// <param name="Name">The filter name (unique per source).</param>
/// <param name="Kind">The OBS filter kind, e.g. <c>obs_faceswap_filter</c> (alias <c>faceswap</c>).</param>
/// <param name="Enabled">Whether it is on; null leaves it as it is (new filters are on).</param>
/// <param name="Settings">Its settings (only these keys are compared and set).</param>
public sealed record FilterSpec(string Name, string Kind, bool? Enabled, JsonObject Settings);

/// <summary>One scene.</summary>
/// <param name="Name">The scene name.</param>
/// <param name="Items">Its items, in file order.</param>
/// <param name="Line">The line the scene starts at.</param>
public sealed record SceneSpec(string Name, IReadOnlyList<ItemSpec> Items, int Line);

/// <summary>One scene item: a source placed in a scene. Left-out layout fields are left as OBS has them.</summary>
/// <param name="Source">The source (a file source or a scene of the file).</param>
/// <param name="PositionX">Canvas x of the item's origin.</param>
/// <param name="PositionY">Canvas y.</param>
/// <param name="ScaleX">Horizontal scale.</param>
/// <param name="ScaleY">Vertical scale.</param>
/// <param name="Rotation">Rotation in degrees.</param>
/// <param name="Crop">Crop in source pixels.</param>
/// <param name="Visible">Whether the item is shown.</param>
/// <param name="Line">The line the item starts at.</param>
public sealed record ItemSpec(
    string Source,
    double? PositionX,
    double? PositionY,
    double? ScaleX,
    double? ScaleY,
    double? Rotation,
    CropSpec? Crop,
    bool? Visible,
    int Line);

/// <summary>Crop of a scene item; null sides are left as they are.</summary>
/// <param name="Left">Pixels cut from the left.</param>
/// <param name="Top">Pixels cut from the top.</param>
/// <param name="Right">Pixels cut from the right.</param>
/// <param name="Bottom">Pixels cut from the bottom.</param>
public sealed record CropSpec(int? Left, int? Top, int? Right, int? Bottom);

/// <summary>The current scene transition.</summary>
/// <param name="Name">An existing transition's name (OBS 29's obs-websocket cannot create transitions).</param>
/// <param name="DurationMs">Its duration (50..20000 ms); null leaves it.</param>
public sealed record TransitionSpec(string? Name, int? DurationMs);
