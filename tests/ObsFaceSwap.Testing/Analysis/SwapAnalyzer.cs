using System.Text.Json;
using System.Text.Json.Serialization;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Video;

namespace ObsFaceSwap.Testing.Analysis;

/// <summary>
/// What a synthetic swap model adds to every pixel of a swapped face, per channel, 0..255:
/// the inswapper stand-in's <c>output[c] = 0.5 * target[c] + sigmoid(latent[c])</c> (values
/// x / 255, channels R, G, B) makes a swapped pixel <c>min(255, 0.5 * source + tint)</c> with
/// <c>tint = 255 * sigmoid(latent[c])</c>. The test computes it from the identity's latent.
/// </summary>
/// <param name="Name">The identity's name.</param>
/// <param name="R">Red tint, 0..255.</param>
/// <param name="G">Green tint, 0..255.</param>
/// <param name="B">Blue tint, 0..255.</param>
public sealed record SwapTint(string Name, double R, double G, double B)
{
    /// <summary>The tint of one channel (0 R, 1 G, 2 B).</summary>
    /// <param name="channel">The channel.</param>
    /// <returns>The tint.</returns>
    public double Channel(int channel) => channel switch { 0 => R, 1 => G, 2 => B, _ => throw new ArgumentOutOfRangeException(nameof(channel)) };

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (R {R:0.0}, G {G:0.0}, B {B:0.0})";
}

/// <summary>How strict <see cref="SwapAnalyzer"/> is.</summary>
public sealed record SwapTolerances
{
    /// <summary>
    /// Fraction of each face core's width and height left out on every side for the tint
    /// comparison, so the region lies well inside the patch's opaque part (for the 128 crop the
    /// feathered mask is 255 from 18 px in; eyes and mouth sit 38 to 98 px in).
    /// </summary>
    public double CoreInset { get; init; } = 0.15;

    /// <summary>
    /// Largest difference (0..255) of any channel's mean over the inner region from the mean
    /// the tint predicts, for "swapped with this tint". Two encodes and the colour conversions
    /// move a region's mean by a few units.
    /// </summary>
    public double TintError { get; init; } = 12.0;

    /// <summary>
    /// The privacy checks (raw face, rest close, masked as a whole). The swap patch (the whole
    /// 128 crop, about 3.7 eye distances wide) reaches further from the core than a privacy
    /// mask of the face box, so the allowance is larger than privacy mode's.
    /// </summary>
    public PrivacyTolerances Privacy { get; init; } = new() { MaskAllowance = 1.5 };
}

/// <summary>One face of one recorded frame judged against the expected tints.</summary>
/// <param name="Face">The face's label (<see cref="FaceCore.Name"/>).</param>
/// <param name="Recorded">Mean R, G, B of the inner region in the recording.</param>
/// <param name="Source">Mean R, G, B of the same region in the clip frame the barcode names.</param>
/// <param name="Closest">The tint whose prediction is nearest ("" when the barcode is unreadable).</param>
/// <param name="Error">Largest channel difference from that prediction (NaN when unreadable).</param>
/// <param name="Errors">Largest channel difference from each tint's prediction, in the order given.</param>
/// <param name="Swapped">The nearest prediction lies within <see cref="SwapTolerances.TintError"/>.</param>
public sealed record SwapFaceVerdict(
    string Face,
    double[] Recorded,
    double[] Source,
    string Closest,
    double Error,
    double[] Errors,
    bool Swapped);

/// <summary>One recorded frame judged for the swap.</summary>
/// <param name="Index">Frame index in the recording.</param>
/// <param name="TimeSeconds">Its time in the recording.</param>
/// <param name="Privacy">The privacy verdict (raw face, rest, masked as a whole) with <see cref="SwapTolerances.Privacy"/>.</param>
/// <param name="Faces">Each face's tint verdict.</param>
public sealed record SwapFrameVerdict(int Index, double TimeSeconds, PrivacyFrameVerdict Privacy, IReadOnlyList<SwapFaceVerdict> Faces)
{
    /// <summary>Every face is swapped with the tint named <paramref name="tint"/>.</summary>
    /// <param name="tint">The tint's name.</param>
    /// <returns>True if so.</returns>
    public bool AllSwappedWith(string tint) => Faces.Count > 0 && Faces.All(f => f.Swapped && f.Closest == tint);

