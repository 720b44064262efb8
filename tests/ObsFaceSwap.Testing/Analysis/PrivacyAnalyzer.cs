using System.Text.Json;
using System.Text.Json.Serialization;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Video;

namespace ObsFaceSwap.Testing.Analysis;

/// <summary>How strict <see cref="PrivacyAnalyzer"/> is.</summary>
public sealed record PrivacyTolerances
{
    /// <summary>
    /// A face part counts as shown raw when its mean absolute difference (0..255) from a clip
    /// frame's same part is at most this. An x264 recording of the unmasked clip stays near 2-4.
    /// </summary>
    public double RawFaceMad { get; init; } = 10.0;

    /// <summary>Largest mean absolute difference (0..255) for "the rest matches the source".</summary>
    public double RestMad { get; init; } = 6.0;

    /// <summary>
    /// Padding around each face core left out of the "rest" comparison, as a fraction of the
    /// core's width (left and right) and height (top and bottom): where a mask of the detected
    /// face box (with the filter's padding, a few frames of latency) may legitimately lie.
    /// </summary>
    public double MaskAllowance { get; init; } = 1.0;

    /// <summary>
    /// Largest mean absolute difference (0..255) of the barcode strip from the clip frame it
    /// names for "the barcode is intact". A whole-frame mask (pixelate, blur or solid) wipes the
    /// black and white blocks out (differences near 100); face masks never reach the strip.
    /// </summary>
    public double BarcodeMad { get; init; } = 20.0;
}

/// <summary>One of the clip's faces: its core (eyes, nose, mouth) in the face strip's coordinates.</summary>
/// <param name="Name">A label.</param>
/// <param name="X">Left edge relative to <see cref="ClipSpec.FaceStripX"/>.</param>
/// <param name="Y">Top edge relative to <see cref="ClipSpec.FaceTop"/>.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
public sealed record FaceCore(string Name, int X, int Y, int Width, int Height)
{
    /// <summary>
    /// The cores of the default clip (faces 220 px high, gap 10): checked by eye on crops of the
    /// fixtures scaled as the clip scales them (astronaut 220x220, Grace Hopper 188x220 from
    /// x = 230). Astronaut: both eyes to the bottom of the smile. Hopper: both eyes inside the
    /// glasses to the lips.
    /// </summary>
    /// <param name="spec">The clip's spec (only the default face height and gap are known).</param>
    /// <returns>The two cores.</returns>
    public static IReadOnlyList<FaceCore> ForClip(ClipSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.FaceHeight != 220 || spec.FaceGap != 10)
        {
            throw new NotSupportedException("Face cores are known only for FaceHeight 220 and FaceGap 10.");
        }

        return [new FaceCore("astronaut", 81, 36, 34, 33), new FaceCore("hopper", 298, 62, 62, 44)];
    }

    /// <summary>Where the core lies in a clip frame.</summary>
    /// <param name="spec">The clip's spec.</param>
    /// <param name="clipFrame">The clip frame index.</param>
    /// <returns>The rectangle.</returns>
    public FrameRegion In(ClipSpec spec, int clipFrame)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new FrameRegion(spec.FaceStripX(clipFrame) + X, spec.FaceTop + Y, Width, Height);
    }
}

