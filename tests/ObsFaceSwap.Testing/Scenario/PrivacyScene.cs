using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Testing.Scenario;

/// <summary>
/// Privacy mode on the end-to-end scene (<see cref="DiagnosticScene.SetUpAsync"/> with these
/// settings), and reading the host's per-stage statistics.
/// </summary>
public static class PrivacyScene
{
    /// <summary>Filter settings for privacy mode (other keys keep their defaults: fail_closed on, timeout 1000 ms).</summary>
    /// <param name="style"><c>pixelate</c>, <c>blur</c> or <c>solid</c>.</param>
    /// <returns>A new settings object.</returns>
    public static JsonObject Settings(string style = "pixelate") => new() { ["mode"] = "privacy", ["privacy_style"] = style };

    /// <summary>
    /// The count of a pipeline stage summed over the host's channels
    /// (<c>channels[].stages[] {name, count}</c> of <c>obs-faceswap-host stats --json</c>).
    /// </summary>
    /// <param name="hostStats">The host's statistics.</param>
    /// <param name="stage">The stage's name, e.g. <c>detect</c>.</param>
    /// <returns>The count (0 when the stage is absent).</returns>
    public static long StageCount(JsonElement hostStats, string stage)
    {
        long total = 0;
        if (hostStats.ValueKind != JsonValueKind.Object
            || !hostStats.TryGetProperty("channels", out var channels)
            || channels.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        foreach (var channel in channels.EnumerateArray())
        {
            if (channel.ValueKind != JsonValueKind.Object
                || !channel.TryGetProperty("stages", out var stages)
                || stages.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var s in stages.EnumerateArray())
            {
                if (s.ValueKind == JsonValueKind.Object
                    && s.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString() == stage
                    && s.TryGetProperty("count", out var count) && count.ValueKind == JsonValueKind.Number)
                {
                    total += count.GetInt64();
                }
            }
        }

        return total;
    }
}