    /// <summary>No face is swapped with any tint (masked, or shown some other way).</summary>
    public bool NoneSwapped => Faces.All(f => !f.Swapped);
}

/// <summary>
/// Judges recordings of swap mode with the synthetic swap model against the clip. Per face,
/// the inner part of its core (<see cref="FaceCore"/>, at its place in the clip frame the
/// barcode names, inset by <see cref="SwapTolerances.CoreInset"/>) is compared with what each
/// candidate <see cref="SwapTint"/> predicts there (<c>min(255, 0.5 * clip + tint)</c> per
/// pixel, averaged per channel): the nearest tint, if within
/// <see cref="SwapTolerances.TintError"/>, is the identity the face was swapped with. Raw-face,
/// rest and whole-frame checks are <see cref="PrivacyAnalyzer"/>'s.
/// </summary>
public sealed class SwapAnalyzer
{
    private readonly IReadOnlyList<VideoFrame> _clipFrames;
    private readonly ClipSpec _spec;
    private readonly PrivacyAnalyzer _privacy;
    private readonly IReadOnlyList<SwapTint> _tints;

    /// <summary>Creates an analyzer for one clip and the tints that may appear.</summary>
    /// <param name="clipFrames">The clip's decoded frames (index = clip frame index).</param>
    /// <param name="spec">The clip's spec.</param>
    /// <param name="tints">The candidate tints (one per identity; names distinct).</param>
    /// <param name="tolerances">The tolerances; null for the defaults.</param>
    public SwapAnalyzer(IReadOnlyList<VideoFrame> clipFrames, ClipSpec spec, IReadOnlyList<SwapTint> tints, SwapTolerances? tolerances = null)
    {
        ArgumentNullException.ThrowIfNull(clipFrames);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(tints);
        if (tints.Count == 0 || tints.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != tints.Count)
        {
            throw new ArgumentException("Give at least one tint, with distinct names.", nameof(tints));
        }

        _clipFrames = clipFrames;
        _spec = spec;
        _tints = tints;
        Tolerances = tolerances ?? new SwapTolerances();
        _privacy = new PrivacyAnalyzer(clipFrames, spec, Tolerances.Privacy);
    }

    /// <summary>The tolerances in use.</summary>
    public SwapTolerances Tolerances { get; }

    /// <summary>The candidate tints.</summary>
    public IReadOnlyList<SwapTint> Tints => _tints;

    /// <summary>The region of a face compared for the tint in clip frame <paramref name="clipFrame"/>.</summary>
    /// <param name="face">The face.</param>
    /// <param name="clipFrame">The clip frame index.</param>
    /// <returns>The inner part of its core.</returns>
    public FrameRegion InnerRegion(FaceCore face, int clipFrame)
    {
        ArgumentNullException.ThrowIfNull(face);
        var core = face.In(_spec, clipFrame);
        var dx = (int)Math.Round(core.Width * Tolerances.CoreInset);
        var dy = (int)Math.Round(core.Height * Tolerances.CoreInset);
        return new FrameRegion(core.X + dx, core.Y + dy, core.Width - (2 * dx), core.Height - (2 * dy));
    }

    /// <summary>Judges one recorded frame.</summary>
    /// <param name="recorded">The recorded frame (clip size).</param>
    /// <param name="fps">The recording's frame rate.</param>
    /// <returns>The verdict.</returns>
    public SwapFrameVerdict Analyze(VideoFrame recorded, double fps)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var privacy = _privacy.Analyze(recorded, fps);
        var clipIndex = privacy.ClipIndex;
        var readable = !privacy.WholeMasked && clipIndex >= 0 && clipIndex < _clipFrames.Count;
        var faces = new List<SwapFaceVerdict>(_privacy.Faces.Count);
        foreach (var face in _privacy.Faces)
        {
            if (!readable)
            {
                faces.Add(new SwapFaceVerdict(face.Name, [], [], "", double.NaN, [], false));
                continue;
            }

            var region = InnerRegion(face, clipIndex);
            var clip = _clipFrames[clipIndex];
            var recordedMean = MeanRgb(recorded, region);
            var sourceMean = MeanRgb(clip, region);
            var errors = new double[_tints.Count];
            for (var t = 0; t < _tints.Count; t++)
            {
                var expected = ExpectedMeanRgb(clip, region, _tints[t]);
                errors[t] = Math.Round(Enumerable.Range(0, 3).Max(c => Math.Abs(recordedMean[c] - expected[c])), 2);
            }

            var best = Array.IndexOf(errors, errors.Min());
            faces.Add(new SwapFaceVerdict(
                face.Name,
                Round(recordedMean),
                Round(sourceMean),
                _tints[best].Name,
                errors[best],
                errors,
                errors[best] <= Tolerances.TintError));
        }

