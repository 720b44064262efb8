namespace ObsFaceSwap.Vision.Tracking;

/// <summary>
/// Settings of a <see cref="OneEuroFilter"/>. The defaults suit face coordinates in pixels at
/// 25-60 fps: strong smoothing of a still face, little lag once it moves.
/// </summary>
/// <param name="MinCutoffHz">
/// Cutoff frequency at zero speed, hertz, &gt; 0 and &lt;= 1000. Lower smooths a still signal
/// more (less jitter) at the price of more lag when motion starts.
/// </param>
/// <param name="Beta">
/// Speed coefficient, hertz per (signal unit per second), &gt;= 0 and &lt;= 1000; for pixels that
/// is 1/pixel. The cutoff grows by <c>Beta * |speed|</c>, so a larger value means less lag
/// on fast motion. 0 makes the filter a plain first-order low-pass at
/// <paramref name="MinCutoffHz"/>.
/// </param>
/// <param name="DerivativeCutoffHz">
/// Cutoff frequency of the low-pass applied to the speed estimate, hertz, &gt; 0 and &lt;= 1000.
/// The paper uses 1 Hz.
/// </param>
public sealed record OneEuroParameters(double MinCutoffHz = 1.0, double Beta = 0.02, double DerivativeCutoffHz = 1.0)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range or not a number.</exception>
    public void Validate() => Validate(string.Empty);

    internal void Validate(string prefix)
    {
        if (!(MinCutoffHz > 0 && MinCutoffHz <= 1000))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(MinCutoffHz), MinCutoffHz, "must be > 0 and <= 1000 Hz");
        }

        if (!(Beta >= 0 && Beta <= 1000))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(Beta), Beta, "must be >= 0 and <= 1000");
        }

        if (!(DerivativeCutoffHz > 0 && DerivativeCutoffHz <= 1000))
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(DerivativeCutoffHz), DerivativeCutoffHz, "must be > 0 and <= 1000 Hz");
        }
    }
}

/// <summary>
/// The 1€ filter: a first-order low-pass whose cutoff rises with the signal's speed, so a still
/// signal is smoothed hard (no jitter) and a moving one follows closely (little lag).
/// G. Casiraghi, N. Roussel, D. Vogel, "1€ Filter: A Simple Speed-based Low-pass Filter for
/// Noisy Input in Interactive Systems", CHI 2012, https://doi.org/10.1145/2207676.2208639.
/// </summary>
/// <remarks>
/// <para>Per sample, with <c>Te</c> the time since the previous sample in seconds and
/// <c>alpha(fc) = 1 / (1 + 1 / (2 pi fc Te))</c>:
/// <c>dx = (x - xhat_prev) / Te</c>; <c>dxhat = alpha(dcutoff) dx + (1 - alpha) dxhat_prev</c>;
/// <c>fc = mincutoff + beta |dxhat|</c>; <c>xhat = alpha(fc) x + (1 - alpha) xhat_prev</c>.
/// The first sample passes through unchanged.</para>
/// <para>Units: timestamps in seconds; the value in any unit (pixels here); the derivative in
/// value units per second. A mutable struct of a few doubles: an update allocates nothing.
/// Keep it in a field or an array element (not a readonly field, not a copy).</para>
/// </remarks>
public struct OneEuroFilter
{
    private readonly double _minCutoffHz;
    private readonly double _beta;
    private readonly double _derivativeCutoffHz;
    private double _value;
    private double _derivative;
    private double _lastTimestamp;
    private bool _initialized;

    /// <summary>A filter with no sample yet.</summary>
    /// <param name="parameters">Cutoffs and speed coefficient; validated.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    public OneEuroFilter(OneEuroParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        _minCutoffHz = parameters.MinCutoffHz;
        _beta = parameters.Beta;
        _derivativeCutoffHz = parameters.DerivativeCutoffHz;
        _value = 0;
        _derivative = 0;
        _lastTimestamp = 0;
        _initialized = false;
    }

    /// <summary>Whether at least one sample has been filtered since construction or <see cref="Reset"/>.</summary>
    public readonly bool IsInitialized => _initialized;

    /// <summary>The last filtered value, in the signal's unit (0 before the first sample).</summary>
    public readonly double Value => _value;

    /// <summary>The last smoothed speed estimate <c>dxhat</c>, signal units per second.</summary>
    public readonly double Derivative => _derivative;

    /// <summary>Timestamp of the last sample, seconds.</summary>
    public readonly double LastTimestamp => _lastTimestamp;

    /// <summary>Forgets the history; the next sample passes through unchanged.</summary>
    public void Reset()
    {
        _value = 0;
        _derivative = 0;
        _lastTimestamp = 0;
        _initialized = false;
    }

    /// <summary>Filters one sample.</summary>
    /// <param name="timestampSeconds">
    /// Time of the sample, seconds, on any monotonic clock. A timestamp not after the previous one
    /// leaves the state unchanged and returns the previous output.
    /// </param>
    /// <param name="value">The raw sample, in the signal's unit.</param>
    /// <returns>The filtered value.</returns>
    public double Update(double timestampSeconds, double value)
    {
        if (!_initialized)
        {
            _value = value;
            _derivative = 0;
            _lastTimestamp = timestampSeconds;
            _initialized = true;
            return value;
        }

        var te = timestampSeconds - _lastTimestamp;
        if (!(te > 0))
        {
            return _value;
        }

        var dx = (value - _value) / te;
        _derivative += Alpha(te, _derivativeCutoffHz) * (dx - _derivative);
        var cutoff = _minCutoffHz + (_beta * Math.Abs(_derivative));
        _value += Alpha(te, cutoff) * (value - _value);
        _lastTimestamp = timestampSeconds;
        return _value;
    }

    /// <summary>Smoothing factor of an exponential low-pass, 0..1.</summary>
    /// <param name="te">Sampling period, seconds, &gt; 0.</param>
    /// <param name="cutoffHz">Cutoff frequency, hertz, &gt; 0.</param>
    private static double Alpha(double te, double cutoffHz)
    {
        var tau = 1.0 / (2 * Math.PI * cutoffHz);
        return 1.0 / (1.0 + (tau / te));
    }
}
