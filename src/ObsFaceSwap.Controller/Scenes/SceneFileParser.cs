using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ObsFaceSwap.Controller.Scenes;

/// <summary>
/// Reads a scene file (YAML). Every mapping is checked against the fields it may have, so a typo is an
/// error naming the field and its line; YAML syntax errors carry the parser's line.
/// </summary>
/// <remarks>
/// <code>
/// sources:
///   Camera: { kind: camera, device: /dev/video0, filters: [ { name: Privacy, kind: faceswap, settings: { mode: privacy } } ] }
///   Clip:   { kind: media, file: /videos/intro.mp4, loop: true }
/// scenes:
///   - name: Live
///     items:
///       - { source: Camera, position: [0, 0], scale: 1.0, crop: { left: 0 }, visible: true }
/// transition: { name: Fade, durationMs: 300 }
/// program: Live
/// </code>
/// </remarks>
public static class SceneFileParser
{
    /// <summary>The alias of the obs-faceswap filter kind.</summary>
    public const string FaceSwapFilterKind = "obs_faceswap_filter";

    private static readonly string[] TopFields = ["sources", "scenes", "transition", "program"];
    private static readonly string[] SourceFields = ["kind", "settings", "filters", "file", "url", "device", "text", "loop", "width", "height", "color"];
    private static readonly string[] FilterFields = ["name", "kind", "enabled", "settings"];
    private static readonly string[] SceneFields = ["name", "items"];
    private static readonly string[] ItemFields = ["source", "position", "scale", "rotation", "crop", "visible"];
    private static readonly string[] CropFields = ["left", "top", "right", "bottom"];
    private static readonly string[] TransitionFields = ["name", "durationMs"];

    /// <summary>The shorthand fields each kind accepts.</summary>
    private static readonly Dictionary<SourceKind, string[]> KindFields = new()
    {
        [SourceKind.Camera] = ["device"],
        [SourceKind.Media] = ["file", "loop"],
        [SourceKind.Rtmp] = ["url"],
        [SourceKind.Image] = ["file"],
        [SourceKind.Text] = ["text"],
        [SourceKind.Browser] = ["url", "width", "height"],
        [SourceKind.Color] = ["color", "width", "height"],
    };

