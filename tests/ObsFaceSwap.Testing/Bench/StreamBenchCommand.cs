using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Rtmp;
using ObsFaceSwap.Testing.Scenario;

namespace ObsFaceSwap.Testing.Bench;

/// <summary>Options of the streaming CPU benchmark.</summary>
/// <param name="OutputDirectory">Where stream-bench.json, stream-bench.md and the artifacts go.</param>
/// <param name="PhaseDuration">The measuring window of each phase, after its warm-up.</param>
public sealed record StreamBenchOptions(string OutputDirectory, TimeSpan PhaseDuration)
{
    /// <summary>How long each phase runs before its window opens.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(4);
}

/// <summary>One phase's figures.</summary>
/// <param name="Phase">What was running.</param>
/// <param name="Destinations">RTMP destinations receiving the stream.</param>
/// <param name="CpuPercent">OBS's process CPU time over the window / wall time, percent of one core.</param>
/// <param name="ObsCpuUsage">obs-websocket GetStats cpuUsage at the end of the window (OBS's own figure, percent).</param>
/// <param name="RenderSkipped">Render frames OBS skipped in the window.</param>
/// <param name="OutputSkipped">Output frames OBS skipped in the window.</param>
/// <param name="BytesReceived">Bytes nginx recorded over all destinations in the window.</param>
public sealed record StreamBenchPhase(string Phase, int Destinations, double CpuPercent, double ObsCpuUsage, long RenderSkipped, long OutputSkipped, long BytesReceived);

