using System.Diagnostics;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Stats;

namespace ObsFaceSwap.Host.Pipeline;

/// <summary>
/// The ordered stages of one channel, each timed into its own reservoir. Which stages run
/// depends on the mode: <see cref="PipelineMode.Diagnostic"/> runs them all (today: the
/// diagnostic stage), <see cref="PipelineMode.Off"/> none.
/// </summary>
internal sealed class FramePipeline
{
    private readonly IFrameStage[] _stages;
    private readonly LatencyReservoir[] _times;

    public FramePipeline(IReadOnlyList<IFrameStage> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        _stages = [.. stages];
        _times = new LatencyReservoir[_stages.Length];
        for (var i = 0; i < _times.Length; i++)
        {
            _times[i] = new LatencyReservoir();
        }
    }

    /// <summary>The pipeline for diagnostic mode.</summary>
    public static FramePipeline CreateDefault() => new([new DiagnosticStage()]);

    /// <summary>Runs the stages for <paramref name="mode"/> in order. A stage's exception propagates.</summary>
    public void Run(in FrameContext frame, ResultBuilder result, PipelineMode mode)
    {
        if (mode == PipelineMode.Off)
        {
            return;
        }

        for (var i = 0; i < _stages.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            _stages[i].Process(frame, result);
            _times[i].Record(Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>Per-stage statistics, in pipeline order.</summary>
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
}
