using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Scenario;

namespace ObsFaceSwap.Testing.Bench;

/// <summary>Options of the render benchmark.</summary>
/// <param name="OutputDirectory">Where render-bench.json, render-bench.md and OBS's artifacts (obs/) go.</param>
/// <param name="PhaseDuration">The measuring window of each phase (after the warm-up).</param>
public sealed record RenderBenchOptions(string OutputDirectory, TimeSpan PhaseDuration)
{
    /// <summary>How long each phase runs before its window opens.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Interval between OBS GetStats samples.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Throws <see cref="ArgumentException"/> for values out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(OutputDirectory);
        if (SampleInterval <= TimeSpan.Zero || PhaseDuration < SampleInterval || PhaseDuration > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("The phase duration must be at least one sample interval and at most 10 minutes.", nameof(PhaseDuration));
        }

        if (WarmUp < TimeSpan.Zero)
        {
            throw new ArgumentException("The warm-up cannot be negative.", nameof(WarmUp));
        }
    }
}

/// <summary>
/// Measures what the filter's <c>video_render</c> callback costs, in one headless OBS run:
/// phase A, the sample clip with no filter (OBS's own frame render time); phase B, the filter
/// in mode <c>diagnostic</c> with the host running; phase C, the filter in mode <c>off</c>.
/// OBS's figures come from GetStats, the filter's from the module's vendor GetStats, windowed
/// to each phase.
/// </summary>
public static partial class RenderBenchCommand
{
    /// <summary>The JSON report's file name.</summary>
    public const string JsonFileName = "render-bench.json";

    /// <summary>The markdown report's file name.</summary>
    public const string MarkdownFileName = "render-bench.md";

    /// <summary>The default output folder, <c>artifacts/bench</c> under the repository.</summary>
    public static string DefaultOutputDirectory => Path.Combine(RepositoryLayout.Root, "artifacts", "bench");

