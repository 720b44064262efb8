using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Reports;
using ObsFaceSwap.Inference.Detection;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// After a BenchmarkDotNet run that measured <see cref="DetectionBenchmarks.Preprocess"/>, runs
/// scripts/bench-opencv.py (OpenCV's cv2.resize INTER_LINEAR + BGRA->RGB + float normalisation,
/// letterboxed into the same tensor, on the same raw frames) under Debian's /usr/bin/python3 in
/// the same command, and prints one table: our preprocessing (BenchmarkDotNet median) against
/// OpenCV's (median of single timed calls), with the ratio, and how far the two tensors differ.
/// The table is also written to BenchmarkDotNet.Artifacts/results/preprocess-vs-opencv.md.
/// The same for <see cref="AlignmentBenchmarks"/> (OpenCvComparison.Alignment.cs).
/// </summary>
internal static partial class OpenCvComparison
{
    private const string Python = "/usr/bin/python3";

    public static void ReportIfMeasured(IEnumerable<Summary> summaries)
    {
        summaries = summaries.ToArray();
        ReportAlignmentIfMeasured(summaries);
        var ours = new Dictionary<(string Resolution, int Size), (double PreprocessNs, double MemcpyNs)>();
        foreach (var summary in summaries)
        {
            foreach (var report in summary.Reports)
            {
                var c = report.BenchmarkCase;
                if (c.Descriptor.Type != typeof(DetectionBenchmarks) || report.ResultStatistics is null)
                {
                    continue;
                }

                var resolution = (string)c.Parameters["Resolution"];
                var size = (BlazeFaceModel)c.Parameters["Model"] == BlazeFaceModel.Front128 ? 128 : 256;
                ours.TryGetValue((resolution, size), out var entry);
                switch (c.Descriptor.WorkloadMethod.Name)
                {
                    case nameof(DetectionBenchmarks.Preprocess):
                        entry.PreprocessNs = report.ResultStatistics.Median;
                        break;
                    case nameof(DetectionBenchmarks.Memcpy):
                        entry.MemcpyNs = report.ResultStatistics.Median;
                        break;
                    default:
                        continue;
                }

                ours[(resolution, size)] = entry;
            }
        }

        var measured = ours.Where(kv => kv.Value.PreprocessNs > 0).OrderBy(kv => kv.Key.Resolution.Length).ThenBy(kv => kv.Key.Resolution, StringComparer.Ordinal).ThenBy(kv => kv.Key.Size).ToArray();
        if (measured.Length == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("// Preprocessing against OpenCV (scripts/bench-opencv.py under " + Python + ")");
        if (!File.Exists(Python))
        {
            Console.WriteLine("// " + Python + " not found: OpenCV comparison skipped");
            return;
        }

        // Our tensor for each case, for the script to compare with its own.
        var fill = LetterboxAccess.Create();
        foreach (var ((resolution, size), _) in measured)
        {
            var (width, height) = FaceFrames.Parse(resolution);
            var path = FaceFrames.RawPath(width, height);
            var frame = File.Exists(path) ? File.ReadAllBytes(path) : FaceFrames.Build(width, height);
            var tensor = new float[size * size * 3];
            fill(frame, width, height, width * 4, size, tensor);
            File.WriteAllBytes(
                Path.Combine(FaceFrames.FrameDirectory, FormattableString.Invariant($"faces-{width}x{height}-{size}.ours.f32")),
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.AsSpan()).ToArray());
        }

        var stdout = RunScript(
            "--frames", FaceFrames.FrameDirectory,
            "--resolutions", string.Join(',', measured.Select(kv => kv.Key.Resolution).Distinct()),
            "--sizes", string.Join(',', measured.Select(kv => kv.Key.Size.ToString(CultureInfo.InvariantCulture)).Distinct()));
        if (stdout is null)
        {
            return;
        }

        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var text = Header(root, out var defaultThreads);
        text.AppendLine("Ours: BlazeFace's Letterbox.Fit + Fill (BenchmarkDotNet median, 1 thread). OpenCV: resize INTER_LINEAR to the fitted size + BGRA->RGB + astype(float32)/127.5-1 into the padded tensor (median of single calls). Ratio = ours / OpenCV.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| frame | tensor | memcpy | ours | OpenCV 1 thread | ratio | OpenCV {defaultThreads} threads | ratio | max / mean abs diff |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var resolution = c.GetProperty("resolution").GetString()!;
            var size = c.GetProperty("size").GetInt32();
            if (!ours.TryGetValue((resolution, size), out var o) || o.PreprocessNs <= 0)
            {
                continue;
            }

            var oursUs = o.PreprocessNs / 1000.0;
            var one = c.GetProperty("threads_1").GetProperty("median_us").GetDouble();
            var many = c.GetProperty("threads_default").GetProperty("median_us").GetDouble();
            var diff = c.TryGetProperty("max_abs_diff", out var max) && c.TryGetProperty("mean_abs_diff", out var mean)
                ? FormattableString.Invariant($"{max.GetDouble():F4} / {mean.GetDouble():F5}")
                : "-";
            var memcpy = o.MemcpyNs > 0 ? FormattableString.Invariant($"{o.MemcpyNs / 1000.0:F1} µs") : "-";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {resolution} | {size}x{size}x3 | {memcpy} | {oursUs:F1} µs | {one:F1} µs | {oursUs / one:F2} | {many:F1} µs | {oursUs / many:F2} | {diff} |");
        }

        Console.Write(text.ToString());
        var results = Path.Combine(FaceFrames.RepoRoot, "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, "preprocess-vs-opencv.md"), text.ToString());
        File.WriteAllText(Path.Combine(results, "preprocess-vs-opencv.json"), stdout);
    }

    /// <summary>Runs scripts/bench-opencv.py under <see cref="Python"/>; its stdout, or null (reported) when it failed.</summary>
    /// <summary>The report's first line (OpenCV, NumPy and Python versions, OpenCV's default thread count) from the script's JSON.</summary>
    private static StringBuilder Header(JsonElement root, out int defaultThreads)
    {
        defaultThreads = root.GetProperty("default_threads").GetInt32();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"OpenCV {root.GetProperty("opencv").GetString()}, NumPy {root.GetProperty("numpy").GetString()}, Python {root.GetProperty("python").GetString()} ({Python}); OpenCV default threads: {defaultThreads}.");
        return text;
    }

    private static string? RunScript(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(FaceFrames.RepoRoot, "scripts", "bench-opencv.py"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The script sets OpenCV's thread count itself (1, then OpenCV's default).
        start.Environment.Remove("OMP_NUM_THREADS");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + Python);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"// bench-opencv.py exited with {process.ExitCode}: {stderr.Result}");
            return null;
        }

        return stdout;
    }
}
