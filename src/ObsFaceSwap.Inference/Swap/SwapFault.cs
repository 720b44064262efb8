namespace ObsFaceSwap.Inference.Swap;

/// <summary>What is wrong with a swap model's output, as <see cref="SwapOutputCheck.Inspect"/> finds it.</summary>
public enum SwapFault
{
    /// <summary>The output looks like an image.</summary>
    None = 0,

    /// <summary>At least one value is NaN or infinite.</summary>
    NonFinite = 1,

    /// <summary>
    /// At least one colour channel is flat (population standard deviation below
    /// <see cref="InswapperContract.FlatStdThreshold"/>): the black or green box of a broken fp16 run.
    /// </summary>
    Flat = 2,
}

/// <summary>What a swap call gave.</summary>
public enum SwapResult
{
    /// <summary>The output holds the swapped face.</summary>
    Swapped = 0,

    /// <summary>
    /// The model's output was faulty (<see cref="SwapperSession.LastFault"/> says how) and no
    /// working fallback model remains: the output is not an image. Mask the face instead.
    /// </summary>
    Faulted = 1,
}

/// <summary>The fault test run on every swap output.</summary>
public static class SwapOutputCheck
{
    /// <summary>Looks for non-finite values and flat channels. Allocates nothing.</summary>
    /// <param name="output">The model's output, <paramref name="channels"/> planes, row-major.</param>
    /// <param name="channels">Number of planes, &gt; 0 (3 for RGB).</param>
    /// <param name="flatThreshold">A channel whose population standard deviation is below this is flat.</param>
    /// <returns>The first fault found (non-finite before flat), or <see cref="SwapFault.None"/>.</returns>
    /// <exception cref="ArgumentException">The length is not a positive multiple of <paramref name="channels"/>.</exception>
    public static SwapFault Inspect(ReadOnlySpan<float> output, int channels = 3, float flatThreshold = InswapperContract.FlatStdThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (output.Length == 0 || output.Length % channels != 0)
        {
            throw new ArgumentException($"{output.Length} values are not {channels} equal planes", nameof(output));
        }

        var plane = output.Length / channels;
        var flat = false;
        for (var c = 0; c < channels; c++)
        {
            var values = output.Slice(c * plane, plane);
            double sum = 0;
            double squares = 0;
            foreach (var v in values)
            {
                if (!float.IsFinite(v))
                {
                    return SwapFault.NonFinite;
                }

                sum += v;
                squares += (double)v * v;
            }

            var mean = sum / plane;
            var variance = Math.Max(0, (squares / plane) - (mean * mean));
            flat |= Math.Sqrt(variance) < flatThreshold;
        }

        return flat ? SwapFault.Flat : SwapFault.None;
    }
}
