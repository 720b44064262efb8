namespace ObsFaceSwap.Controller.Recording;

/// <summary>
/// Runs one scheduled recording in the foreground: waits for the start, records, waits for the stop,
/// stops (with the crash-safe remux). Cancelling while recording stops the recording first.
/// </summary>
public static class RecordScheduler
{
    /// <summary>Runs <paramref name="schedule"/>.</summary>
    /// <param name="recorder">The recording controller.</param>
    /// <param name="schedule">When to start and stop.</param>
    /// <param name="time">The clock (tests pass a fake).</param>
    /// <param name="log">Receives progress lines.</param>
    /// <param name="cancellationToken">Cancels the schedule (a running recording is stopped).</param>
    /// <returns>What the stop did.</returns>
    public static async Task<RecordStopResult> RunAsync(RecordController recorder, RecordSchedule schedule, TimeProvider time, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        var wait = schedule.Start - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            log($"waiting {wait.TotalSeconds:0} s until {schedule.Start.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        await recorder.StartAsync(cancellationToken).ConfigureAwait(false);
        log($"recording until {schedule.Stop.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
        try
        {
            var left = schedule.Stop - time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            log("cancelled: stopping the recording");
            await recorder.StopAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return await recorder.StopAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