        return new SwapFrameVerdict(recorded.Index, recorded.Index / fps, privacy, faces);
    }

    /// <summary>Decodes a recording and judges every frame.</summary>
    /// <param name="recordingPath">The recording.</param>
    /// <param name="cancellationToken">Cancels the analysis.</param>
    /// <returns>The report.</returns>
    public async Task<SwapReport> AnalyzeRecordingAsync(string recordingPath, CancellationToken cancellationToken = default)
    {
        var probe = await FfmpegVideo.ProbeAsync(recordingPath, cancellationToken).ConfigureAwait(false);
        var fps = probe.FrameRate > 0 ? probe.FrameRate : _spec.Fps;
        var frames = new List<VideoFrame>();
        await foreach (var frame in FfmpegVideo.DecodeAsync(recordingPath, _spec.Width, _spec.Height, cancellationToken).ConfigureAwait(false))
        {
            frames.Add(frame);
        }

        var verdicts = new SwapFrameVerdict[frames.Count];
        Parallel.For(0, frames.Count, new ParallelOptions { CancellationToken = cancellationToken }, i => verdicts[i] = Analyze(frames[i], fps));
        return new SwapReport(recordingPath, probe, fps, Tolerances, _tints, verdicts);
    }

    /// <summary>Mean R, G, B over a region (the frames are BGRA).</summary>
    private static double[] MeanRgb(VideoFrame frame, FrameRegion region)
    {
        long r = 0, g = 0, b = 0;
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            var row = frame.Row(y);
            for (var x = region.X; x < region.X + region.Width; x++)
            {
                b += row[4 * x];
                g += row[(4 * x) + 1];
                r += row[(4 * x) + 2];
            }
        }

        double n = region.Area;
        return [r / n, g / n, b / n];
    }

    /// <summary>Mean R, G, B of <c>min(255, 0.5 * clip + tint)</c> over a region.</summary>
    private static double[] ExpectedMeanRgb(VideoFrame clip, FrameRegion region, SwapTint tint)
    {
        var sums = new double[3];
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            var row = clip.Row(y);
            for (var x = region.X; x < region.X + region.Width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var source = row[(4 * x) + 2 - c]; // BGRA: R at +2, G at +1, B at +0
                    sums[c] += Math.Min(255.0, (0.5 * source) + tint.Channel(c));
                }
            }
        }

        return [sums[0] / region.Area, sums[1] / region.Area, sums[2] / region.Area];
    }

    private static double[] Round(double[] values) => [.. values.Select(v => Math.Round(v, 2))];
}

