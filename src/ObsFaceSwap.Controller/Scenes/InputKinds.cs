using System.Globalization;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Controller.Scenes;

/// <summary>
/// Maps a scene file's <see cref="SourceKind"/> to the OBS input kind the connected OBS has (from
/// GetInputKindList), so one file works against OBS on Linux, Windows or macOS, and builds the input's
/// settings from the kind's shorthand fields.
/// </summary>
public static class InputKinds
{
    /// <summary>Candidate OBS kinds per source kind, preferred first.</summary>
    public static IReadOnlyList<string> Candidates(SourceKind kind) => kind switch
    {
        SourceKind.Camera => ["v4l2_input", "dshow_input", "av_capture_input_v2", "av_capture_input", "macos-avcapture"],
        SourceKind.Media or SourceKind.Rtmp => ["ffmpeg_source"],
        SourceKind.Image => ["image_source"],
        SourceKind.Text => ["text_ft2_source_v2", "text_gdiplus_v2", "text_gdiplus", "text_ft2_source"],
        SourceKind.Browser => ["browser_source"],
        SourceKind.Color => ["color_source_v3", "color_source_v2", "color_source"],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The OBS input kind for <paramref name="kind"/> among <paramref name="available"/>.</summary>
    /// <exception cref="SceneConflictException">This OBS has none of the candidates (e.g. no browser plugin).</exception>
    public static string Resolve(SourceKind kind, IReadOnlyCollection<string> available, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(available);
        foreach (var candidate in Candidates(kind))
        {
            if (available.Contains(candidate))
            {
                return candidate;
            }
        }

        throw new SceneConflictException(
            $"source '{sourceName}': this OBS has no input kind for '{kind.ToString().ToLowerInvariant()}' "
            + $"(looked for {string.Join(", ", Candidates(kind))} in GetInputKindList)");
    }

    /// <summary>The settings to give an input of OBS kind <paramref name="obsKind"/>: the shorthand mapped to OBS keys, then the raw settings over them.</summary>
    public static JsonObject Settings(SourceSpec source, string obsKind)
    {
        ArgumentNullException.ThrowIfNull(source);
        var settings = new JsonObject();
        foreach (var (field, value) in source.Shorthand)
        {
            switch (field, source.Kind)
            {
                case ("device", _):
                    settings[obsKind switch
                    {
                        "v4l2_input" => "device_id",
                        "dshow_input" => "video_device_id",
                        _ => "device",
                    }] = value?.DeepClone();
                    break;
                case ("file", SourceKind.Media):
                    settings["is_local_file"] = true;
                    settings["local_file"] = value?.DeepClone();
                    break;
                case ("loop", _):
                    settings["looping"] = value?.DeepClone();
                    break;
                case ("url", SourceKind.Rtmp):
                    settings["is_local_file"] = false;
                    settings["input"] = value?.DeepClone();
                    break;
                case ("color", _):
                    settings["color"] = ColorValue(value, source.Name);
                    break;
                default:
                    // file (image), url (browser), text, width, height: OBS uses the same key.
                    settings[field] = value?.DeepClone();
                    break;
            }
        }

        foreach (var (key, value) in source.Settings)
        {
            settings[key] = value?.DeepClone();
        }

        return settings;
    }

    /// <summary>OBS colours are ABGR integers; the file may say <c>#RRGGBB</c>, <c>#AARRGGBB</c> or give the integer.</summary>
    internal static JsonNode ColorValue(JsonNode? value, string sourceName)
    {
        if (value is JsonValue v && v.TryGetValue<long>(out var n))
        {
            return JsonValue.Create(n);
        }

        var text = value?.ToString() ?? "";
        if (text.StartsWith('#') && (text.Length == 7 || text.Length == 9)
            && uint.TryParse(text.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var argb))
        {
            if (text.Length == 7)
            {
                argb |= 0xFF000000;
            }

            var a = (argb >> 24) & 0xFF;
            var r = (argb >> 16) & 0xFF;
            var g = (argb >> 8) & 0xFF;
            var b = argb & 0xFF;
            return JsonValue.Create((long)((a << 24) | (b << 16) | (g << 8) | r));
        }

        throw new SceneConflictException($"source '{sourceName}': color '{text}' is not #RRGGBB, #AARRGGBB or an integer");
    }
}
