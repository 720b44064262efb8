using System.Text.Json;

namespace ObsFaceSwap.Obs.Events;

/// <summary>ExitStarted (General): OBS has begun shutting down; the connection closes soon after.</summary>
public sealed record ExitStarted : IObsEvent<ExitStarted>
{
    /// <inheritdoc />
    public static string EventName => "ExitStarted";

    /// <inheritdoc />
    public static ObsEventSubscriptions Intent => ObsEventSubscriptions.General;

    /// <inheritdoc />
    public static ExitStarted FromEvent(ObsEvent evt) => new();
}

/// <summary>VendorEvent (Vendors): an event a plugin emitted through obs-websocket's vendor API.</summary>
/// <param name="VendorName">The vendor (plugin) name, e.g. <c>obs-faceswap</c>.</param>
/// <param name="EventType">The vendor's event type.</param>
/// <param name="EventData">The vendor's event data object.</param>
public sealed record VendorEvent(string VendorName, string EventType, JsonElement EventData) : IObsEvent<VendorEvent>
{
    /// <inheritdoc />
    public static string EventName => "VendorEvent";

    /// <inheritdoc />
    public static ObsEventSubscriptions Intent => ObsEventSubscriptions.Vendors;

    /// <inheritdoc />
    public static VendorEvent FromEvent(ObsEvent evt) => EventReader.Read(evt, ObsJsonContext.Default.VendorEvent);
}

/// <summary>CurrentProgramSceneChanged (Scenes): the program scene changed.</summary>
/// <param name="SceneName">The new program scene.</param>
public sealed record CurrentProgramSceneChanged(string SceneName) : IObsEvent<CurrentProgramSceneChanged>
{
    /// <inheritdoc />
    public static string EventName => "CurrentProgramSceneChanged";

    /// <inheritdoc />
    public static ObsEventSubscriptions Intent => ObsEventSubscriptions.Scenes;

    /// <inheritdoc />
    public static CurrentProgramSceneChanged FromEvent(ObsEvent evt) => EventReader.Read(evt, ObsJsonContext.Default.CurrentProgramSceneChanged);
}

/// <summary>Reads <c>eventData</c> into a typed event.</summary>
internal static class EventReader
{
    public static T Read<T>(ObsEvent evt, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        evt.EventData is { ValueKind: JsonValueKind.Object } data
            ? data.Deserialize(typeInfo) ?? throw new InvalidDataException($"{evt.EventType} has an empty eventData.")
            : throw new InvalidDataException($"{evt.EventType} has no eventData object.");
}