/// <summary>One recorded frame judged for privacy.</summary>
/// <param name="Index">Frame index in the recording.</param>
/// <param name="TimeSeconds">Its time in the recording.</param>
/// <param name="ClipIndex">The clip frame the barcode names (may be garbage when the barcode is masked).</param>
/// <param name="RawFace">Some face part matches some clip frame's same part: a raw face was shown.</param>
/// <param name="RawFaceName">Which face part matched best ("" when none did).</param>
/// <param name="RawFaceClipIndex">The clip frame whose face part matched best.</param>
/// <param name="MinFaceMad">Smallest difference of any face part from any clip frame's same part.</param>
/// <param name="RestMad">Difference from the barcode's clip frame outside the faces and the barcode (NaN: barcode unreadable).</param>
/// <param name="RestClose">The rest matches the source.</param>
/// <param name="BarcodeMad">Difference of the barcode strip from the clip frame it names (NaN: unreadable).</param>
/// <param name="WholeMasked">The barcode is not intact: the frame is masked as a whole (failing closed).</param>
public sealed record PrivacyFrameVerdict(
    int Index,
    double TimeSeconds,
    int ClipIndex,
    bool RawFace,
    string RawFaceName,
    int RawFaceClipIndex,
    double MinFaceMad,
    double RestMad,
    bool RestClose,
    double BarcodeMad,
    bool WholeMasked);

/// <summary>
/// Judges recordings of privacy mode against the clip. "Raw face shown": for ANY clip frame j,
/// a part (upper half: eyes; lower half: nose and mouth) of a face core at its place in frame j
/// matches clip frame j there. Checking every j needs neither the barcode nor the latency, so
/// it also judges frames masked as a whole. "Rest close": outside the faces (with
/// <see cref="PrivacyTolerances.MaskAllowance"/>) and the barcode, the frame matches the clip
/// frame its barcode names. "Masked as a whole": the barcode strip does not match the clip
/// frame it names (a face mask never reaches it).
/// </summary>
public sealed class PrivacyAnalyzer
{
    private readonly IReadOnlyList<VideoFrame> _clipFrames;
    private readonly ClipSpec _spec;
    private readonly IReadOnlyList<FaceCore> _faces;

    /// <summary>Creates an analyzer for one clip.</summary>
    /// <param name="clipFrames">The clip's decoded frames (index = clip frame index).</param>
    /// <param name="spec">The clip's spec.</param>
    /// <param name="tolerances">The tolerances; null for the defaults.</param>
    public PrivacyAnalyzer(IReadOnlyList<VideoFrame> clipFrames, ClipSpec spec, PrivacyTolerances? tolerances = null)
    {
        ArgumentNullException.ThrowIfNull(clipFrames);
        ArgumentNullException.ThrowIfNull(spec);
        _clipFrames = clipFrames;
        _spec = spec;
        _faces = FaceCore.ForClip(spec);
        Tolerances = tolerances ?? new PrivacyTolerances();
    }

    /// <summary>The tolerances in use.</summary>
    public PrivacyTolerances Tolerances { get; }

    /// <summary>The face cores.</summary>
    public IReadOnlyList<FaceCore> Faces => _faces;

    /// <summary>The parts compared for "raw face shown": each core's upper and lower half, in clip frame <paramref name="clipFrame"/>.</summary>
    /// <param name="clipFrame">The clip frame index.</param>
    /// <returns>(label, region) pairs.</returns>
    public IEnumerable<(string Name, FrameRegion Region)> FaceParts(int clipFrame)
    {
        foreach (var face in _faces)
        {
            var core = face.In(_spec, clipFrame);
            var upper = core.Height / 2;
            yield return ($"{face.Name}-eyes", core with { Height = upper });
            yield return ($"{face.Name}-mouth", core with { Y = core.Y + upper, Height = core.Height - upper });
        }
    }

