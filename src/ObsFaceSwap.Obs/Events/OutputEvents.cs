using System.Text.Json.Serialization;

namespace ObsFaceSwap.Obs.Events;

/// <summary>StreamStateChanged (Outputs): the stream output's state changed.</summary>
/// <param name="OutputActive">Whether the output is active.</param>
/// <param name="OutputState">The state, e.g. <c>OBS_WEBSOCKET_OUTPUT_STARTED</c>.</param>
public sealed record StreamStateChanged(bool OutputActive, string OutputState) : IObsEvent<StreamStateChanged>
{
    /// <inheritdoc />
    public static string EventName => "StreamStateChanged";

    /// <inheritdoc />
    public static ObsEventSubscriptions Intent => ObsEventSubscriptions.Outputs;

    /// <summary><see cref="OutputState"/> as an enum.</summary>
    [JsonIgnore]
    public ObsOutputState State => ObsOutputStates.Parse(OutputState);

    /// <inheritdoc />
    public static StreamStateChanged FromEvent(ObsEvent evt) => EventReader.Read(evt, ObsJsonContext.Default.StreamStateChanged);
}

/// <summary>RecordStateChanged (Outputs): the record output's state changed.</summary>
/// <param name="OutputActive">Whether the output is active.</param>
/// <param name="OutputState">The state, e.g. <c>OBS_WEBSOCKET_OUTPUT_STOPPED</c>.</param>
/// <param name="OutputPath">The file being (or just) recorded; obs-websocket 5.1 sends it with STOPPED, null otherwise.</param>
public sealed record RecordStateChanged(bool OutputActive, string OutputState, string? OutputPath) : IObsEvent<RecordStateChanged>
{
    /// <inheritdoc />
    public static string EventName => "RecordStateChanged";

    /// <inheritdoc />
    public static ObsEventSubscriptions Intent => ObsEventSubscriptions.Outputs;

    /// <summary><see cref="OutputState"/> as an enum.</summary>
    [JsonIgnore]
    public ObsOutputState State => ObsOutputStates.Parse(OutputState);

    /// <inheritdoc />
    public static RecordStateChanged FromEvent(ObsEvent evt) => EventReader.Read(evt, ObsJsonContext.Default.RecordStateChanged);
}
