using System.Text.Json;

namespace ObsFaceSwap.Obs;

/// <summary>One event from obs-websocket (op 5).</summary>
/// <param name="EventType">The event's name, e.g. <c>RecordStateChanged</c>.</param>
/// <param name="EventIntent">The subscription category the event belongs to.</param>
/// <param name="EventData">The <c>eventData</c> object, if the event has one.</param>
public sealed record ObsEvent(string EventType, ObsEventSubscriptions EventIntent, JsonElement? EventData)
{
    /// <summary>Reads a string field of <see cref="EventData"/>.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value, or null when the field is absent or not a string.</returns>
    public string? GetString(string name) =>
        EventData is { ValueKind: JsonValueKind.Object } data
        && data.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