    /// <summary>The regions left out of the "rest" comparison in clip frame <paramref name="clipFrame"/>: each core with the mask allowance, clipped to below the barcode.</summary>
    /// <param name="clipFrame">The clip frame index.</param>
    /// <returns>The regions (they do not overlap).</returns>
    public IReadOnlyList<FrameRegion> MaskedRegions(int clipFrame)
    {
        var regions = new List<FrameRegion>(_faces.Count);
        foreach (var face in _faces)
        {
            var core = face.In(_spec, clipFrame);
            var padX = (int)Math.Ceiling(core.Width * Tolerances.MaskAllowance);
            var padY = (int)Math.Ceiling(core.Height * Tolerances.MaskAllowance);
            var left = Math.Max(0, core.X - padX);
            var top = Math.Max(_spec.BarcodeHeight, core.Y - padY);
            var right = Math.Min(_spec.Width, core.X + core.Width + padX);
            var bottom = Math.Min(_spec.Height, core.Y + core.Height + padY);
            regions.Add(new FrameRegion(left, top, right - left, bottom - top));
        }

        for (var i = 0; i < regions.Count; i++)
        {
            for (var k = i + 1; k < regions.Count; k++)
            {
                var a = regions[i];
                var b = regions[k];
                if (a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height)
                {
                    throw new InvalidOperationException($"The mask allowance {Tolerances.MaskAllowance} makes the faces' regions overlap.");
                }
            }
        }

        return regions;
    }

    /// <summary>Judges one recorded frame.</summary>
    /// <param name="recorded">The recorded frame (clip size).</param>
    /// <param name="fps">The recording's frame rate.</param>
    /// <returns>The verdict.</returns>
    public PrivacyFrameVerdict Analyze(VideoFrame recorded, double fps)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var minMad = double.MaxValue;
        var minName = "";
        var minClip = -1;
        for (var j = 0; j < _clipFrames.Count; j++)
        {
            foreach (var (name, region) in FaceParts(j))
            {
                var mad = ImageCompare.MeanAbsoluteDifference(recorded, _clipFrames[j], region);
                if (mad < minMad)
                {
                    minMad = mad;
                    minName = name;
                    minClip = j;
                }
            }
        }

        var raw = minMad <= Tolerances.RawFaceMad;
        var clipIndex = FrameIndexBarcode.Decode(recorded, _spec.BarcodeHeight);
        var restMad = clipIndex < _clipFrames.Count ? RestDifference(recorded, _clipFrames[clipIndex], clipIndex) : double.NaN;
        var barcodeMad = clipIndex < _clipFrames.Count
            ? ImageCompare.MeanAbsoluteDifference(recorded, _clipFrames[clipIndex], new FrameRegion(0, 0, _spec.Width, _spec.BarcodeHeight))
            : double.NaN;
        return new PrivacyFrameVerdict(
            recorded.Index,
            recorded.Index / fps,
            clipIndex,
            raw,
            raw ? minName : "",
            minClip,
            Math.Round(minMad, 3),
            Math.Round(restMad, 3),
            restMad <= Tolerances.RestMad,
            Math.Round(barcodeMad, 3),
            !(barcodeMad <= Tolerances.BarcodeMad));
    }

    /// <summary>Decodes a recording and judges every frame.</summary>
    /// <param name="recordingPath">The recording.</param>
    /// <param name="cancellationToken">Cancels the analysis.</param>
    /// <returns>The report.</returns>
    public async Task<PrivacyReport> AnalyzeRecordingAsync(string recordingPath, CancellationToken cancellationToken = default)
    {
        var probe = await FfmpegVideo.ProbeAsync(recordingPath, cancellationToken).ConfigureAwait(false);
        var fps = probe.FrameRate > 0 ? probe.FrameRate : _spec.Fps;
        var frames = new List<VideoFrame>();
        await foreach (var frame in FfmpegVideo.DecodeAsync(recordingPath, _spec.Width, _spec.Height, cancellationToken).ConfigureAwait(false))
        {
            frames.Add(frame);
        }

        var verdicts = new PrivacyFrameVerdict[frames.Count];
        Parallel.For(0, frames.Count, new ParallelOptions { CancellationToken = cancellationToken }, i => verdicts[i] = Analyze(frames[i], fps));
        return new PrivacyReport(recordingPath, probe, fps, Tolerances, verdicts);
    }

    private double RestDifference(VideoFrame recorded, VideoFrame clip, int clipIndex)
    {
        var below = new FrameRegion(0, _spec.BarcodeHeight, _spec.Width, _spec.Height - _spec.BarcodeHeight);
        var sum = ImageCompare.SumAbsoluteDifference(recorded, clip, below, invertB: false);
        long area = below.Area;
        foreach (var region in MaskedRegions(clipIndex))
        {
            sum -= ImageCompare.SumAbsoluteDifference(recorded, clip, region, invertB: false);
            area -= region.Area;
        }

        return (double)sum / (3L * area);
    }
}