/// <summary>
/// OBS's CPU while streaming the sample clip to one RTMP destination (the main stream) and to
/// four (the main stream plus three stream targets sharing its encoders), in one headless OBS
/// run against a local nginx-rtmp, with an idle phase (rendering, not streaming) for reference.
/// CPU is the OBS process's CPU time over the window (all threads, so it includes the x264
/// encoder and every RTMP sender).
/// </summary>
public static class StreamBenchCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs the benchmark, writes the reports and prints the table.</summary>
    /// <param name="options">The options.</param>
    /// <param name="console">Where to print.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>0 when every destination received data; 1 otherwise.</returns>
    public static async Task<int> RunAsync(StreamBenchOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        NetworkNamespace.EnsurePrivate();
        BuildOutputs.EnsureModuleBuilt();
        Directory.CreateDirectory(options.OutputDirectory);
        void Say(string line) => console.WriteLine($"stream-bench: {line}");

        var clip = await TestClip.EnsureAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        string[] applications = ["main", "t1", "t2", "t3"];
        await using var nginx = await NginxRtmpServer.StartAsync(Path.Combine(options.OutputDirectory, "nginx"), applications, Say, cancellationToken).ConfigureAwait(false);
        await using var obs = await HeadlessObs.StartAsync(new HeadlessObsOptions
        {
            Name = "stream-bench",
            ArtifactDirectory = Path.Combine(options.OutputDirectory, "obs"),
            LoadFaceSwapModule = true,
            Log = Say,
        }, cancellationToken).ConfigureAwait(false);
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.All, cancellationToken).ConfigureAwait(false);
        await DiagnosticScene.SetUpAsync(client, clip, null, cancellationToken).ConfigureAwait(false);
        await client.RequestAsync("SetStreamServiceSettings", new JsonObject
        {
            ["streamServiceType"] = "rtmp_custom",
            ["streamServiceSettings"] = new JsonObject { ["server"] = nginx.Url("main"), ["key"] = "main" },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);

        var phases = new List<StreamBenchPhase>();
        async Task MeasureAsync(string phase, int destinations)
        {
            await Task.Delay(options.WarmUp, cancellationToken).ConfigureAwait(false);
            using var process = Process.GetProcessById(obs.Pid);
            var before = await ObsStatsAsync(client, cancellationToken).ConfigureAwait(false);
            var bytesBefore = applications.Sum(nginx.RecordedBytes);
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Task.Delay(options.PhaseDuration, cancellationToken).ConfigureAwait(false);
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / clock.Elapsed.TotalSeconds * 100;
            var after = await ObsStatsAsync(client, cancellationToken).ConfigureAwait(false);
            var result = new StreamBenchPhase(phase, destinations, Math.Round(cpu, 1), Math.Round(after.CpuUsage, 1),
                after.RenderSkipped - before.RenderSkipped, after.OutputSkipped - before.OutputSkipped, applications.Sum(nginx.RecordedBytes) - bytesBefore);
            phases.Add(result);
            Say($"{phase}: OBS CPU {result.CpuPercent:0.0} % of one core (GetStats cpuUsage {result.ObsCpuUsage:0.0} %), skipped render {result.RenderSkipped}, output {result.OutputSkipped}, received {result.BytesReceived / 1024} KiB");
        }

        await MeasureAsync("idle (rendering, not streaming)", 0).ConfigureAwait(false);
        var started = client.WaitForEventAsync("StreamStateChanged", e => e.GetString("outputState") == "OBS_WEBSOCKET_OUTPUT_STARTED", TimeSpan.FromSeconds(20), cancellationToken);
        await client.RequestAsync("StartStream", cancellationToken: cancellationToken).ConfigureAwait(false);
        await started.ConfigureAwait(false);
        await MeasureAsync("main stream: 1 destination", 1).ConfigureAwait(false);

        foreach (var target in applications.Skip(1))
        {
            var answer = await client.CallVendorRequestAsync(FaceSwapStats.VendorName, "AddStreamTarget", new JsonObject
            {
                ["name"] = target,
                ["platform"] = "custom",
                ["server"] = nginx.Url(target),
                ["key"] = "bench-" + target,
                ["encoder"] = "shared",
                ["autoStart"] = true,
            }, cancellationToken).ConfigureAwait(false);
            if (!answer.ResponseData.GetProperty("success").GetBoolean())
            {
                throw new InvalidOperationException($"AddStreamTarget {target}: {answer.ResponseData.GetRawText()}");
            }
        }

        await MeasureAsync("main stream + 3 targets sharing its encoders: 4 destinations", 4).ConfigureAwait(false);
        await client.RequestAsync("StopStream", cancellationToken: cancellationToken).ConfigureAwait(false);

        var one = phases[1].CpuPercent;
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Streaming CPU, one run (`bash scripts/bench-stream.sh`), {options.PhaseDuration.TotalSeconds:0} s per phase after {options.WarmUp.TotalSeconds:0} s, 640x360 at 30 fps, x264 ultrafast 1000 kbps:");
        report.AppendLine();
        report.AppendLine("| phase | destinations | OBS CPU (% of one core) | ratio to 1 destination | skipped render | skipped output | KiB received |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var p in phases)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {p.Phase} | {p.Destinations} | {p.CpuPercent:0.0} | {(one > 0 ? p.CpuPercent / one : double.NaN):0.00} | {p.RenderSkipped} | {p.OutputSkipped} | {p.BytesReceived / 1024} |");
        }

        await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "stream-bench.md"), report.ToString(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "stream-bench.json"), JsonSerializer.Serialize(phases, Indented), cancellationToken).ConfigureAwait(false);
        await console.WriteLineAsync(report.ToString()).ConfigureAwait(false);
        var flowed = phases[1].BytesReceived > 0 && applications.All(a => nginx.RecordedBytes(a) > 0);
        Say(flowed ? "every destination received data" : "a destination received nothing");
        return flowed ? 0 : 1;
    }

    private static async Task<(double CpuUsage, long RenderSkipped, long OutputSkipped)> ObsStatsAsync(ObsWebSocketClient client, CancellationToken cancellationToken)
    {
        var stats = (await client.RequestAsync("GetStats", cancellationToken: cancellationToken).ConfigureAwait(false)).ResponseData
            ?? throw new InvalidOperationException("GetStats answered no data");
        return (stats.GetProperty("cpuUsage").GetDouble(), stats.GetProperty("renderSkippedFrames").GetInt64(), stats.GetProperty("outputSkippedFrames").GetInt64());
    }
}