    /// <summary>Runs the benchmark, writes the reports and prints the table.</summary>
    /// <param name="options">The options.</param>
    /// <param name="console">Where to print.</param>
    /// <param name="cancellationToken">Cancels the run (OBS is still stopped).</param>
    /// <returns>0 when every phase measured something (phase B with frames reaching the host); 1 otherwise.</returns>
    public static async Task<int> RunAsync(RenderBenchOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        options.Validate();
        NetworkNamespace.EnsurePrivate();
        BuildOutputs.EnsureModuleBuilt();
        BuildOutputs.EnsureHostBuilt();
        Directory.CreateDirectory(options.OutputDirectory);

        void Say(string line) => console.WriteLine($"render-bench: {line}");
        var clip = await TestClip.EnsureAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var obsOptions = new HeadlessObsOptions
        {
            Name = "render-bench",
            ArtifactDirectory = Path.Combine(options.OutputDirectory, "obs"),
            LoadFaceSwapModule = true,
            Log = Say,
        };

        RenderBenchReport report;
        await using (var obs = await HeadlessObs.StartAsync(obsOptions, cancellationToken).ConfigureAwait(false))
        {
            await using var client = await obs.ConnectAsync(ObsEventSubscriptions.None, cancellationToken).ConfigureAwait(false);
            var version = await client.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            Say($"OBS {version.ObsVersion}, obs-websocket {version.ObsWebSocketVersion}");

            await DiagnosticScene.SetUpAsync(client, clip, filterSettings: null, cancellationToken).ConfigureAwait(false);
            Say($"phase A: scene '{DiagnosticScene.SceneName}', media source '{DiagnosticScene.InputName}' playing the sample clip, no filter");
            var baseline = await MeasureAsync(client, options, "A", "no filter (baseline)", filterMode: null, baseline: null, Say, cancellationToken)
                .ConfigureAwait(false);
            obs.EnsureRunning();

            await client.CreateSourceFilterAsync(
                DiagnosticScene.InputName,
                DiagnosticScene.FilterName,
                DiagnosticScene.FilterKind,
                DiagnosticScene.DiagnosticSettings(),
                cancellationToken).ConfigureAwait(false);
            var (_, attached) = await FaceSwapStats.WaitForVendorCounterAsync(client, "resultsConsumed", 0, TimeSpan.FromSeconds(30), cancellationToken)
                .ConfigureAwait(false);
            Say($"phase B: filter '{DiagnosticScene.FilterName}' in mode diagnostic; first host result composited after {attached.TotalSeconds:0.0} s");
            var diagnostic = await MeasureAsync(client, options, "B", "filter, mode diagnostic (host running)", "diagnostic", baseline, Say, cancellationToken)
                .ConfigureAwait(false);
            obs.EnsureRunning();

            await client.SetSourceFilterSettingsAsync(
                DiagnosticScene.InputName,
                DiagnosticScene.FilterName,
                new JsonObject { ["mode"] = "off" },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            Say("phase C: filter in mode off");
            var off = await MeasureAsync(client, options, "C", "filter, mode off", "off", baseline, Say, cancellationToken)
                .ConfigureAwait(false);
            obs.EnsureRunning();

            report = new RenderBenchReport(
                DateTimeOffset.UtcNow,
                Describe(obs.ReadObsLog(), version, obsOptions, clip, options),
                [baseline, diagnostic, off]);
        }

        var json = Path.Combine(options.OutputDirectory, JsonFileName);
        var markdown = Path.Combine(options.OutputDirectory, MarkdownFileName);
        await File.WriteAllTextAsync(json, report.ToJson(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(markdown, report.ToMarkdown(), cancellationToken).ConfigureAwait(false);
        await console.WriteLineAsync().ConfigureAwait(false);
        await console.WriteLineAsync(report.ToMarkdownTable()).ConfigureAwait(false);
        var e = report.Estimates;
        Say($"filter's own cost: callback B − C {e.CallbackDiagnosticMinusOffUs:0} µs, OBS frame render B − A {e.FrameDiagnosticMinusBaselineMs:0.000} ms, C − A {e.FrameOffMinusBaselineMs:0.000} ms");
        Say($"wrote {json} and {markdown}");

        var problems = Check(report);
        foreach (var problem in problems)
        {
            Say($"problem: {problem}");
        }

        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task<RenderBenchPhase> MeasureAsync(
        ObsWebSocketClient client,
        RenderBenchOptions options,
        string phase,
        string description,
        string? filterMode,
        RenderBenchPhase? baseline,
        Action<string> say,
        CancellationToken cancellationToken)
    {
        await Task.Delay(options.WarmUp, cancellationToken).ConfigureAwait(false);

        var filterStart = filterMode is null ? null : await ReadFilterAsync(client, cancellationToken).ConfigureAwait(false);
        var obsStart = await client.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var samples = new List<ObsStats>();
        using (var timer = new PeriodicTimer(options.SampleInterval))
        {
            while (clock.Elapsed < options.PhaseDuration - (options.SampleInterval / 4)
                   && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                samples.Add(await client.GetStatsAsync(cancellationToken).ConfigureAwait(false));
            }
        }

        var window = clock.Elapsed;
        var filterEnd = filterMode is null ? null : await ReadFilterAsync(client, cancellationToken).ConfigureAwait(false);
        var obsEnd = samples[^1];
        var frameTimes = samples.Select(s => s.AverageFrameRenderTime).ToList();
        var rendered = obsEnd.RenderTotalFrames - obsStart.RenderTotalFrames;
        var frameMs = frameTimes.Average();

        FilterPhaseTiming? filter = null;
        if (filterStart is not null && filterEnd is not null)
        {
            var callbacks = filterEnd.RenderCount - filterStart.RenderCount;
            var meanUs = FilterRenderCounters.WindowMeanUs(filterStart, filterEnd);
            filter = new FilterPhaseTiming(
                callbacks,
                double.IsFinite(meanUs) ? meanUs : null,
                filterEnd.RenderTimeMeanUs,
                filterEnd.RenderTimeP95Us,
                filterEnd.RenderTimeMaxUs,
                rendered > 0 ? (double)callbacks / rendered : null,
                filterEnd.FramesWritten - filterStart.FramesWritten,
                filterEnd.ResultsConsumed - filterStart.ResultsConsumed,
                filterEnd.HostConnected);
        }

        var result = new RenderBenchPhase(
            phase,
            description,
            filterMode,
            window.TotalSeconds,
            samples.Count,
            frameMs,
            frameTimes.Min(),
            frameTimes.Max(),
            samples.Average(s => s.ActiveFps),
            samples.Average(s => s.CpuUsage),
            rendered,
            obsEnd.RenderSkippedFrames - obsStart.RenderSkippedFrames,
            filter,
            filter?.CallbackMeanUs is double us && frameMs > 0 ? us / 1000.0 / frameMs : null,
            baseline is not null && baseline.ObsFrameRenderTimeMs > 0 ? frameMs / baseline.ObsFrameRenderTimeMs : null);
        say($"phase {phase}: OBS frame render {frameMs:0.000} ms over {samples.Count} samples, {result.RenderSkippedFrames} skipped"
            + (filter is null ? "" : $"; filter callback {filter.CallbackMeanUs:0.0} µs mean over {filter.Callbacks} calls, {filter.FramesWritten} frames to the host"));
        return result;
    }

    private static async Task<FilterRenderCounters> ReadFilterAsync(ObsWebSocketClient client, CancellationToken cancellationToken)
    {
        var stats = await FaceSwapStats.GetVendorStatsAsync(client, cancellationToken).ConfigureAwait(false);
        return FilterRenderCounters.Find(stats, DiagnosticScene.InputName, DiagnosticScene.FilterName)
            ?? throw new InvalidOperationException(
                $"The vendor GetStats has no entry for filter '{DiagnosticScene.FilterName}' on '{DiagnosticScene.InputName}': {stats.GetRawText()}");
    }

    private static RenderBenchEnvironment Describe(
        string obsLog,
        ObsVersionInfo version,
        HeadlessObsOptions obsOptions,
        TestClip clip,
        RenderBenchOptions options)
    {
        static string? Find(Regex pattern, string text) => pattern.Match(text) is { Success: true } m ? m.Groups[1].Value.Trim() : null;
        return new RenderBenchEnvironment(
            version.ObsVersion,
            version.ObsWebSocketVersion,
            Find(AdapterLine(), obsLog),
            Find(OpenGlLine(), obsLog),
            Find(CpuLine(), obsLog),
            Environment.ProcessorCount,
            $"{obsOptions.Width}x{obsOptions.Height}",
            obsOptions.Fps,
            $"ffmpeg_source looping the sample clip ({clip.Spec.Width}x{clip.Spec.Height}, {clip.Spec.Fps} fps, {clip.Spec.FrameCount} frames, software decode)",
            options.WarmUp.TotalSeconds,
            options.PhaseDuration.TotalSeconds,
            options.SampleInterval.TotalSeconds);
    }

    private static List<string> Check(RenderBenchReport report)
    {
        var problems = new List<string>();
        foreach (var phase in report.Phases)
        {
            if (phase.RenderedFrames <= 0)
            {
                problems.Add($"phase {phase.Phase}: OBS rendered no frames");
            }

            if (phase.FilterMode is not null && (phase.Filter is null || phase.Filter.Callbacks <= 0))
            {
                problems.Add($"phase {phase.Phase}: the filter's render callback did not run");
            }
        }

        if (report.Phases.FirstOrDefault(p => p.FilterMode == "diagnostic")?.Filter is { FramesWritten: <= 0 })
        {
            problems.Add("phase B: no frames reached the host");
        }

        return problems;
    }

    [GeneratedRegex(@"Loading up OpenGL on adapter (.+)")]
    private static partial Regex AdapterLine();

    [GeneratedRegex(@"OpenGL loaded successfully, version (.+)")]
    private static partial Regex OpenGlLine();

    [GeneratedRegex(@"CPU Name: (.+)")]
    private static partial Regex CpuLine();
}
