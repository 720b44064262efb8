using System.Text.Json;
using System.Text.Json.Serialization;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Video;

namespace ObsFaceSwap.Testing.Analysis;

/// <summary>What the central rectangle of a recorded frame shows.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CentreState>))]
public enum CentreState
{
    /// <summary>The colour-inverted source of a recent clip frame: a fresh diagnostic result.</summary>
    Inverted,

    /// <summary>The source unchanged: no result composited.</summary>
    Source,

    /// <summary>Neither (a stale result, a torn patch, or garbage).</summary>
    Other,

    /// <summary>The frame's clip index could not be read.</summary>
    Unidentified,
}

/// <summary>How close a recording must be to the clip.</summary>
public sealed record AnalysisTolerances
{
    /// <summary>Largest mean absolute difference (0..255) for "matches" outside the centre.</summary>
    public double OutsideMad { get; init; } = 6.0;

    /// <summary>Largest mean absolute difference (0..255) for "matches" inside the centre.</summary>
    public double CentreMad { get; init; } = 8.0;

    /// <summary>How many frames the inverted centre may lag behind the frame around it.</summary>
    public int MaxLatencyFrames { get; init; } = 6;

    /// <summary>Pixels kept away from the centre rectangle's edges, where 4:2:0 chroma mixes both sides.</summary>
    public int EdgeMargin { get; init; } = 2;
}

/// <summary>One recorded frame compared with the clip.</summary>
/// <param name="Index">Frame index in the recording.</param>
/// <param name="TimeSeconds">Its time in the recording (index / fps).</param>
/// <param name="ClipIndex">The clip frame it shows (from the barcode).</param>
/// <param name="OutsideMad">Difference from that clip frame outside the centre.</param>
/// <param name="InvertedMad">Smallest difference of the centre from an inverted clip frame within the latency window.</param>
/// <param name="InvertedLag">The lag (frames) of that best inverted match.</param>
/// <param name="SourceMad">Smallest difference of the centre from an unchanged clip frame within the window.</param>
/// <param name="Centre">The verdict on the centre.</param>
public sealed record FrameVerdict(
    int Index,
    double TimeSeconds,
    int ClipIndex,
    double OutsideMad,
    double InvertedMad,
    int InvertedLag,
    double SourceMad,
    CentreState Centre);

/// <summary>
/// Compares recorded frames with the clip for the diagnostic stage: outside the centre the
/// frame must equal the clip frame it shows; inside, the inverted clip frame of up to
/// <see cref="AnalysisTolerances.MaxLatencyFrames"/> earlier (pipeline latency).
/// </summary>
public sealed class DiagnosticAnalyzer
{
    private readonly IReadOnlyList<VideoFrame> _clipFrames;
    private readonly ClipSpec _spec;
    private readonly FrameRegion _centre;
    private readonly FrameRegion _centreInner;
    private readonly FrameRegion _centreOuter;

    /// <summary>Creates an analyzer for one clip.</summary>
    /// <param name="clipFrames">The clip's decoded frames (index = clip frame index).</param>
    /// <param name="spec">The clip's spec.</param>
    /// <param name="tolerances">The tolerances; null for the defaults.</param>
    public DiagnosticAnalyzer(IReadOnlyList<VideoFrame> clipFrames, ClipSpec spec, AnalysisTolerances? tolerances = null)
    {
        ArgumentNullException.ThrowIfNull(clipFrames);
        ArgumentNullException.ThrowIfNull(spec);
        _clipFrames = clipFrames;
        _spec = spec;
        Tolerances = tolerances ?? new AnalysisTolerances();
        _centre = FrameRegion.Centre(spec.Width, spec.Height);
        _centreInner = _centre.Inset(Tolerances.EdgeMargin);
        _centreOuter = _centre.Inset(-Tolerances.EdgeMargin);
    }

    /// <summary>The tolerances in use.</summary>
    public AnalysisTolerances Tolerances { get; }

    /// <summary>The diagnostic stage's central rectangle.</summary>
    public FrameRegion Centre => _centre;

    /// <summary>Compares one recorded frame with the clip.</summary>
    /// <param name="recorded">The recorded frame (clip size).</param>
    /// <param name="fps">The recording's frame rate.</param>
    /// <returns>The verdict.</returns>
    public FrameVerdict Analyze(VideoFrame recorded, double fps)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var time = recorded.Index / fps;
        var clipIndex = FrameIndexBarcode.Decode(recorded, _spec.BarcodeHeight);
        if (clipIndex >= _clipFrames.Count)
        {
            return new FrameVerdict(recorded.Index, time, clipIndex, double.NaN, double.NaN, -1, double.NaN, CentreState.Unidentified);
        }

        var outside = ImageCompare.MeanAbsoluteDifferenceOutside(recorded, _clipFrames[clipIndex], _centreOuter);
        var invertedMad = double.MaxValue;
        var invertedLag = -1;
        var sourceMad = double.MaxValue;
        for (var lag = 0; lag <= Tolerances.MaxLatencyFrames; lag++)
        {
            // The clip loops, so the frame before 0 is the last one.
            var earlier = _clipFrames[(((clipIndex - lag) % _clipFrames.Count) + _clipFrames.Count) % _clipFrames.Count];
            var inverted = ImageCompare.MeanAbsoluteDifference(recorded, earlier, _centreInner, invertB: true);
            if (inverted < invertedMad)
            {
                invertedMad = inverted;
                invertedLag = lag;
            }

            sourceMad = Math.Min(sourceMad, ImageCompare.MeanAbsoluteDifference(recorded, earlier, _centreInner));
        }

