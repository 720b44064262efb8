namespace ObsFaceSwap.Vision.Tracking;

/// <summary>
/// Gives detected faces stable ids across frames, smooths their boxes and landmarks with a
/// <see cref="OneEuroFilter"/> per coordinate, predicts them between detections, and keeps a
/// face that detection misses for a grace period before its track ends.
/// </summary>
/// <remarks>
/// <para>Per frame call either <see cref="Update"/> (a frame the detector ran on; see
/// <see cref="ShouldDetect"/>) or <see cref="Predict"/> (a frame it did not), with
/// non-decreasing timestamps in seconds.</para>
/// <para>Matching is greedy by IoU, highest first: every (track, detection) pair whose IoU
/// between the track's box predicted to the detection's timestamp and the detection's box
/// reaches <see cref="FaceTrackerOptions.IouMatchThreshold"/> is sorted by IoU descending and
/// taken when neither side is taken yet. Tracks and detections left then go through the same
/// greedy pass by centre distance, nearest first, within
/// <see cref="FaceTrackerOptions.MaxCentreDistance"/> track box sizes (fast motion between
/// detections can leave too little overlap). Unmatched detections start new tracks, highest score
/// first, while fewer than <see cref="FaceTrackerOptions.MaxFaces"/> are live. Ids are
/// <see cref="uint"/> from 1, monotonic and never reused by one tracker.</para>
/// <para>Prediction is constant velocity, from the smoothed values and the smoothed speed of
/// each coordinate, for at most <see cref="FaceTrackerOptions.MaxPredictionSeconds"/> past the
/// last matched detection; after that the track holds its last values.</para>
/// <para>Memory: the tracks, filters and match buffers are allocated up front (the match buffers
/// grow only when a frame has more detections than any before). The returned list is owned by
/// the tracker and overwritten by the next call. Not thread-safe.</para>
/// </remarks>
public sealed class FaceTracker
{
    // Coordinates filtered per track: box centre x, centre y, width, height, then the five
    // landmarks as x, y pairs; all pixels.
    private const int Components = 14;

    private readonly FaceTrackerOptions _options;
    private readonly Slot[] _slots;
    private readonly BoxF[] _predicted;
    private readonly bool[] _slotMatched;
    private readonly List<FaceTrack> _output;
    private Candidate[] _candidates;
    private bool[] _detectionMatched;
    private uint _lastId;
    private double _lastTimestamp = double.NegativeInfinity;