/// <summary>Every recorded frame's swap verdict, with the summaries the tests assert on.</summary>
/// <param name="RecordingPath">The analysed recording.</param>
/// <param name="Probe">Its streams.</param>
/// <param name="Fps">The frame rate used for times.</param>
/// <param name="Tolerances">The tolerances used.</param>
/// <param name="Tints">The candidate tints.</param>
/// <param name="Frames">Per-frame verdicts.</param>
public sealed record SwapReport(
    string RecordingPath,
    VideoProbe Probe,
    double Fps,
    SwapTolerances Tolerances,
    IReadOnlyList<SwapTint> Tints,
    IReadOnlyList<SwapFrameVerdict> Frames)
{
    /// <summary>Frames showing a raw face.</summary>
    public int RawFaceFrames => Frames.Count(f => f.Privacy.RawFace);

    /// <summary>Frames masked as a whole.</summary>
    public int WholeMaskedFrames => Frames.Count(f => f.Privacy.WholeMasked);

    /// <summary>Smallest face-part difference from any clip frame over the recording (how near "raw" it came).</summary>
    public double MinFaceMad => Frames.Count == 0 ? double.NaN : Frames.Min(f => f.Privacy.MinFaceMad);

    /// <summary>Frames in a time window [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>).</summary>
    /// <param name="fromSeconds">Start.</param>
    /// <param name="toSeconds">End (exclusive).</param>
    /// <returns>The frames.</returns>
    public IReadOnlyList<SwapFrameVerdict> Between(double fromSeconds, double toSeconds = double.PositiveInfinity) =>
        [.. Frames.Where(f => f.TimeSeconds >= fromSeconds && f.TimeSeconds < toSeconds)];

    /// <summary>Share of the frames in a window whose faces are all swapped with <paramref name="tint"/>.</summary>
    /// <param name="tint">The tint's name.</param>
    /// <param name="fromSeconds">Start.</param>
    /// <param name="toSeconds">End (exclusive).</param>
    /// <returns>0..1 (0 when the window is empty).</returns>
    public double FractionSwappedWith(string tint, double fromSeconds, double toSeconds = double.PositiveInfinity)
    {
        var frames = Between(fromSeconds, toSeconds);
        return frames.Count == 0 ? 0 : frames.Count(f => f.AllSwappedWith(tint)) / (double)frames.Count;
    }

    /// <summary>Share of the frames in a window whose rest (outside the faces) matches the source.</summary>
    /// <param name="fromSeconds">Start.</param>
    /// <param name="toSeconds">End (exclusive).</param>
    /// <returns>0..1 (0 when the window is empty).</returns>
    public double FractionRestClose(double fromSeconds, double toSeconds = double.PositiveInfinity)
    {
        var frames = Between(fromSeconds, toSeconds);
        return frames.Count == 0 ? 0 : frames.Count(f => f.Privacy.RestClose) / (double)frames.Count;
    }

    /// <summary>Per face: the median error from each tint's prediction, and the median recorded and source means, over a window.</summary>
    /// <param name="fromSeconds">Start.</param>
    /// <param name="toSeconds">End (exclusive).</param>
    /// <returns>One line per face.</returns>
    public string FaceFigures(double fromSeconds, double toSeconds = double.PositiveInfinity)
    {
        var frames = Between(fromSeconds, toSeconds).Where(f => f.Faces.All(x => x.Recorded.Length == 3)).ToList();
        if (frames.Count == 0)
        {
            return "no frame with a readable barcode";
        }

        var lines = new List<string>();
        for (var i = 0; i < frames[0].Faces.Count; i++)
        {
            var faces = frames.Select(f => f.Faces[i]).ToList();
            var errors = string.Join(", ", Tints.Select((t, k) => $"vs {t.Name} {Median(faces.Select(x => x.Errors[k])):0.0}"));
            lines.Add($"{faces[0].Face}: median max-channel error {errors}; median RGB recorded "
                + $"({Median(faces.Select(x => x.Recorded[0])):0.0}, {Median(faces.Select(x => x.Recorded[1])):0.0}, {Median(faces.Select(x => x.Recorded[2])):0.0}), "
                + $"source ({Median(faces.Select(x => x.Source[0])):0.0}, {Median(faces.Select(x => x.Source[1])):0.0}, {Median(faces.Select(x => x.Source[2])):0.0})");
        }

        return string.Join("; ", lines);
    }

    /// <summary>A short human-readable summary.</summary>
    /// <param name="fromSeconds">Warm-up to leave out of the shares.</param>
    /// <returns>One line.</returns>
    public string Summary(double fromSeconds) =>
        $"{Frames.Count} frames ({Probe.VideoCodec} {Probe.Width}x{Probe.Height} @ {Fps:0.##} fps); "
        + $"raw face shown in {RawFaceFrames}; smallest face-part MAD {MinFaceMad:0.00} (raw at <= {Tolerances.Privacy.RawFaceMad:0.#}); "
        + $"from {fromSeconds:0.#} s: " + string.Join(", ", Tints.Select(t => $"all faces swapped with {t.Name} {FractionSwappedWith(t.Name, fromSeconds):P1}"))
        + $", no face swapped {(Between(fromSeconds).Count == 0 ? 0 : Between(fromSeconds).Count(f => f.NoneSwapped) / (double)Between(fromSeconds).Count):P1}"
        + $", rest close {FractionRestClose(fromSeconds):P1}; masked as a whole in {WholeMaskedFrames}";

    /// <summary>Writes the report as JSON (every frame's verdict).</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>A task that completes when written.</returns>
    public Task WriteJsonAsync(string path) => ReportMath.WriteJsonAsync(this, path);

    private static double Median(IEnumerable<double> values) => ReportMath.Median(values);
}
