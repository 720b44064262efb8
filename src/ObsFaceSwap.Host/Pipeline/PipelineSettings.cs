using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using ObsFaceSwap.Inference;

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
internal sealed record PipelineSettings(PipelineMode Mode, int DetectInterval = 1, ExecutionProvider Provider = ExecutionProvider.Auto)
{
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
                reader.Read();
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
                    error = $"settings key 'mode' must be a string (\"diagnostic\", \"privacy\" or \"off\"), found {reader.TokenType}";
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
                else if (reader.ValueTextEquals("off"u8))
                {
                    mode = PipelineMode.Off;
                }
                else
                {
                    error = $"settings key 'mode' is \"{reader.GetString()}\", expected \"diagnostic\", \"privacy\" or \"off\"";
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

        settings = mode == Default.Mode && detectInterval == Default.DetectInterval && provider == Default.Provider
            ? Default
            : new PipelineSettings(mode, detectInterval, provider);
        error = null;
        return true;
    }
}