        var state = invertedMad <= Tolerances.CentreMad ? CentreState.Inverted
            : sourceMad <= Tolerances.CentreMad ? CentreState.Source
            : CentreState.Other;
        return new FrameVerdict(recorded.Index, time, clipIndex, outside, invertedMad, invertedLag, sourceMad, state);
    }

    /// <summary>Decodes a recording and compares every frame with the clip.</summary>
    /// <param name="recordingPath">The recording.</param>
    /// <param name="cancellationToken">Cancels the analysis.</param>
    /// <returns>The report.</returns>
    public async Task<DiagnosticReport> AnalyzeRecordingAsync(string recordingPath, CancellationToken cancellationToken = default)
    {
        var probe = await FfmpegVideo.ProbeAsync(recordingPath, cancellationToken).ConfigureAwait(false);
        var fps = probe.FrameRate > 0 ? probe.FrameRate : _spec.Fps;
        var verdicts = new List<FrameVerdict>();
        await foreach (var frame in FfmpegVideo.DecodeAsync(recordingPath, _spec.Width, _spec.Height, cancellationToken).ConfigureAwait(false))
        {
            verdicts.Add(Analyze(frame, fps));
        }

        return new DiagnosticReport(recordingPath, probe, fps, Tolerances, verdicts);
    }
}

/// <summary>Every recorded frame's verdict, with the summaries the tests assert on.</summary>
/// <param name="RecordingPath">The analysed recording.</param>
/// <param name="Probe">Its streams.</param>
/// <param name="Fps">The frame rate used for times.</param>
/// <param name="Tolerances">The tolerances used.</param>
/// <param name="Frames">Per-frame verdicts.</param>
public sealed record DiagnosticReport(
    string RecordingPath,
    VideoProbe Probe,
    double Fps,
    AnalysisTolerances Tolerances,
    IReadOnlyList<FrameVerdict> Frames)
{
    /// <summary>Frames from a time on.</summary>
    /// <param name="fromSeconds">The time.</param>
    /// <returns>The frames.</returns>
    public IEnumerable<FrameVerdict> From(double fromSeconds) => Frames.Where(f => f.TimeSeconds >= fromSeconds);

    /// <summary>Share of frames from a time on whose centre is <paramref name="state"/>.</summary>
    /// <param name="state">The state.</param>
    /// <param name="fromSeconds">The time.</param>
    /// <returns>0..1 (0 when there are no frames).</returns>
    public double Fraction(CentreState state, double fromSeconds = 0)
    {
        var frames = From(fromSeconds).ToList();
        return frames.Count == 0 ? 0 : frames.Count(f => f.Centre == state) / (double)frames.Count;
    }

    /// <summary>Share of frames from a time on that match the clip outside the centre.</summary>
    /// <param name="fromSeconds">The time.</param>
    /// <returns>0..1 (0 when there are no frames).</returns>
    public double FractionOutsideMatching(double fromSeconds = 0)
    {
        var frames = From(fromSeconds).ToList();
        return frames.Count == 0 ? 0 : frames.Count(f => f.OutsideMad <= Tolerances.OutsideMad) / (double)frames.Count;
    }

    /// <summary>The first frame with a fresh inverted centre, or null.</summary>
    public FrameVerdict? FirstInverted => Frames.FirstOrDefault(f => f.Centre == CentreState.Inverted);

    /// <summary>Runs of frames without a fresh result after the first fresh result.</summary>
    /// <returns>The gaps, in order (a gap still open at the end is included).</returns>
    public IReadOnlyList<FrameRun> GapsAfterFirstResult() =>
        FirstInverted is { } first
            ? ReportMath.Runs(Frames.Skip(first.Index), f => f.Index, f => f.Centre != CentreState.Inverted, Fps)
            : [];

    /// <summary>A short human-readable summary.</summary>
    /// <param name="fromSeconds">Warm-up to leave out of the shares.</param>
    /// <returns>One line.</returns>
    public string Summary(double fromSeconds) =>
        $"{Frames.Count} frames ({Probe.VideoCodec} {Probe.Width}x{Probe.Height} @ {Fps:0.##} fps, audio {Probe.AudioCodec ?? "none"}); "
        + $"from {fromSeconds:0.#} s: inverted {Fraction(CentreState.Inverted, fromSeconds):P1}, "
        + $"source {Fraction(CentreState.Source, fromSeconds):P1}, other {Fraction(CentreState.Other, fromSeconds):P1}, "
        + $"unidentified {Fraction(CentreState.Unidentified, fromSeconds):P1}, outside matching {FractionOutsideMatching(fromSeconds):P1}; "
        + $"median outside MAD {Median(From(fromSeconds).Select(f => f.OutsideMad)):0.00}, "
        + $"median inverted MAD {Median(From(fromSeconds).Where(f => f.Centre == CentreState.Inverted).Select(f => f.InvertedMad)):0.00}, "
        + $"median lag {Median(From(fromSeconds).Where(f => f.Centre == CentreState.Inverted).Select(f => (double)f.InvertedLag)):0} frames";

    /// <summary>Writes the report as JSON (every frame's verdict).</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>A task that completes when written.</returns>
    public Task WriteJsonAsync(string path) => ReportMath.WriteJsonAsync(this, path);

    private static double Median(IEnumerable<double> values) => ReportMath.Median(values);
}
