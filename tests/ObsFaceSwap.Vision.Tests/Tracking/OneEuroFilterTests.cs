using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Vision.Tests.Tracking;

public sealed class OneEuroFilterTests
{
    [Fact]
    public void First_sample_passes_through_and_a_constant_stays_constant()
    {
        var f = new OneEuroFilter(new OneEuroParameters());
        Assert.False(f.IsInitialized);
        Assert.Equal(42.5, f.Update(0, 42.5));
        for (var i = 1; i < 100; i++)
        {
            Assert.Equal(42.5, f.Update(i / 30.0, 42.5), 9);
        }

        Assert.True(f.IsInitialized);
        Assert.Equal(0, f.Derivative, 9);
    }

    [Fact]
    public void With_zero_beta_it_is_a_first_order_low_pass_at_the_min_cutoff()
    {
        var f = new OneEuroFilter(new OneEuroParameters(MinCutoffHz: 2, Beta: 0));
        f.Update(0, 0);
        var te = 0.01;
        var tau = 1 / (2 * Math.PI * 2);
        var alpha = 1 / (1 + (tau / te));
        Assert.Equal(alpha * 10, f.Update(te, 10), 9);
    }

    [Fact]
    public void A_timestamp_not_after_the_last_leaves_the_state_unchanged()
    {
        var f = new OneEuroFilter(new OneEuroParameters());
        f.Update(1, 5);
        var v = f.Update(2, 10);
        Assert.Equal(v, f.Update(2, 1000));
        Assert.Equal(v, f.Update(1.5, -1000));
        Assert.Equal(2, f.LastTimestamp);
    }

    [Fact]
    public void Reset_makes_the_next_sample_pass_through()
    {
        var f = new OneEuroFilter(new OneEuroParameters());
        f.Update(0, 1);
        f.Update(1, 2);
        f.Reset();
        Assert.Equal(100, f.Update(2, 100));
    }

    [Fact]
    public void Noise_on_a_still_signal_is_reduced_and_a_ramp_is_followed_with_bounded_lag()
    {
        var rng = new Random(1234);
        var f = new OneEuroFilter(new OneEuroParameters());
        var raw = new List<double[]>();
        var smooth = new List<double[]>();
        for (var i = 0; i < 600; i++)
        {
            var x = 100 + (2 * SyntheticFaces.Gaussian(rng));
            var y = f.Update(i / 30.0, x);
            if (i >= 30)
            {
                raw.Add([x]);
                smooth.Add([y]);
            }
        }

        var reduction = SyntheticFaces.RmsFrameToFrame(raw) / SyntheticFaces.RmsFrameToFrame(smooth);
        Assert.True(reduction >= 3, $"jitter reduced only {reduction:F2}x");

        // Then a ramp of 300 units/s: the lag settles well under 0.1 s worth of motion.
        var t0 = 600 / 30.0;
        double lag = 0;
        for (var i = 0; i < 60; i++)
        {
            var t = t0 + (i / 30.0);
            var truth = 100 + (300 * (t - t0));
            lag = truth - f.Update(t, truth);
        }

        Assert.InRange(lag, 0, 30);
    }

    [Fact]
    public void Update_does_not_allocate()
    {
        var f = new OneEuroFilter(new OneEuroParameters());
        f.Update(0, 0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < 10_000; i++)
        {
            f.Update(i / 60.0, i % 7);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Theory]
    [InlineData(0, 0.02, 1, "MinCutoffHz")]
    [InlineData(-1, 0.02, 1, "MinCutoffHz")]
    [InlineData(double.NaN, 0.02, 1, "MinCutoffHz")]
    [InlineData(1, -0.1, 1, "Beta")]
    [InlineData(1, double.PositiveInfinity, 1, "Beta")]
    [InlineData(1, 0.02, 0, "DerivativeCutoffHz")]
    [InlineData(1, 0.02, 2000, "DerivativeCutoffHz")]
    public void Bad_parameters_throw_naming_the_parameter(double minCutoff, double beta, double dCutoff, string name)
    {
        var p = new OneEuroParameters(minCutoff, beta, dCutoff);
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(p.Validate).ParamName);
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => new OneEuroFilter(p)).ParamName);
    }
}
