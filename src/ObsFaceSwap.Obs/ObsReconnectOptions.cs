namespace ObsFaceSwap.Obs;

/// <summary>
/// How <see cref="ObsWebSocketClient"/> reconnects after the connection drops (OBS restarted or
/// crashed, the server was switched off and on): attempt <c>n</c> waits
/// <c>min(MaxDelay, InitialDelay * Multiplier^(n-1))</c>, shortened by up to <see cref="Jitter"/>
/// of itself, then connects and identifies again with the same password and the current event
/// subscriptions.
/// </summary>
public sealed record ObsReconnectOptions
{
    /// <summary>Wait before the first attempt.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Factor from one wait to the next (1 keeps it constant).</summary>
    public double Multiplier { get; init; } = 2.0;

    /// <summary>
    /// Fraction (0 to 1) by which each wait is randomly shortened, so that many clients do not
    /// retry in step. 0 makes the waits exact.
    /// </summary>
    public double Jitter { get; init; }

    /// <summary>Attempts before giving up (the client then closes for good); null tries forever.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (InitialDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("InitialDelay must not be negative.", nameof(InitialDelay));
        }

        if (MaxDelay < InitialDelay)
        {
            throw new ArgumentException("MaxDelay must be at least InitialDelay.", nameof(MaxDelay));
        }

        if (!(Multiplier >= 1.0) || double.IsInfinity(Multiplier))
        {
            throw new ArgumentException("Multiplier must be a finite number of at least 1.", nameof(Multiplier));
        }

        if (!(Jitter is >= 0.0 and <= 1.0))
        {
            throw new ArgumentException("Jitter must be within 0..1.", nameof(Jitter));
        }

        if (MaxAttempts is < 1)
        {
            throw new ArgumentException("MaxAttempts must be at least 1 (or null for no limit).", nameof(MaxAttempts));
        }
    }

    /// <summary>The wait before an attempt.</summary>
    /// <param name="attempt">The attempt, from 1.</param>
    /// <param name="random">A number in [0, 1) that picks the jitter; 0 gives the full wait.</param>
    /// <returns>The wait.</returns>
    public TimeSpan DelayBeforeAttempt(int attempt, double random = 0.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var ms = InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, Math.Min(attempt - 1, 64));
        ms = Math.Min(ms, MaxDelay.TotalMilliseconds);
        ms *= 1.0 - (Jitter * Math.Clamp(random, 0.0, 1.0));
        return TimeSpan.FromMilliseconds(ms);
    }
}