    /// <summary>A tracker with no tracks.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public FaceTracker(FaceTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _slots = new Slot[options.MaxFaces];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot(options.Smoothing);
        }

        _predicted = new BoxF[options.MaxFaces];
        _slotMatched = new bool[options.MaxFaces];
        _output = new List<FaceTrack>(options.MaxFaces);
        _candidates = new Candidate[options.MaxFaces * 16];
        _detectionMatched = new bool[16];
    }

    /// <summary>The settings this tracker runs with.</summary>
    public FaceTrackerOptions Options => _options;

    /// <summary>The output of the last <see cref="Update"/> or <see cref="Predict"/>, by id ascending.</summary>
    public IReadOnlyList<FaceTrack> Tracks => _output;

    /// <summary>
    /// Whether to run the detector on frame <paramref name="frameIndex"/>: on every
    /// <see cref="FaceTrackerOptions.DetectInterval"/>-th frame (0, N, 2N, ...), and on every frame
    /// while some track is <see cref="FaceTrackState.Coasting"/>, so a lost face is found again
    /// as soon as possible.
    /// </summary>
    /// <param name="frameIndex">Frame counter, &gt;= 0.</param>
    /// <returns>True to detect and call <see cref="Update"/>; false to call <see cref="Predict"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frameIndex"/> is negative.</exception>
    public bool ShouldDetect(long frameIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameIndex);
        if (frameIndex % _options.DetectInterval == 0)
        {
            return true;
        }

        foreach (var slot in _slots)
        {
            if (slot.Active && slot.State == FaceTrackState.Coasting)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Takes the detections of one frame: matches them to tracks, smooths matched tracks, starts
    /// tracks for new faces, marks missed tracks as coasting and ends those past the grace period.
    /// </summary>
    /// <param name="timestampSeconds">Frame time, seconds, finite, not before the previous call's.</param>
    /// <param name="detections">
    /// Every face the detector found in this frame, frame pixels. Detections with a non-finite
    /// coordinate or an empty box are ignored.
    /// </param>
    /// <returns>The live tracks at this time, by id ascending; valid until the next call.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestampSeconds"/> is not finite or goes back.</exception>
    public IReadOnlyList<FaceTrack> Update(double timestampSeconds, ReadOnlySpan<FaceDetection> detections)
    {
        CheckTimestamp(timestampSeconds);
        EndExpired(timestampSeconds);
        EnsureCapacity(detections.Length);

        var matched = _detectionMatched.AsSpan(0, detections.Length);
        matched.Clear();
        Array.Clear(_slotMatched);

        // Candidate pairs at or above the threshold, against each track's predicted box.
        var count = 0;
        for (var s = 0; s < _slots.Length; s++)
        {
            var slot = _slots[s];
            if (!slot.Active)
            {
                continue;
            }

            _predicted[s] = slot.PredictBox(timestampSeconds, _options.MaxPredictionSeconds);
            for (var d = 0; d < detections.Length; d++)
            {
                if (!IsUsable(detections[d]))
                {
                    continue;
                }

                var iou = _predicted[s].IoU(detections[d].Box);
                if (iou >= _options.IouMatchThreshold)
                {
                    _candidates[count++] = new Candidate(iou, s, d);
                }
            }
        }

        Assign(timestampSeconds, detections, count);

        // Fallback: the pairs left, by centre distance in track box sizes, nearest first.
        if (_options.MaxCentreDistance > 0)
        {
            count = 0;
            for (var s = 0; s < _slots.Length; s++)
            {
                if (!_slots[s].Active || _slotMatched[s])
                {
                    continue;
                }

                var p = _predicted[s];
                var size = (p.Width + p.Height) / 2;
                for (var d = 0; d < detections.Length; d++)
                {
                    if (matched[d] || !IsUsable(detections[d]) || !(size > 0))
                    {
                        continue;
                    }

                    var b = detections[d].Box;
                    var dx = (b.X + (b.Width / 2)) - (p.X + (p.Width / 2));
                    var dy = (b.Y + (b.Height / 2)) - (p.Y + (p.Height / 2));
                    var distance = MathF.Sqrt((dx * dx) + (dy * dy)) / size;
                    if (distance <= _options.MaxCentreDistance)
                    {
                        // Negated so that the same descending sort puts the nearest first.
                        _candidates[count++] = new Candidate(-distance, s, d);
                    }
                }
            }

            Assign(timestampSeconds, detections, count);
        }

        for (var s = 0; s < _slots.Length; s++)
        {
            if (_slots[s].Active && !_slotMatched[s])
            {
                _slots[s].State = FaceTrackState.Coasting;
            }
        }

        // New tracks for the unmatched detections, highest score first, while slots are free.
        while (true)
        {
            var free = FreeSlot();
            if (free < 0)
            {
                break;
            }

            var best = -1;
            for (var d = 0; d < detections.Length; d++)
            {
                if (!matched[d] && IsUsable(detections[d]) && (best < 0 || detections[d].Score > detections[best].Score))
                {
                    best = d;
                }
            }

            if (best < 0)
            {
                break;
            }

            matched[best] = true;
            _slots[free].Start(++_lastId, timestampSeconds, detections[best]);
        }

        return Publish(timestampSeconds);
    }

    /// <summary>
    /// Advances to a frame the detector did not run on: predicts every track to
    /// <paramref name="timestampSeconds"/> and ends those past the grace period. Track states are
    /// unchanged.
    /// </summary>
    /// <param name="timestampSeconds">Frame time, seconds, finite, not before the previous call's.</param>
    /// <returns>The live tracks at this time, by id ascending; valid until the next call.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestampSeconds"/> is not finite or goes back.</exception>
    public IReadOnlyList<FaceTrack> Predict(double timestampSeconds)
    {
        CheckTimestamp(timestampSeconds);
        EndExpired(timestampSeconds);
        return Publish(timestampSeconds);
    }

    /// <summary>Greedy assignment of the first <paramref name="count"/> candidates, key descending.</summary>
    private void Assign(double timestampSeconds, ReadOnlySpan<FaceDetection> detections, int count)
    {
        var candidates = _candidates.AsSpan(0, count);
        candidates.Sort();
        foreach (var c in candidates)
        {
            if (_slotMatched[c.Slot] || _detectionMatched[c.Detection])
            {
                continue;
            }

            _slotMatched[c.Slot] = true;
            _detectionMatched[c.Detection] = true;
            _slots[c.Slot].Measure(timestampSeconds, detections[c.Detection]);
        }
    }

    /// <summary>Ends every track and forgets the last timestamp. Ids keep counting up.</summary>
    public void Reset()
    {
        foreach (var slot in _slots)
        {
            slot.Active = false;
        }

        _output.Clear();
        _lastTimestamp = double.NegativeInfinity;
    }

    private static bool IsUsable(in FaceDetection d) =>
        float.IsFinite(d.Box.X) && float.IsFinite(d.Box.Y) && d.Box.Width > 0 && d.Box.Height > 0
        && float.IsFinite(d.Box.Width) && float.IsFinite(d.Box.Height)
        && float.IsFinite(d.Landmarks.RightEye.X) && float.IsFinite(d.Landmarks.RightEye.Y)
        && float.IsFinite(d.Landmarks.LeftEye.X) && float.IsFinite(d.Landmarks.LeftEye.Y)
        && float.IsFinite(d.Landmarks.Nose.X) && float.IsFinite(d.Landmarks.Nose.Y)
        && float.IsFinite(d.Landmarks.RightMouth.X) && float.IsFinite(d.Landmarks.RightMouth.Y)
        && float.IsFinite(d.Landmarks.LeftMouth.X) && float.IsFinite(d.Landmarks.LeftMouth.Y);

    private void CheckTimestamp(double timestampSeconds)
    {
        if (!double.IsFinite(timestampSeconds) || timestampSeconds < _lastTimestamp)
        {
            throw new ArgumentOutOfRangeException(nameof(timestampSeconds), timestampSeconds, "must be finite and not before the previous timestamp");
        }

        _lastTimestamp = timestampSeconds;
    }

    private void EndExpired(double timestampSeconds)
    {
        foreach (var slot in _slots)
        {
            if (slot.Active && timestampSeconds - slot.LastSeen > _options.GracePeriodSeconds)
            {
                slot.Active = false;
            }
        }
    }

    private void EnsureCapacity(int detections)
    {
        if (_detectionMatched.Length < detections)
        {
            var size = Math.Max(detections, _detectionMatched.Length * 2);
            _detectionMatched = new bool[size];
            _candidates = new Candidate[size * _slots.Length];
        }
    }

    private int FreeSlot()
    {
        for (var s = 0; s < _slots.Length; s++)
        {
            if (!_slots[s].Active)
            {
                return s;
            }
        }

        return -1;
    }

    private List<FaceTrack> Publish(double timestampSeconds)
    {
        _output.Clear();
        foreach (var slot in _slots)
        {
            if (slot.Active)
            {
                _output.Add(slot.Output(timestampSeconds, _options.MaxPredictionSeconds));
            }
        }

        // Insertion sort by id: a handful of items, no delegate.
        for (var i = 1; i < _output.Count; i++)
        {
            var item = _output[i];
            var j = i - 1;
            while (j >= 0 && _output[j].Id > item.Id)
            {
                _output[j + 1] = _output[j];
                j--;
            }

            _output[j + 1] = item;
        }

        return _output;
    }

    /// <summary>One (track, detection) pair; sorts by key descending, then track, then detection.</summary>
    private readonly record struct Candidate(float Key, int Slot, int Detection) : IComparable<Candidate>
    {
        public int CompareTo(Candidate other)
        {
            var c = other.Key.CompareTo(Key);
            if (c != 0)
            {
                return c;
            }

            c = Slot.CompareTo(other.Slot);
            return c != 0 ? c : Detection.CompareTo(other.Detection);
        }
    }

    /// <summary>One track's state; allocated once per slot and reused across tracks.</summary>
    private sealed class Slot
    {
        private readonly OneEuroParameters _smoothing;
        private readonly OneEuroFilter[] _filters = new OneEuroFilter[Components];
        private readonly double[] _velocity = new double[Components];
        private readonly double[] _raw = new double[Components];
        private readonly double[] _scratch = new double[Components];

        public Slot(OneEuroParameters smoothing)
        {
            _smoothing = smoothing;
            for (var i = 0; i < Components; i++)
            {
                _filters[i] = new OneEuroFilter(smoothing);
            }
        }

        public bool Active { get; set; }

        public uint Id { get; private set; }

        public FaceTrackState State { get; set; }

        /// <summary>Timestamp of the last matched detection, seconds.</summary>
        public double LastSeen { get; private set; }

        private float Score { get; set; }

        public void Start(uint id, double timestampSeconds, in FaceDetection detection)
        {
            Id = id;
            Active = true;
            State = FaceTrackState.Confirmed;
            LastSeen = timestampSeconds;
            Score = detection.Score;
            Unpack(detection, _raw);
            for (var i = 0; i < Components; i++)
            {
                _filters[i].Reset();
                _filters[i].Update(timestampSeconds, _raw[i]);
                _velocity[i] = 0;
            }
        }

        public void Measure(double timestampSeconds, in FaceDetection detection)
        {
            var te = timestampSeconds - LastSeen;
            Unpack(detection, _raw);
            if (te > 0)
            {
                // Speed of the smoothed coordinate, itself low-passed at the derivative cutoff
                // so that prediction does not amplify what jitter is left.
                var tau = 1.0 / (2 * Math.PI * _smoothing.DerivativeCutoffHz);
                var alpha = 1.0 / (1.0 + (tau / te));
                for (var i = 0; i < Components; i++)
                {
                    var before = _filters[i].Value;
                    var after = _filters[i].Update(timestampSeconds, _raw[i]);
                    _velocity[i] += alpha * (((after - before) / te) - _velocity[i]);
                }
            }

            LastSeen = timestampSeconds;
            State = FaceTrackState.Confirmed;
            Score = detection.Score;
        }

        public BoxF PredictBox(double timestampSeconds, double maxPredictionSeconds)
        {
            var dt = Math.Clamp(timestampSeconds - LastSeen, 0, maxPredictionSeconds);
            var cx = _filters[0].Value + (_velocity[0] * dt);
            var cy = _filters[1].Value + (_velocity[1] * dt);
            var w = Math.Max(0, _filters[2].Value + (_velocity[2] * dt));
            var h = Math.Max(0, _filters[3].Value + (_velocity[3] * dt));
            return new BoxF((float)(cx - (w / 2)), (float)(cy - (h / 2)), (float)w, (float)h);
        }

        public FaceTrack Output(double timestampSeconds, double maxPredictionSeconds)
        {
            var dt = Math.Clamp(timestampSeconds - LastSeen, 0, maxPredictionSeconds);
            for (var i = 0; i < Components; i++)
            {
                _scratch[i] = _filters[i].Value + (_velocity[i] * dt);
            }

            var w = Math.Max(0, _scratch[2]);
            var h = Math.Max(0, _scratch[3]);
            var box = new BoxF((float)(_scratch[0] - (w / 2)), (float)(_scratch[1] - (h / 2)), (float)w, (float)h);
            var landmarks = new FiveLandmarks(
                Point(_scratch, 4),
                Point(_scratch, 6),
                Point(_scratch, 8),
                Point(_scratch, 10),
                Point(_scratch, 12));
            return new FaceTrack(Id, box, landmarks, Score, State, Math.Max(0, timestampSeconds - LastSeen));
        }

        private static PointF Point(double[] v, int i) => new((float)v[i], (float)v[i + 1]);

        private static void Unpack(in FaceDetection d, double[] v)
        {
            v[0] = d.Box.X + (d.Box.Width / 2.0);
            v[1] = d.Box.Y + (d.Box.Height / 2.0);
            v[2] = d.Box.Width;
            v[3] = d.Box.Height;
            var l = d.Landmarks;
            v[4] = l.RightEye.X;
            v[5] = l.RightEye.Y;
            v[6] = l.LeftEye.X;
            v[7] = l.LeftEye.Y;
            v[8] = l.Nose.X;
            v[9] = l.Nose.Y;
            v[10] = l.RightMouth.X;
            v[11] = l.RightMouth.Y;
            v[12] = l.LeftMouth.X;
            v[13] = l.LeftMouth.Y;
        }
    }
}