    /// <summary>Reads and parses the file at <paramref name="path"/>.</summary>
    /// <exception cref="SceneFileException">The file is malformed or names something unknown.</exception>
    public static SceneFile Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses scene-file text.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="file">The file name for messages.</param>
    /// <exception cref="SceneFileException">The text is malformed or names something unknown.</exception>
    public static SceneFile Parse(string yaml, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            var span = e.End.Line > e.Start.Line ? $" (lines {e.Start.Line}-{e.End.Line})" : "";
            throw new SceneFileException(file, (int)e.Start.Line, $"malformed YAML{span}: {Inner(e).Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet 16 fails this way on some unterminated flow collections (e.g. "[a" at the end of the file).
            var line = LastGoodLine(yaml);
            throw new SceneFileException(file, line, $"malformed YAML after line {line}: an unclosed [ or {{, or a stray character", e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            throw new SceneFileException(file, 1, "the file is empty; expected 'sources' and 'scenes'");
        }

        var parser = new Parser(file);
        return parser.Top(stream.Documents[0].RootNode);
    }

    private static int LastGoodLine(string yaml)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
        long last = 1;
        try
        {
            while (parser.MoveNext())
            {
                last = parser.Current!.End.Line;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or YamlException)
        {
        }

        return (int)last;
    }

    private static YamlException Inner(YamlException e) => e.InnerException is YamlException inner ? inner : e;

    private sealed class Parser(string? file)
    {
        public SceneFile Top(YamlNode root)
        {
            var map = Map(root, "the file");
            Check(map, TopFields, "the top level");
            var sources = new List<SourceSpec>();
            if (Get(map, "sources") is { } sourcesNode)
            {
                foreach (var (key, value) in Map(sourcesNode, "sources").Children)
                {
                    var name = Scalar(key, "source name");
                    if (sources.Any(s => s.Name == name))
                    {
                        throw Error(key, $"source '{name}' is defined twice");
                    }

                    sources.Add(Source(name, value));
                }
            }

            var scenes = new List<SceneSpec>();
            if (Get(map, "scenes") is { } scenesNode)
            {
                foreach (var node in Seq(scenesNode, "scenes").Children)
                {
                    var scene = Scene(node);
                    if (scenes.Any(s => s.Name == scene.Name))
                    {
                        throw Error(node, $"scene '{scene.Name}' is defined twice");
                    }

                    scenes.Add(scene);
                }
            }

            foreach (var scene in scenes)
            {
                if (sources.Any(s => s.Name == scene.Name))
                {
                    throw new SceneFileException(file, scene.Line, $"'{scene.Name}' is both a scene and a source (OBS source names are unique)");
                }

                foreach (var item in scene.Items)
                {
                    if (!sources.Any(s => s.Name == item.Source) && !scenes.Any(s => s.Name == item.Source))
                    {
                        throw new SceneFileException(file, item.Line, $"scene '{scene.Name}' shows unknown source '{item.Source}' (define it under 'sources')");
                    }

                    if (item.Source == scene.Name)
                    {
                        throw new SceneFileException(file, item.Line, $"scene '{scene.Name}' cannot contain itself");
                    }
                }
            }

            TransitionSpec? transition = null;
            if (Get(map, "transition") is { } transitionNode)
            {
                var t = Map(transitionNode, "transition");
                Check(t, TransitionFields, "transition");
                var duration = Get(t, "durationMs") is { } d ? Int(d, "durationMs") : (int?)null;
                if (duration is < 50 or > 20000)
                {
                    throw Error(Get(t, "durationMs")!, $"transition durationMs {duration} is out of range 50..20000");
                }

                transition = new TransitionSpec(Get(t, "name") is { } n ? Scalar(n, "transition name") : null, duration);
            }

            string? program = null;
            if (Get(map, "program") is { } programNode)
            {
                program = Scalar(programNode, "program");
                if (!scenes.Any(s => s.Name == program))
                {
                    throw Error(programNode, $"program scene '{program}' is not a scene of this file");
                }
            }

            return new SceneFile(sources, scenes, transition, program);
        }

        private SourceSpec Source(string name, YamlNode node)
        {
            var map = Map(node, $"source '{name}'");
            Check(map, SourceFields, $"source '{name}'");
            var kindNode = Get(map, "kind") ?? throw Error(node, $"source '{name}' has no 'kind' (one of {KindList})");
            var kindText = Scalar(kindNode, "kind");
            if (!TryKind(kindText, out var kind))
            {
                throw Error(kindNode, $"source '{name}' has unknown kind '{kindText}' (one of {KindList})");
            }

            var shorthand = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                var field = ((YamlScalarNode)key).Value!;
                if (field is "kind" or "settings" or "filters")
                {
                    continue;
                }

                if (!KindFields[kind].Contains(field))
                {
                    throw Error(key, $"field '{field}' does not apply to a {kindText} source '{name}' (it takes: {string.Join(", ", KindFields[kind])}, settings, filters)");
                }

                shorthand[field] = ToJson(value);
            }

            var settings = Get(map, "settings") is { } s ? ToJson(Map(s, "settings")) as JsonObject ?? [] : [];
            var filters = new List<FilterSpec>();
            if (Get(map, "filters") is { } filtersNode)
            {
                foreach (var f in Seq(filtersNode, "filters").Children)
                {
                    var filter = Filter(f, name);
                    if (filters.Any(x => x.Name == filter.Name))
                    {
                        throw Error(f, $"filter '{filter.Name}' of source '{name}' is defined twice");
                    }

                    filters.Add(filter);
                }
            }

            return new SourceSpec(name, kind, shorthand, settings, filters, Line(node));
        }

        private FilterSpec Filter(YamlNode node, string source)
        {
            var map = Map(node, $"a filter of '{source}'");
            Check(map, FilterFields, $"a filter of '{source}'");
            var name = Get(map, "name") is { } n ? Scalar(n, "filter name") : throw Error(node, $"a filter of '{source}' has no 'name'");
            var kind = Get(map, "kind") is { } k ? Scalar(k, "filter kind") : throw Error(node, $"filter '{name}' of '{source}' has no 'kind'");
            if (kind == "faceswap")
            {
                kind = FaceSwapFilterKind;
            }

            var enabled = Get(map, "enabled") is { } e ? Bool(e, "enabled") : (bool?)null;
            var settings = Get(map, "settings") is { } s ? ToJson(Map(s, "settings")) as JsonObject ?? [] : [];
            return new FilterSpec(name, kind, enabled, settings);
        }

        private SceneSpec Scene(YamlNode node)
        {
            var map = Map(node, "a scene");
            Check(map, SceneFields, "a scene");
            var name = Get(map, "name") is { } n ? Scalar(n, "scene name") : throw Error(node, "a scene has no 'name'");
            var items = new List<ItemSpec>();
            if (Get(map, "items") is { } itemsNode)
            {
                foreach (var i in Seq(itemsNode, $"items of scene '{name}'").Children)
                {
                    items.Add(Item(i, name));
                }
            }

            return new SceneSpec(name, items, Line(node));
        }

        private ItemSpec Item(YamlNode node, string scene)
        {
            var map = Map(node, $"an item of scene '{scene}'");
            Check(map, ItemFields, $"an item of scene '{scene}'");
            var source = Get(map, "source") is { } s ? Scalar(s, "source") : throw Error(node, $"an item of scene '{scene}' has no 'source'");
            double? px = null, py = null, sx = null, sy = null;
            if (Get(map, "position") is { } p)
            {
                (px, py) = Pair(p, "position");
            }

            if (Get(map, "scale") is { } sc)
            {
                if (sc is YamlScalarNode)
                {
                    sx = sy = Double(sc, "scale");
                }
                else
                {
                    (sx, sy) = Pair(sc, "scale");
                }

                if (sx <= 0 || sy <= 0)
                {
                    throw Error(sc, "scale must be positive");
                }
            }

            var rotation = Get(map, "rotation") is { } r ? Double(r, "rotation") : (double?)null;
            CropSpec? crop = null;
            if (Get(map, "crop") is { } c)
            {
                var cm = Map(c, "crop");
                Check(cm, CropFields, "crop");
                int? Side(string side)
                {
                    if (Get(cm, side) is not { } v)
                    {
                        return null;
                    }

                    var n = Int(v, $"crop {side}");
                    return n >= 0 ? n : throw Error(v, $"crop {side} must be 0 or more");
                }

                crop = new CropSpec(Side("left"), Side("top"), Side("right"), Side("bottom"));
            }

            var visible = Get(map, "visible") is { } v ? Bool(v, "visible") : (bool?)null;
            return new ItemSpec(source, px, py, sx, sy, rotation, crop, visible, Line(node));
        }

        private (double, double) Pair(YamlNode node, string what)
        {
            if (node is YamlSequenceNode { Children.Count: 2 } seq)
            {
                return (Double(seq.Children[0], what), Double(seq.Children[1], what));
            }

            if (node is YamlMappingNode map)
            {
                Check(map, ["x", "y"], what);
                if (Get(map, "x") is { } x && Get(map, "y") is { } y)
                {
                    return (Double(x, what), Double(y, what));
                }
            }

            throw Error(node, $"{what} must be [x, y] or {{ x: .., y: .. }}");
        }

        private static string KindList => "camera, media, rtmp, image, text, browser, color";

        private static bool TryKind(string text, out SourceKind kind)
        {
            kind = default;
            return text.Length > 0 && char.IsLower(text[0]) && Enum.TryParse(text, ignoreCase: true, out kind) && Enum.IsDefined(kind);
        }

        private void Check(YamlMappingNode map, string[] allowed, string where)
        {
            foreach (var key in map.Children.Keys)
            {
                var name = Scalar(key, "field name");
                if (!allowed.Contains(name, StringComparer.Ordinal))
                {
                    throw Error(key, $"unknown field '{name}' in {where} (allowed: {string.Join(", ", allowed)})");
                }
            }
        }

        private static YamlNode? Get(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private YamlMappingNode Map(YamlNode node, string what) =>
            node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping (key: value)");

        private YamlSequenceNode Seq(YamlNode node, string what) =>
            node as YamlSequenceNode ?? throw Error(node, $"{what} must be a list (- item)");

        private string Scalar(YamlNode node, string what) =>
            node is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw Error(node, $"{what} must be a non-empty text");

        private double Double(YamlNode node, string what) =>
            double.TryParse(Scalar(node, what), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                ? d
                : throw Error(node, $"{what} must be a number");

        private int Int(YamlNode node, string what) =>
            int.TryParse(Scalar(node, what), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Error(node, $"{what} must be a whole number");

        private bool Bool(YamlNode node, string what) => Scalar(node, what) switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(node, $"{what} must be true or false"),
        };

        private static int Line(YamlNode node) => (int)node.Start.Line;

        private SceneFileException Error(YamlNode node, string problem) => new(file, Line(node), problem);

        /// <summary>YAML to JSON: plain scalars become numbers or booleans when they read as such; quoted ones stay text.</summary>
        internal static JsonNode? ToJson(YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    var obj = new JsonObject();
                    foreach (var (key, value) in map.Children)
                    {
                        obj[((YamlScalarNode)key).Value!] = ToJson(value);
                    }

                    return obj;
                case YamlSequenceNode seq:
                    return new JsonArray([.. seq.Children.Select(ToJson)]);
                case YamlScalarNode scalar:
                    var text = scalar.Value ?? "";
                    if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
                    {
                        return JsonValue.Create(text);
                    }

                    if (text is "true" or "false")
                    {
                        return JsonValue.Create(text == "true");
                    }

                    if (text is "" or "~" or "null")
                    {
                        return null;
                    }

                    if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                    {
                        return JsonValue.Create(l);
                    }

                    if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                        && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
                    {
                        return JsonValue.Create(hex);
                    }

                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                    {
                        return JsonValue.Create(d);
                    }

                    return JsonValue.Create(text);
                default:
                    return null;
            }
        }
    }
}
