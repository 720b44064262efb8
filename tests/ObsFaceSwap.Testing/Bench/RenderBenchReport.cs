using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ObsFaceSwap.Testing.Bench;

/// <summary>The filter's render-callback figures over one phase of the render benchmark.</summary>
/// <param name="Callbacks">Render callbacks in the window (<c>renderCount</c> delta).</param>
/// <param name="CallbackMeanUs">Mean callback time in the window, µs, from the cumulative count and mean at both ends; null when no callback ran.</param>
/// <param name="CumulativeMeanUs">The module's mean since the filter was created, µs, at the window's end.</param>
/// <param name="CumulativeP95Us">The module's 95th percentile since the filter was created, µs, at the window's end (not windowed).</param>
/// <param name="CumulativeMaxUs">The module's longest callback since the filter was created, µs, at the window's end (not windowed).</param>
/// <param name="CallbacksPerFrame">Callbacks per frame OBS rendered in the window (1 when only the program scene draws the source).</param>
/// <param name="FramesWritten">Analysis frames copied to shared memory in the window (<c>framesWritten</c> delta).</param>
/// <param name="ResultsConsumed">Host results composited in the window (<c>resultsConsumed</c> delta).</param>
/// <param name="HostConnected">Whether the module reported its host connected at the window's end.</param>
public sealed record FilterPhaseTiming(
    long Callbacks,
    double? CallbackMeanUs,
    double CumulativeMeanUs,
    double CumulativeP95Us,
    double CumulativeMaxUs,
    double? CallbacksPerFrame,
    long FramesWritten,
    long ResultsConsumed,
    bool HostConnected);

/// <summary>One phase of the render benchmark: OBS's frame render time, and the filter's callback time if there is a filter.</summary>
/// <param name="Phase">The phase's letter: A, B or C.</param>
/// <param name="Description">What ran, e.g. <c>filter, mode diagnostic (host running)</c>.</param>
/// <param name="FilterMode">The filter's mode, or null when the source had no filter.</param>
/// <param name="WindowSeconds">The measured window's length (after the warm-up).</param>
/// <param name="Samples">OBS GetStats samples in the window.</param>
/// <param name="ObsFrameRenderTimeMs">Mean of the sampled <c>averageFrameRenderTime</c>, ms.</param>
/// <param name="ObsFrameRenderTimeMinMs">Smallest sample, ms.</param>
/// <param name="ObsFrameRenderTimeMaxMs">Largest sample, ms.</param>
/// <param name="ActiveFps">Mean of the sampled <c>activeFps</c>.</param>
/// <param name="ObsCpuUsagePercent">Mean of the sampled <c>cpuUsage</c> (OBS's process, percent of one core).</param>
/// <param name="RenderedFrames">Frames OBS rendered in the window (<c>renderTotalFrames</c> delta).</param>
/// <param name="RenderSkippedFrames">Frames OBS's renderer skipped in the window (<c>renderSkippedFrames</c> delta).</param>
/// <param name="Filter">The filter's figures, or null when the source had no filter.</param>
/// <param name="CallbackShareOfFrame">Filter callback mean / OBS frame render time in this phase, or null.</param>
/// <param name="FrameTimeVsBaseline">This phase's OBS frame render time / the baseline's (phase A), or null for the baseline.</param>
public sealed record RenderBenchPhase(
    string Phase,
    string Description,
    string? FilterMode,
    double WindowSeconds,
    int Samples,
    double ObsFrameRenderTimeMs,
    double ObsFrameRenderTimeMinMs,
    double ObsFrameRenderTimeMaxMs,
    double ActiveFps,
    double ObsCpuUsagePercent,
    long RenderedFrames,
    long RenderSkippedFrames,
    FilterPhaseTiming? Filter,
    double? CallbackShareOfFrame,
    double? FrameTimeVsBaseline);