/// <summary>Every recorded frame's privacy verdict, with the summaries the tests assert on.</summary>
/// <param name="RecordingPath">The analysed recording.</param>
/// <param name="Probe">Its streams.</param>
/// <param name="Fps">The frame rate used for times.</param>
/// <param name="Tolerances">The tolerances used.</param>
/// <param name="Frames">Per-frame verdicts.</param>
public sealed record PrivacyReport(
    string RecordingPath,
    VideoProbe Probe,
    double Fps,
    PrivacyTolerances Tolerances,
    IReadOnlyList<PrivacyFrameVerdict> Frames)
{
    /// <summary>Frames showing a raw face.</summary>
    public int RawFaceFrames => Frames.Count(f => f.RawFace);

    /// <summary>Frames masked as a whole (barcode not intact).</summary>
    public int WholeMaskedFrames => Frames.Count(f => f.WholeMasked);

    /// <summary>Frames whose rest (outside the faces) does not match the source.</summary>
    public int RestNotCloseFrames => Frames.Count(f => !f.RestClose);

    /// <summary>Smallest face-part difference over the recording (how far from "raw" the closest frame came).</summary>
    public double MinFaceMad => Frames.Count == 0 ? double.NaN : Frames.Min(f => f.MinFaceMad);

    /// <summary>Frames from a time on.</summary>
    /// <param name="fromSeconds">The time.</param>
    /// <returns>The frames.</returns>
    public IEnumerable<PrivacyFrameVerdict> From(double fromSeconds) => Frames.Where(f => f.TimeSeconds >= fromSeconds);

    /// <summary>Share of frames from a time on whose rest matches the source.</summary>
    /// <param name="fromSeconds">The time.</param>
    /// <returns>0..1 (0 when there are no frames).</returns>
    public double FractionRestClose(double fromSeconds = 0)
    {
        var frames = From(fromSeconds).ToList();
        return frames.Count == 0 ? 0 : frames.Count(f => f.RestClose) / (double)frames.Count;
    }

    /// <summary>Runs of frames masked as a whole, in order (one still open at the end included).</summary>
    /// <returns>The runs.</returns>
    public IReadOnlyList<FrameRun> WholeMaskedRuns() => ReportMath.Runs(Frames, f => f.Index, f => f.WholeMasked, Fps);

    /// <summary>A short human-readable summary.</summary>
    /// <param name="fromSeconds">Warm-up to leave out of the share.</param>
    /// <returns>One line.</returns>
    public string Summary(double fromSeconds) =>
        $"{Frames.Count} frames ({Probe.VideoCodec} {Probe.Width}x{Probe.Height} @ {Fps:0.##} fps); "
        + $"raw face shown in {RawFaceFrames}; smallest face-part MAD {MinFaceMad:0.00} (raw at <= {Tolerances.RawFaceMad:0.#}); "
        + $"rest close to the source in {Frames.Count - RestNotCloseFrames} (from {fromSeconds:0.#} s: {FractionRestClose(fromSeconds):P1}); "
        + $"masked as a whole in {WholeMaskedFrames}; median rest MAD {Median(Frames.Select(f => f.RestMad)):0.00}";

    /// <summary>Writes the report as JSON (every frame's verdict).</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>A task that completes when written.</returns>
    public Task WriteJsonAsync(string path) => ReportMath.WriteJsonAsync(this, path);

    private static double Median(IEnumerable<double> values) => ReportMath.Median(values);
}
