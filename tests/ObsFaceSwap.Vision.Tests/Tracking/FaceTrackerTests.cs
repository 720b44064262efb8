using ObsFaceSwap.Vision.Tracking;
using Xunit.Abstractions;
using static ObsFaceSwap.Vision.Tests.Tracking.SyntheticFaces;

namespace ObsFaceSwap.Vision.Tests.Tracking;

public sealed class FaceTrackerTests(ITestOutputHelper output)
{
    private const double Size = 100;

    /// <summary>
    /// Two faces swing past each other horizontally (600 px/s at the middle), one above the
    /// other with <paramref name="verticalGap"/> pixels between the box centres: 110 leaves a
    /// gap, 80 overlaps their boxes by a fifth of their height as they pass. Sigma 1.5 px noise;
    /// the detector's output order alternates.
    /// </summary>
    [Theory]
    [InlineData(1, 110)]
    [InlineData(1, 80)]
    [InlineData(3, 110)]
    [InlineData(3, 80)]
    public void Two_faces_keep_one_stable_id_each_for_300_frames_while_they_pass(int detectInterval, double verticalGap)
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { DetectInterval = detectInterval });
        var rng = new Random(7);
        var detections = new FaceDetection[2];
        uint idA = 0, idB = 0;
        double worst = 0;
        for (var frame = 0; frame < 300; frame++)
        {
            var t = frame / Fps;
            var swing = 400 * Math.Sin(2 * Math.PI * t / 4.2);
            var (ax, ay) = (640 + swing, 300.0);
            var (bx, by) = (640 - swing, 300 + verticalGap);

            IReadOnlyList<FaceTrack> tracks;
            if (tracker.ShouldDetect(frame))
            {
                // Order alternates so the detector's output order carries no identity.
                detections[frame % 2] = Face(ax, ay, Size, noise: rng, sigma: 1.5);
                detections[1 - (frame % 2)] = Face(bx, by, Size, noise: rng, sigma: 1.5);
                tracks = tracker.Update(t, detections);
            }
            else
            {
                tracks = tracker.Predict(t);
            }

            Assert.Equal(2, tracks.Count);
            var a = Nearest(tracks, ax, ay);
            var b = Nearest(tracks, bx, by);
            Assert.NotEqual(a.Id, b.Id);
            if (frame == 0)
            {
                (idA, idB) = (a.Id, b.Id);
            }

            Assert.Equal(idA, a.Id);
            Assert.Equal(idB, b.Id);
            Assert.All(tracks, x => Assert.Equal(FaceTrackState.Confirmed, x.State));
            if (frame >= 3 * detectInterval)
            {
                // Once the tracks have a speed estimate, boxes stay on the faces.
                worst = Math.Max(worst, Math.Max(Distance(a.Box, ax, ay), Distance(b.Box, bx, by)));
            }
        }

        Assert.Equal(new uint[] { 1, 2 }, new[] { idA, idB }.Order());
        output.WriteLine($"detect every {detectInterval}, gap {verticalGap}: worst box centre error {worst:F1} px");
        // Detecting every 3rd frame, constant-velocity prediction overshoots where the faces
        // turn round (up to 0.28 of a face at 600 px/s peak speed in this run).
        Assert.InRange(worst, 0, (detectInterval == 1 ? 0.2 : 0.35) * Size);
    }

    [Fact]
    public void A_face_missing_for_less_than_the_grace_period_keeps_its_id_and_coasts_meanwhile()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { GracePeriodSeconds = 0.5 });
        var frame = 0;
        // Moving slowly (60 px/s) so prediction and hold both matter.
        FaceDetection At(int f) => Face(300 + (2 * f), 300, Size);

        for (; frame < 30; frame++)
        {
            Assert.Equal(1u, Single(tracker.Update(frame / Fps, [At(frame)])).Id);
        }

        var gapStart = frame;
        for (; frame < gapStart + 12; frame++) // 0.4 s without detections
        {
            Assert.True(tracker.ShouldDetect(frame));
            var track = Single(tracker.Update(frame / Fps, []));
            Assert.Equal(1u, track.Id);
            Assert.Equal(FaceTrackState.Coasting, track.State);
            Assert.Equal((frame - gapStart + 1) / Fps, track.TimeSinceSeenSeconds, 6);
            Assert.True(track.Box.Width > 0);
        }

        var back = Single(tracker.Update(frame / Fps, [At(frame)]));
        Assert.Equal(1u, back.Id);
        Assert.Equal(FaceTrackState.Confirmed, back.State);
        Assert.Equal(0, back.TimeSinceSeenSeconds);
    }

    [Fact]
    public void A_face_missing_for_longer_than_the_grace_period_ends_and_comes_back_with_a_new_id()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { GracePeriodSeconds = 0.5 });
        var frame = 0;
        for (; frame < 30; frame++)
        {
            tracker.Update(frame / Fps, [Face(300, 300, Size)]);
        }

        var lastSeen = (frame - 1) / Fps;
        for (; frame < 60; frame++) // 1 s without detections
        {
            var tracks = tracker.Update(frame / Fps, []);
            var since = (frame / Fps) - lastSeen;
            Assert.Equal(since <= 0.5 ? 1 : 0, tracks.Count);
        }

        Assert.Equal(2u, Single(tracker.Update(frame / Fps, [Face(300, 300, Size)])).Id);
    }

    [Theory]
    [InlineData(0.75, 1u)]
    [InlineData(0, 2u)]
    public void A_fast_jump_with_little_overlap_is_matched_by_centre_distance_unless_turned_off(double maxCentreDistance, uint expectedId)
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { MaxCentreDistance = maxCentreDistance });
        tracker.Update(0, [Face(300, 300, Size)]);
        // 60 px in one frame on a 100 px face: IoU 0.25, under the 0.3 threshold.
        var tracks = tracker.Update(1 / Fps, [Face(360, 300, Size)]);
        var moved = Nearest(tracks, 360, 300);
        Assert.Equal(expectedId, moved.Id);
        Assert.Equal(FaceTrackState.Confirmed, moved.State);
    }

    [Fact]
    public void Ids_are_never_reused()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { GracePeriodSeconds = 0 });
        var seen = new HashSet<uint>();
        for (var frame = 0; frame < 40; frame++)
        {
            // Every other frame the face jumps far away: the old track ends, a new one starts.
            var x = frame % 2 == 0 ? 200 : 900;
            var id = Single(tracker.Update(frame / Fps, [Face(x, 300, Size)])).Id;
            Assert.True(seen.Add(id));
        }

        tracker.Reset();
        Assert.True(seen.Add(Single(tracker.Update(100, [Face(200, 300, Size)])).Id));
    }

    [Fact]
    public void Jitter_of_a_still_face_is_reduced_at_least_threefold()
    {
        foreach (var interval in new[] { 1, 3 })
        {
            var (raw, smooth) = MeasureStillJitter(interval, sigma: 2.0);
            var factor = raw / smooth;
            output.WriteLine($"detect every {interval}: raw RMS frame-to-frame jitter {raw:F3} px, smoothed {smooth:F3} px, reduced {factor:F1}x");
            Assert.True(factor >= 3, $"detect every {interval}: reduced only {factor:F2}x");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_moving_face_is_followed_with_bounded_lag(int detectInterval)
    {
        // Still for 1 s, then 300 px/s to the right for 2 s (a brisk head move), sigma 2 px noise.
        var tracker = new FaceTracker(new FaceTrackerOptions { DetectInterval = detectInterval });
        var rng = new Random(99);
        double worst = 0, sum = 0;
        var n = 0;
        for (var frame = 0; frame < 90; frame++)
        {
            var t = frame / Fps;
            var x = 300 + (300 * Math.Max(0, t - 1));
            var tracks = tracker.ShouldDetect(frame)
                ? tracker.Update(t, [Face(x, 360, 160, noise: rng, sigma: 2)])
                : tracker.Predict(t);
            var nose = Single(tracks).Landmarks.Nose;
            var error = Math.Abs(nose.X - x);
            if (t >= 1.5)
            {
                // Half a second into the motion: the filter has opened up.
                worst = Math.Max(worst, error);
                sum += error;
                n++;
            }
        }

        output.WriteLine($"detect every {detectInterval}: nose error at 300 px/s, mean {sum / n:F2} px, worst {worst:F2} px");
        Assert.InRange(sum / n, 0, 10);
        Assert.InRange(worst, 0, 20);
    }

    [Fact]
    public void Predict_extrapolates_at_constant_velocity_then_holds()
    {
        var options = new FaceTrackerOptions
        {
            DetectInterval = 10,
            MaxPredictionSeconds = 0.2,
            Smoothing = new OneEuroParameters(MinCutoffHz: 1000, Beta: 0, DerivativeCutoffHz: 1000),
        };
        var tracker = new FaceTracker(options);
        for (var frame = 0; frame < 30; frame++)
        {
            tracker.Update(frame / Fps, [Face(100 + (3 * frame), 200, Size)]); // 90 px/s
        }

        var last = 100 + (3 * 29.0);
        var t0 = 29 / Fps;
        var p = Single(tracker.Predict(t0 + 0.1));
        Assert.Equal(last + 9, CentreX(p.Box), 0.5);
        Assert.Equal(FaceTrackState.Confirmed, p.State);
        Assert.Equal(0.1, p.TimeSinceSeenSeconds, 6);
        var held = Single(tracker.Predict(t0 + 0.4));
        Assert.Equal(last + 18, CentreX(held.Box), 0.5);
    }

    [Fact]
    public void Max_faces_keeps_the_highest_scores()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { MaxFaces = 2 });
        var tracks = tracker.Update(0, [Face(100, 100, Size, 0.5f), Face(400, 100, Size, 0.9f), Face(700, 100, Size, 0.7f)]);
        Assert.Equal(2, tracks.Count);
        Assert.Equal([0.9f, 0.7f], tracks.Select(x => x.Score));
        Assert.Equal([1u, 2u], tracks.Select(x => x.Id));
    }

    [Fact]
    public void Unusable_detections_are_ignored()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions());
        var nan = Face(100, 100, Size) with { Box = new BoxF(float.NaN, 0, 10, 10) };
        var empty = Face(100, 100, Size) with { Box = new BoxF(0, 0, 0, 10) };
        Assert.Empty(tracker.Update(0, [nan, empty]));
    }

    [Fact]
    public void ShouldDetect_is_every_nth_frame_and_every_frame_while_a_face_is_lost()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { DetectInterval = 3 });
        Assert.Equal([true, false, false, true, false, false, true], Enumerable.Range(0, 7).Select(i => tracker.ShouldDetect(i)));
        tracker.Update(0, [Face(100, 100, Size)]);
        Assert.False(tracker.ShouldDetect(1));
        tracker.Update(0.1, []);
        Assert.True(tracker.ShouldDetect(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.ShouldDetect(-1));
    }

    [Fact]
    public void Timestamps_must_be_finite_and_not_go_back()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions());
        tracker.Update(1, []);
        tracker.Predict(1);
        Assert.Equal("timestampSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Predict(0.5)).ParamName);
        Assert.Equal("timestampSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Update(double.NaN, [])).ParamName);
    }

    [Fact]
    public void Update_and_Predict_do_not_allocate_once_warm()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { DetectInterval = 2 });
        var detections = new FaceDetection[3];
        void Step(int frame)
        {
            detections[0] = Face(200 + frame, 200, Size);
            detections[1] = Face(500, 200 + frame, Size);
            detections[2] = Face(800, 200, Size);
            if (tracker.ShouldDetect(frame))
            {
                tracker.Update(frame / Fps, detections);
            }
            else
            {
                tracker.Predict(frame / Fps);
            }
        }

        for (var frame = 0; frame < 10; frame++)
        {
            Step(frame);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var frame = 10; frame < 200; frame++)
        {
            Step(frame);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    public static TheoryData<Func<FaceTrackerOptions, FaceTrackerOptions>, string> BadOptions => new()
    {
        { o => o with { IouMatchThreshold = 0 }, "IouMatchThreshold" },
        { o => o with { IouMatchThreshold = 1.5f }, "IouMatchThreshold" },
        { o => o with { IouMatchThreshold = float.NaN }, "IouMatchThreshold" },
        { o => o with { GracePeriodSeconds = -0.1 }, "GracePeriodSeconds" },
        { o => o with { GracePeriodSeconds = double.PositiveInfinity }, "GracePeriodSeconds" },
        { o => o with { DetectInterval = 0 }, "DetectInterval" },
        { o => o with { MaxPredictionSeconds = -1 }, "MaxPredictionSeconds" },
        { o => o with { MaxCentreDistance = -0.5 }, "MaxCentreDistance" },
        { o => o with { MaxCentreDistance = double.NaN }, "MaxCentreDistance" },
        { o => o with { MaxFaces = 0 }, "MaxFaces" },
        { o => o with { MaxFaces = 1000 }, "MaxFaces" },
        { o => o with { Smoothing = new OneEuroParameters(MinCutoffHz: 0) }, "Smoothing.MinCutoffHz" },
        { o => o with { Smoothing = new OneEuroParameters(Beta: -1) }, "Smoothing.Beta" },
        { o => o with { Smoothing = new OneEuroParameters(DerivativeCutoffHz: 0) }, "Smoothing.DerivativeCutoffHz" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_throw_naming_the_option(Func<FaceTrackerOptions, FaceTrackerOptions> change, string name)
    {
        var options = change(new FaceTrackerOptions());
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => new FaceTracker(options)).ParamName);
    }

    [Fact]
    public void Default_options_are_valid()
    {
        new FaceTrackerOptions().Validate();
        Assert.Equal(1.0, new FaceTrackerOptions().Smoothing.MinCutoffHz);
    }

    private static (double Raw, double Smooth) MeasureStillJitter(int detectInterval, double sigma)
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { DetectInterval = detectInterval });
        var rng = new Random(2024);
        var raw = new List<double[]>();
        var smooth = new List<double[]>();
        for (var frame = 0; frame < 300; frame++)
        {
            var t = frame / Fps;
            var detection = Face(640, 360, 160, noise: rng, sigma: sigma);
            var tracks = tracker.ShouldDetect(frame) ? tracker.Update(t, [detection]) : tracker.Predict(t);
            if (frame >= 30)
            {
                // Raw: what a detector on every frame would give without a tracker.
                raw.Add(Flatten(detection.Landmarks));
                smooth.Add(Flatten(Single(tracks).Landmarks));
            }
        }

        return (RmsFrameToFrame(raw), RmsFrameToFrame(smooth));
    }

    private static float CentreX(BoxF b) => b.X + (b.Width / 2);

    private static double Distance(BoxF b, double x, double y) =>
        Math.Sqrt(Math.Pow(CentreX(b) - x, 2) + Math.Pow(b.Y + (b.Height / 2) - y, 2));

    private static FaceTrack Nearest(IReadOnlyList<FaceTrack> tracks, double x, double y) =>
        tracks.MinBy(t => Distance(t.Box, x, y));
}