/// <summary>Where and how the benchmark ran.</summary>
/// <param name="ObsVersion">OBS Studio's version.</param>
/// <param name="ObsWebSocketVersion">obs-websocket's version.</param>
/// <param name="GraphicsAdapter">The adapter from OBS's log (<c>Loading up OpenGL on adapter ...</c>), or null.</param>
/// <param name="OpenGlVersion">The OpenGL version from OBS's log, or null.</param>
/// <param name="CpuName">The CPU from OBS's log, or null.</param>
/// <param name="LogicalCores">Logical cores this process sees.</param>
/// <param name="Canvas">Canvas and output size, e.g. <c>640x360</c>.</param>
/// <param name="Fps">OBS's frame rate.</param>
/// <param name="Source">What the filtered source plays.</param>
/// <param name="WarmUpSeconds">Seconds waited at the start of each phase before measuring.</param>
/// <param name="PhaseSeconds">Requested measuring window per phase.</param>
/// <param name="SampleIntervalSeconds">Interval between OBS GetStats samples.</param>
public sealed record RenderBenchEnvironment(
    string ObsVersion,
    string ObsWebSocketVersion,
    string? GraphicsAdapter,
    string? OpenGlVersion,
    string? CpuName,
    int LogicalCores,
    string Canvas,
    int Fps,
    string Source,
    double WarmUpSeconds,
    double PhaseSeconds,
    double SampleIntervalSeconds);

/// <summary>
/// What the filter itself adds, derived from two phases: the callback also draws the source
/// (mode off passes the source through inside the callback), so the filter's own cost is the
/// difference between phases, not the callback time.
/// </summary>
/// <param name="CallbackDiagnosticMinusOffUs">Callback mean, phase B − phase C, µs.</param>
/// <param name="FrameDiagnosticMinusBaselineMs">OBS frame render time, phase B − phase A, ms.</param>
/// <param name="FrameOffMinusBaselineMs">OBS frame render time, phase C − phase A, ms.</param>
public sealed record RenderBenchEstimates(
    double? CallbackDiagnosticMinusOffUs,
    double? FrameDiagnosticMinusBaselineMs,
    double? FrameOffMinusBaselineMs);

