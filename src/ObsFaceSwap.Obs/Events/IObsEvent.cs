namespace ObsFaceSwap.Obs.Events;

/// <summary>
/// A typed obs-websocket event: its protocol name, the subscription it needs, and how to read
/// it from an <see cref="ObsEvent"/>. Used by
/// <see cref="ObsWebSocketClient.AddEventHandler{TEvent}(Func{TEvent, CancellationToken, ValueTask})"/>
/// and <see cref="ObsWebSocketClient.WaitForEventAsync{TEvent}(Func{TEvent, bool}?, TimeSpan?, CancellationToken)"/>.
/// </summary>
/// <typeparam name="TSelf">The event record itself.</typeparam>
public interface IObsEvent<TSelf>
    where TSelf : IObsEvent<TSelf>
{
    /// <summary>The protocol's <c>eventType</c>, e.g. <c>StreamStateChanged</c>.</summary>
    static abstract string EventName { get; }

    /// <summary>The subscription category the event is sent under (its <c>eventIntent</c>).</summary>
    static abstract ObsEventSubscriptions Intent { get; }

    /// <summary>Reads the typed event from the raw one.</summary>
    /// <param name="evt">An event whose <see cref="ObsEvent.EventType"/> is <see cref="EventName"/>.</param>
    /// <returns>The typed event.</returns>
    static abstract TSelf FromEvent(ObsEvent evt);
}
