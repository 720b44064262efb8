using System.Diagnostics;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline.Faces;
using ObsFaceSwap.Host.Stats;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Host.Pipeline;

/// <summary>
/// The ordered stages of one channel for each mode, each stage timed into its own reservoir.
/// <see cref="PipelineMode.Diagnostic"/> runs the diagnostic stage, <see cref="PipelineMode.Privacy"/>
/// face detection then tracking, <see cref="PipelineMode.Swap"/> detection, tracking and
/// swapping, <see cref="PipelineMode.Off"/> nothing. A stage may serve several modes.
/// </summary>
internal sealed class FramePipeline
{
    private readonly IFrameStage[] _stages;
    private readonly int[] _modes; // bit (1 << mode) per mode the stage runs in
    private readonly LatencyReservoir[] _times;

    /// <summary>A pipeline whose stages all run in diagnostic mode (tests, and the diagnostic-only host).</summary>
    public FramePipeline(IReadOnlyList<IFrameStage> stages)
        : this(stages.Select(s => (PipelineMode.Diagnostic, s)).ToArray())
    {
    }

    /// <summary>
    /// A pipeline from (mode, stage) pairs; stages of one mode run in the given order. A stage
    /// listed for several modes is one stage (one set of statistics), at its first place.
    /// </summary>
    public FramePipeline(IReadOnlyList<(PipelineMode Mode, IFrameStage Stage)> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        _stages = stages.Select(s => s.Stage).Distinct(ReferenceEqualityComparer.Instance).Cast<IFrameStage>().ToArray();
        _modes = _stages.Select(stage => stages.Where(s => ReferenceEquals(s.Stage, stage)).Aggregate(0, (bits, s) => bits | (1 << (int)s.Mode))).ToArray();
        _times = new LatencyReservoir[_stages.Length];
        for (var i = 0; i < _times.Length; i++)
        {
            _times[i] = new LatencyReservoir();
        }
    }

    /// <summary>The diagnostic pipeline only (no face detector).</summary>
    public static FramePipeline CreateDefault() => new([new DiagnosticStage()]);

    /// <summary>
    /// Every mode's stages: diagnostic, and privacy (detect, track). The detector is created by
    /// <paramref name="detectorFactory"/> on the first privacy frame of the channel, on its thread,
    /// for the execution provider of the channel's settings (again, once, when that changes).
    /// </summary>
    /// <param name="detectorFactory">Opens the channel's face detector for a provider.</param>
    /// <param name="swapFactory">Creates the channel's swap engine on its first swap frame; null: swap mode reports every face unswapped (masked).</param>
    public static FramePipeline Create(Func<ExecutionProvider, IFaceDetector> detectorFactory, Func<SwapEngine>? swapFactory = null)
    {
        var faces = new FaceFrameState();
        var detect = new FaceDetectStage(detectorFactory, faces);
        var track = new FaceTrackStage(faces);
        var swap = new FaceSwapStage(swapFactory ?? (() => new SwapEngine(
            id => throw new InvalidOperationException("this host was started without the swap models"),
            () => detectorFactory(ExecutionProvider.Cpu),
            _ => throw new InvalidOperationException("this host cannot read images"))), faces);
        return new FramePipeline(
        [
            (PipelineMode.Diagnostic, new DiagnosticStage()),
            (PipelineMode.Privacy, detect),
            (PipelineMode.Privacy, track),
            (PipelineMode.Swap, detect),
            (PipelineMode.Swap, track),
            (PipelineMode.Swap, swap),
        ]);
    }

    /// <summary>
    /// <see cref="Create(Func{ExecutionProvider, IFaceDetector}, Func{SwapEngine})"/> with a factory that ignores the
    /// provider setting (tests with stand-in detectors).
    /// </summary>
    public static FramePipeline Create(Func<IFaceDetector> detectorFactory)
    {
        ArgumentNullException.ThrowIfNull(detectorFactory);
        return Create(_ => detectorFactory());
    }

    /// <summary>Runs the stages of <paramref name="mode"/> in order. A stage's exception propagates.</summary>
    public void Run(in FrameContext frame, ResultBuilder result, PipelineMode mode)
    {
        if (mode == PipelineMode.Off)
        {
            return;
        }

        for (var i = 0; i < _stages.Length; i++)
        {
            if ((_modes[i] & (1 << (int)mode)) == 0)
            {
                continue;
            }

            var start = Stopwatch.GetTimestamp();
            _stages[i].Process(frame, result);
            _times[i].Record(Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>Per-stage statistics, in pipeline order (stages that never ran have count 0).</summary>
    public StageStats[] SnapshotStages()
    {
        var stats = new StageStats[_stages.Length];
        for (var i = 0; i < stats.Length; i++)
        {
            var s = _times[i].Snapshot();
            stats[i] = new StageStats(_stages[i].Name, s.Count, s.MeanMs, s.P95Ms, s.MaxMs);
        }

        return stats;
    }

    /// <summary>Disposes stages that own resources (the detector's session).</summary>
    public void DisposeStages()
    {
        foreach (var stage in _stages)
        {
            (stage as IDisposable)?.Dispose();
        }
    }
}