/// <summary>The render benchmark's result: render-bench.json, and as a markdown table render-bench.md.</summary>
/// <param name="GeneratedUtc">When the run finished.</param>
/// <param name="Environment">Where and how it ran.</param>
/// <param name="Phases">A (no filter), B (mode diagnostic), C (mode off).</param>
public sealed record RenderBenchReport(DateTimeOffset GeneratedUtc, RenderBenchEnvironment Environment, IReadOnlyList<RenderBenchPhase> Phases)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The filter's own cost, as differences between phases (null where a phase is missing).</summary>
    public RenderBenchEstimates Estimates
    {
        get
        {
            var a = Phases.FirstOrDefault(p => p.FilterMode is null);
            var b = Phases.FirstOrDefault(p => p.FilterMode == "diagnostic");
            var c = Phases.FirstOrDefault(p => p.FilterMode == "off");
            return new RenderBenchEstimates(
                b?.Filter?.CallbackMeanUs is double bUs && c?.Filter?.CallbackMeanUs is double cUs ? bUs - cUs : null,
                a is not null && b is not null ? b.ObsFrameRenderTimeMs - a.ObsFrameRenderTimeMs : null,
                a is not null && c is not null ? c.ObsFrameRenderTimeMs - a.ObsFrameRenderTimeMs : null);
        }
    }

    /// <summary>The report as indented camelCase JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>The report as markdown: a heading, the setup, the table and how to read it.</summary>
    /// <returns>The markdown text.</returns>
    public string ToMarkdown()
    {
        var env = Environment;
        var md = new StringBuilder();
        md.AppendLine("# obs-faceswap render-callback benchmark").AppendLine();
        var c = CultureInfo.InvariantCulture;
        md.Append(c, $"OBS {env.ObsVersion} (obs-websocket {env.ObsWebSocketVersion}), canvas {env.Canvas} at {env.Fps} fps, preview off, ")
            .Append(c, $"renderer {env.GraphicsAdapter ?? "unknown"}, CPU {env.CpuName ?? "unknown"} ({env.LogicalCores} logical cores). ")
            .Append(c, $"Source: {env.Source}. Each phase: {env.WarmUpSeconds:0.#} s warm-up, then {env.PhaseSeconds:0.#} s with OBS GetStats ")
            .Append(c, $"sampled every {env.SampleIntervalSeconds:0.##} s. Run {GeneratedUtc:yyyy-MM-dd HH:mm} UTC.")
            .AppendLine();
        md.AppendLine();
        md.AppendLine(ToMarkdownTable());
        md.AppendLine("- OBS frame render: mean of the sampled GetStats `averageFrameRenderTime` (libobs's per-second mean of the graphics thread's time per frame); in brackets the smallest and largest sample.");
        md.AppendLine("- Callback mean: the filter's `video_render` callback over the phase's window, from the vendor GetStats `renderCount` and `renderTimeMeanUs` at both ends.");
        md.AppendLine("- p95 and max are the module's own figures, cumulative since the filter was created (phase C's include phase B's callbacks).");
        md.AppendLine("- Callback / frame: callback mean / OBS frame render time in the same phase. Frame vs A: OBS frame render time / phase A's.");
        md.AppendLine("- The callback time includes drawing the source itself: in mode off the filter passes the source through (`obs_source_skip_video_filter`) inside its callback, so most of phase C's callback is work OBS does in phase A anyway.");
        var e = Estimates;
        md.AppendLine()
            .Append("What the filter itself adds: callback B − C ").Append(Cell(e.CallbackDiagnosticMinusOffUs, "0", " µs"))
            .Append("; OBS frame render B − A ").Append(Cell(e.FrameDiagnosticMinusBaselineMs, "0.000", " ms"))
            .Append(", C − A ").Append(Cell(e.FrameOffMinusBaselineMs, "0.000", " ms")).AppendLine(".");
        return md.ToString();
    }

    /// <summary>The markdown table alone (one row per phase).</summary>
    /// <returns>The table, ending with a newline.</returns>
    public string ToMarkdownTable()
    {
        var md = new StringBuilder();
        md.AppendLine("| phase | OBS frame render (ms) | filter callback mean (µs, window) | callback p95 (µs, cumulative) | callback max (µs, cumulative) | callback / frame | frame vs A | callbacks/frame | frames to host | skipped frames | fps |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in Phases)
        {
            var f = p.Filter;
            var c = CultureInfo.InvariantCulture;
            md.Append(c, $"| {p.Phase}: {p.Description} ")
                .Append(c, $"| {p.ObsFrameRenderTimeMs:0.000} [{p.ObsFrameRenderTimeMinMs:0.000}–{p.ObsFrameRenderTimeMaxMs:0.000}] ")
                .Append(c, $"| {Cell(f?.CallbackMeanUs, "0.0")} ")
                .Append(c, $"| {Cell(f?.CumulativeP95Us, "0")} ")
                .Append(c, $"| {Cell(f?.CumulativeMaxUs, "0")} ")
                .Append(c, $"| {Percent(p.CallbackShareOfFrame)} ")
                .Append(c, $"| {Cell(p.FrameTimeVsBaseline, "0.00", "×")} ")
                .Append(c, $"| {Cell(f?.CallbacksPerFrame, "0.00")} ")
                .Append(c, $"| {(f is null ? "–" : f.FramesWritten.ToString(c))} ")
                .Append(c, $"| {p.RenderSkippedFrames} ")
                .Append(c, $"| {p.ActiveFps:0.0} |")
                .AppendLine();
        }

        return md.ToString();
    }

    private static string Cell(double? value, string format, string suffix = "") =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) + suffix : "–";

    private static string Percent(double? value) =>
        value is double v && double.IsFinite(v) ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "–";
}
