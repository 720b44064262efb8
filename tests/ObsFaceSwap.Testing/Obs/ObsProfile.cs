using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Testing.Obs;

/// <summary>
/// Writes a fresh OBS configuration (global.ini, one profile, one empty scene collection) that
/// starts with no dialog and with obs-websocket enabled, as docs/shared obs-headless.md describes.
/// </summary>
internal static class ObsProfile
{
    public const string ProfileName = "Test";
    public const string CollectionName = "Test";
    public const string DefaultSceneName = "Scene";

    public static void Write(string configHome, HeadlessObsOptions options, int port, string password, string recordingDirectory)
    {
        var obsDir = Path.Combine(configHome, "obs-studio");
        var profileDir = Path.Combine(obsDir, "basic", "profiles", ProfileName);
        var scenesDir = Path.Combine(obsDir, "basic", "scenes");
        Directory.CreateDirectory(profileDir);
        Directory.CreateDirectory(scenesDir);

        File.WriteAllText(Path.Combine(obsDir, "global.ini"), Ini(
            ("General", [
                ("Pre19Defaults", "false"), ("Pre21Defaults", "false"), ("Pre23Defaults", "false"),
                ("Pre24.1Defaults", "false"),
                // FirstRun=true suppresses the auto-configuration wizard.
                ("FirstRun", "true"), ("LastVersion", "486539266"), ("ConfirmOnExit", "false"),
            ]),
            ("Basic", [
                ("Profile", ProfileName), ("ProfileDir", ProfileName),
                ("SceneCollection", CollectionName), ("SceneCollectionFile", CollectionName),
            ]),
            ("BasicWindow", [("SysTrayEnabled", "false"), ("PreviewEnabled", "false")]),
            ("OBSWebSocket", [
                ("FirstLoad", "false"), ("ServerEnabled", "true"), ("ServerPort", Invariant(port)),
                ("AlertsEnabled", "false"), ("AuthRequired", "true"), ("ServerPassword", password),
            ])));

        File.WriteAllText(Path.Combine(profileDir, "basic.ini"), Ini(
            ("General", [("Name", ProfileName)]),
            ("Output", [("Mode", options.AdvancedOutput ? "Advanced" : "Simple")]),
            // Advanced mode: standard recording with the stream encoder (RecEncoder=none), whose
            // settings are streamEncoder.json below.
            ("AdvOut", [
                ("RecType", "Standard"), ("RecFilePath", recordingDirectory), ("RecFormat", options.RecordingFormat),
                ("Encoder", "obs_x264"), ("RecEncoder", "none"), ("RecTracks", "1"), ("TrackIndex", "1"),
                ("Track1Bitrate", "128"), ("RecFileNameWithoutSpace", "true"),
            ]),
            ("SimpleOutput", [
                ("FilePath", recordingDirectory), ("RecFormat", options.RecordingFormat),
                ("VBitrate", Invariant(options.VideoBitrateKbps)), ("ABitrate", "128"),
                ("RecQuality", "Stream"), ("StreamEncoder", "x264"), ("Preset", "ultrafast"),
                ("UseAdvanced", "true"), ("x264Settings", "keyint=30"),
                ("FileNameWithoutSpace", "true"),
            ]),
            ("Video", [
                ("BaseCX", Invariant(options.Width)), ("BaseCY", Invariant(options.Height)),
                ("OutputCX", Invariant(options.Width)), ("OutputCY", Invariant(options.Height)),
                ("FPSType", "0"), ("FPSCommon", Invariant(options.Fps)),
                ("ColorFormat", "NV12"), ("ColorSpace", "709"), ("ColorRange", "Partial"),
            ]),
            ("Audio", [("SampleRate", "48000"), ("ChannelSetup", "Stereo")])));

        if (options.AdvancedOutput)
        {
            File.WriteAllText(Path.Combine(profileDir, "streamEncoder.json"), new JsonObject
            {
                ["rate_control"] = "CBR",
                ["bitrate"] = options.VideoBitrateKbps,
                ["preset"] = "ultrafast",
                ["keyint_sec"] = 1,
            }.ToJsonString());
        }

        // One empty scene; the tests build their own scenes over obs-websocket.
        var collection = new JsonObject
        {
            ["name"] = CollectionName,
            ["current_scene"] = DefaultSceneName,
            ["current_program_scene"] = DefaultSceneName,
            ["current_transition"] = "Fade",
            ["scene_order"] = new JsonArray(new JsonObject { ["name"] = DefaultSceneName }),
            ["sources"] = new JsonArray(new JsonObject
            {
                ["id"] = "scene",
                ["versioned_id"] = "scene",
                ["name"] = DefaultSceneName,
                ["settings"] = new JsonObject { ["items"] = new JsonArray(), ["id_counter"] = 0 },
            }),
            ["transitions"] = new JsonArray(),
        };
        File.WriteAllText(Path.Combine(scenesDir, CollectionName + ".json"), collection.ToJsonString());
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ini(params (string Section, (string Key, string Value)[] Entries)[] sections)
    {
        var text = new StringBuilder();
        foreach (var (section, entries) in sections)
        {
            text.Append('[').Append(section).Append("]\n");
            foreach (var (key, value) in entries)
            {
                text.Append(key).Append('=').Append(value).Append('\n');
            }
        }

        return text.ToString();
    }
}
