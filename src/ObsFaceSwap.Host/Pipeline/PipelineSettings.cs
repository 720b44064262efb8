using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Swap;

namespace ObsFaceSwap.Host.Pipeline;

/// <summary>Pipeline mode (settings key <c>mode</c>).</summary>
internal enum PipelineMode
{
    /// <summary>"diagnostic": the diagnostic stage (inverted centre patch).</summary>
    Diagnostic,

    /// <summary>"off": no stage runs; every frame gets a result with zero items.</summary>
    Off,

    /// <summary>"privacy": face detection and tracking; one face item per tracked face, masked by the shim.</summary>
    Privacy,

    /// <summary>"swap": detection, tracking and swapping; face items (flagged when a mapped face has no swap) and one patch per swapped face.</summary>
    Swap,
}

/// <summary>
/// The pipeline's options, parsed and validated from the filter's settings JSON apart from the
/// stages that use them. Unknown keys (the shim's own: analysis_width, pixel_format, ...) are ignored.
/// </summary>
/// <param name="Mode">The pipeline mode (key <c>mode</c>).</param>
/// <param name="DetectInterval">Privacy mode: run the detector every N frames and track between (key <c>detect_interval</c>, 1..<see cref="MaxDetectInterval"/>).</param>
/// <param name="Provider">
/// ONNX Runtime execution provider for the models (key <c>execution_provider</c>: <c>auto</c>
/// (default), <c>cpu</c>, <c>cuda</c>, <c>tensorrt</c>, <c>directml</c> or <c>coreml</c>, any
/// case). One that cannot run here falls back to the CPU with one log line saying why.
/// </param>
/// <param name="Swap">
/// Swap mode's options (keys <c>identity_folder</c>, <c>identity</c>, <c>face_mapping</c>,
/// <c>face_map</c>, <c>swapper_model</c>, <c>embedder_model</c>, <c>colour_correction</c> and
/// <c>swap_opacity</c> 0..100); null = the defaults.
/// </param>
internal sealed record PipelineSettings(PipelineMode Mode, int DetectInterval = 1, ExecutionProvider Provider = ExecutionProvider.Auto, SwapOptions? Swap = null)
{
    /// <summary>
    /// The shim's <c>mode_generation</c> (key of the same name): it changes whenever the filter's
    /// mode changes; every result carries it so the shim can refuse results computed under
    /// another mode (0 before any SETTINGS).
    /// </summary>
    public uint ModeGeneration { get; init; }

    /// <summary>Swap options in effect (the defaults when none were given), with this settings' provider.</summary>
    public SwapOptions SwapOrDefault => (Swap ?? DefaultSwap) with { Provider = Provider };

    private static SwapOptions DefaultSwap { get; } = new();

    /// <summary>The settings key of <see cref="Provider"/>.</summary>
    public const string ProviderKey = "execution_provider";

    /// <summary>Largest accepted <c>detect_interval</c>.</summary>
    public const int MaxDetectInterval = 30;

    /// <summary>Settings before any SETTINGS message, and for absent keys.</summary>
    public static PipelineSettings Default { get; } = new(PipelineMode.Diagnostic);

    /// <summary>The settings key's value for <paramref name="mode"/>.</summary>
    public static string ModeName(PipelineMode mode) => mode switch
    {
        PipelineMode.Off => "off",
        PipelineMode.Privacy => "privacy",
        PipelineMode.Swap => "swap",
        _ => "diagnostic",
    };

    /// <summary>
    /// Parses the UTF-8 JSON object of a SETTINGS message. On failure <paramref name="error"/>
    /// says what is wrong, naming the key.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out PipelineSettings? settings, [NotNullWhen(false)] out string? error)
    {
        settings = null;
        var mode = Default.Mode;
        var detectInterval = Default.DetectInterval;
        var provider = Default.Provider;
        var swap = DefaultSwap;
        uint generation = 0;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "settings must be a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMode = reader.ValueTextEquals("mode"u8);
                var isInterval = reader.ValueTextEquals("detect_interval"u8);
                var isProvider = reader.ValueTextEquals("execution_provider"u8);
                var swapKey = SwapKey(ref reader);
                var isGeneration = reader.ValueTextEquals("mode_generation"u8);
                reader.Read();
                if (isGeneration)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt32(out generation))
                    {
                        error = "settings key 'mode_generation' must be an integer 0..4294967295";
                        return false;
                    }

