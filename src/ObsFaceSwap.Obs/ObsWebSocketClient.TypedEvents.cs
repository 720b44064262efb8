using ObsFaceSwap.Obs.Events;

namespace ObsFaceSwap.Obs;

/// <content>Typed event subscriptions.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>
    /// Adds a handler for one typed event (e.g. <see cref="StreamStateChanged"/>), called by the
    /// event dispatcher like the handlers of
    /// <see cref="AddEventHandler(Func{ObsEvent, CancellationToken, ValueTask})"/>. An event whose
    /// data cannot be read is reported to <see cref="ObsWebSocketOptions.EventHandlerFailed"/>.
    /// </summary>
    /// <typeparam name="TEvent">The event record.</typeparam>
    /// <param name="handler">The handler.</param>
    /// <returns>Disposing it removes the handler.</returns>
    /// <exception cref="InvalidOperationException">The session is not subscribed to the event's category.</exception>
    public IDisposable AddEventHandler<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : IObsEvent<TEvent>
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnsureSubscribed<TEvent>();
        return AddEventHandler((evt, ct) => evt.EventType == TEvent.EventName ? handler(TEvent.FromEvent(evt), ct) : ValueTask.CompletedTask);
    }

    /// <summary>
    /// Waits for the next typed event that matches a predicate. Call it before the action that
    /// triggers the event, then await the task.
    /// </summary>
    /// <typeparam name="TEvent">The event record.</typeparam>
    /// <param name="predicate">Further condition; null accepts any.</param>
    /// <param name="timeout">How long to wait; null uses <see cref="ObsWebSocketOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The event.</returns>
    /// <exception cref="InvalidOperationException">The session is not subscribed to the event's category.</exception>
    /// <exception cref="TimeoutException">No matching event came within the timeout.</exception>
    /// <exception cref="ObsConnectionClosedException">The client closed first.</exception>
    public async Task<TEvent> WaitForEventAsync<TEvent>(
        Func<TEvent, bool>? predicate = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
        where TEvent : IObsEvent<TEvent>
    {
        EnsureSubscribed<TEvent>();
        var evt = await WaitForEventAsync(
            TEvent.EventName,
            predicate is null ? null : e => predicate(TEvent.FromEvent(e)),
            timeout,
            cancellationToken).ConfigureAwait(false);
        return TEvent.FromEvent(evt);
    }

    private void EnsureSubscribed<TEvent>()
        where TEvent : IObsEvent<TEvent>
    {
        if ((_eventSubscriptions & TEvent.Intent) != TEvent.Intent)
        {
            throw new InvalidOperationException(
                $"{TEvent.EventName} is sent under the {TEvent.Intent} subscription, which this session did not ask for "
                + $"(EventSubscriptions = {_eventSubscriptions}); the handler would never run.");
        }
    }
}