                    continue;
                }

                if (swapKey is not null)
                {
                    if (!TryReadSwap(ref reader, swapKey, ref swap, out error))
                    {
                        return false;
                    }

                    continue;
                }

                if (isProvider)
                {
                    if (reader.TokenType != JsonTokenType.String || !ExecutionProviders.TryParse(reader.GetString(), out provider))
                    {
                        var found = reader.TokenType == JsonTokenType.String ? $"\"{reader.GetString()}\"" : reader.TokenType.ToString();
                        error = $"settings key '{ProviderKey}' is {found}, expected \"{string.Join("\", \"", ExecutionProviders.Names)}\" (any case)";
                        return false;
                    }

                    continue;
                }

                if (isInterval)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out detectInterval) || detectInterval is < 1 or > MaxDetectInterval)
                    {
                        error = $"settings key 'detect_interval' must be an integer 1..{MaxDetectInterval}";
                        return false;
                    }

                    continue;
                }

                if (!isMode)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    error = $"settings key 'mode' must be a string (\"diagnostic\", \"swap\", \"privacy\" or \"off\"), found {reader.TokenType}";
                    return false;
                }

                if (reader.ValueTextEquals("diagnostic"u8))
                {
                    mode = PipelineMode.Diagnostic;
                }
                else if (reader.ValueTextEquals("privacy"u8))
                {
                    mode = PipelineMode.Privacy;
                }
                else if (reader.ValueTextEquals("swap"u8))
                {
                    mode = PipelineMode.Swap;
                }
                else if (reader.ValueTextEquals("off"u8))
                {
                    mode = PipelineMode.Off;
                }
                else
                {
                    error = $"settings key 'mode' is \"{reader.GetString()}\", expected \"diagnostic\", \"swap\", \"privacy\" or \"off\"";
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "settings JSON has content after the object";
                return false;
            }
        }
        catch (JsonException e)
        {
            error = $"settings are not valid JSON: {e.Message}";
            return false;
        }

        settings = mode == Default.Mode && detectInterval == Default.DetectInterval && provider == Default.Provider && swap == DefaultSwap && generation == 0
            ? Default
            : new PipelineSettings(mode, detectInterval, provider, swap == DefaultSwap ? null : swap) { ModeGeneration = generation };
        error = null;
        return true;
    }

    private static readonly string[] SwapKeys =
        ["identity_folder", "identity", "face_mapping", "face_map", "swapper_model", "embedder_model", "colour_correction", "swap_opacity"];

    private static string? SwapKey(ref Utf8JsonReader reader)
    {
        foreach (var key in SwapKeys)
        {
            if (reader.ValueTextEquals(key))
            {
                return key;
            }
        }

        return null;
    }

    private static bool TryReadSwap(ref Utf8JsonReader reader, string key, ref SwapOptions swap, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (key is "colour_correction" or "swap_opacity")
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var percent) || percent is < 0 or > 100)
            {
                error = $"settings key '{key}' must be an integer 0..100 (percent)";
                return false;
            }

            swap = key == "colour_correction" ? swap with { ColourCorrection = percent / 100f } : swap with { Opacity = percent / 100f };
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            error = $"settings key '{key}' must be a string, found {reader.TokenType}";
            return false;
        }

        var value = reader.GetString() ?? string.Empty;
        switch (key)
        {
            case "identity_folder":
                swap = swap with { IdentityFolder = value };
                break;
            case "identity":
                swap = swap with { Identity = value.Length == 0 ? "#1" : value };
                break;
            case "face_map":
                swap = swap with { FaceMap = value };
                break;
            case "swapper_model":
                swap = swap with { SwapperModel = value.Length == 0 ? SwapOptions.DefaultSwapper : value };
                break;
            case "embedder_model":
                swap = swap with { EmbedderModel = value.Length == 0 ? SwapOptions.DefaultEmbedder : value };
                break;
            default:
                if (!SwapOptions.TryParseMapping(value, out var mapping))
                {
                    error = $"settings key 'face_mapping' is \"{value}\", expected \"all\", \"order\", \"position\" or \"similarity\"";
                    return false;
                }

                swap = swap with { Mapping = mapping };
                break;
        }

        return true;
    }
}
