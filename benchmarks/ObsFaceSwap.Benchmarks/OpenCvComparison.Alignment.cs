using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Reports;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// After a run that measured <see cref="AlignmentBenchmarks"/>: scripts/bench-opencv.py --align
/// times OpenCV's equivalent of each step on the same frames and transform, and one table
/// compares them (also written to BenchmarkDotNet.Artifacts/results/alignment-vs-opencv.md).
/// </summary>
internal static partial class OpenCvComparison
{
    /// <summary>Our benchmark method, OpenCV's step in the script's JSON (null: no OpenCV counterpart), the row label.</summary>
    private static readonly (string Ours, string? OpenCv, string Label)[] AlignmentSteps =
    [
        (nameof(AlignmentBenchmarks.Estimate), "estimate", "estimate similarity (5 points) + invert"),
        (nameof(AlignmentBenchmarks.WarpCrop), "warp_crop", "warp BGRA -> 128x128 BGRA crop"),
        (nameof(AlignmentBenchmarks.WarpTensor), "warp_tensor", "warp BGRA -> 3x128x128 tensor"),
        (nameof(AlignmentBenchmarks.WarpTensorNv12), null, "warp NV12 -> 3x128x128 tensor"),
        (nameof(AlignmentBenchmarks.WritePatch), "write_patch", "output tensor -> BGRA patch + mask"),
        (nameof(AlignmentBenchmarks.ColourCorrect), null, "colour correction (Lab, strength 1)"),
        (nameof(AlignmentBenchmarks.PerFace), "per_face", "**per face: estimate + warp tensor + patch**"),
    ];

    private static void ReportAlignmentIfMeasured(IEnumerable<Summary> summaries)
    {
        var ours = new Dictionary<(string Resolution, string Method), double>();
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            var c = report.BenchmarkCase;
            if (c.Descriptor.Type == typeof(AlignmentBenchmarks) && report.ResultStatistics is not null)
            {
                ours[((string)c.Parameters["Resolution"], c.Descriptor.WorkloadMethod.Name)] = report.ResultStatistics.Median;
            }
        }

        var resolutions = ours.Keys.Select(k => k.Resolution).Distinct().OrderBy(r => r.Length).ThenBy(r => r, StringComparer.Ordinal).ToArray();
        if (resolutions.Length == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("// Face alignment against OpenCV (scripts/bench-opencv.py --align under " + Python + ")");
        if (!File.Exists(Python))
        {
            Console.WriteLine("// " + Python + " not found: OpenCV comparison skipped");
            return;
        }

        var missing = resolutions.Where(r => !File.Exists(AlignmentBenchmarks.CasePath(FaceFrames.Parse(r).Width, FaceFrames.Parse(r).Height))).ToArray();
        if (missing.Length > 0)
        {
            Console.WriteLine("// no alignment case written for " + string.Join(", ", missing) + ": OpenCV comparison skipped");
            return;
        }

        var stdout = RunScript("--align", "--frames", FaceFrames.FrameDirectory, "--resolutions", string.Join(',', resolutions));
        if (stdout is null)
        {
            return;
        }

        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var text = Header(root, out var defaultThreads);
        text.AppendLine("Ours: ObsFaceSwap.Vision.Alignment / .Blending (BenchmarkDotNet median, 1 thread). OpenCV: estimateAffinePartial2D(LMEDS) + invertAffineTransform, warpAffine(INTER_LINEAR, WARP_INVERSE_MAP, BORDER_REPLICATE), dnn.blobFromImage(1/255, swapRB), NumPy clip/astype/dstack (median of single calls). Ratio = ours / OpenCV.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| frame | step | ours | OpenCV 1 thread | ratio | OpenCV {defaultThreads} threads | ratio |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        var differences = new StringBuilder();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var resolution = c.GetProperty("resolution").GetString()!;
            foreach (var (method, step, label) in AlignmentSteps)
            {
                if (!ours.TryGetValue((resolution, method), out var ns))
                {
                    continue;
                }

                var oursUs = ns / 1000.0;
                if (step is null)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {resolution} | {label} | {Us(oursUs)} | - | - | - | - |");
                    continue;
                }

                var one = c.GetProperty("threads_1").GetProperty(step).GetProperty("median_us").GetDouble();
                var many = c.GetProperty("threads_default").GetProperty(step).GetProperty("median_us").GetDouble();
                text.AppendLine(CultureInfo.InvariantCulture, $"| {resolution} | {label} | {Us(oursUs)} | {Us(one)} | {Ratio(oursUs / one)} | {Us(many)} | {Ratio(oursUs / many)} |");
            }

            differences.AppendLine(CultureInfo.InvariantCulture, $"- {resolution}: BGRA crop max {Get(c, "crop_max_abs_diff")} / mean {Get(c, "crop_mean_abs_diff")} levels; tensor max {Get(c, "tensor_max_abs_diff")} / mean {Get(c, "tensor_mean_abs_diff")}; crop -> frame coefficients max {Get(c, "estimate_max_abs_diff")} apart.");
        }

        text.AppendLine();
        text.AppendLine("Ours against OpenCV's output on the same crop:");
        text.Append(differences);
        Console.Write(text.ToString());
        var results = Path.Combine(FaceFrames.RepoRoot, "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, "alignment-vs-opencv.md"), text.ToString());
        File.WriteAllText(Path.Combine(results, "alignment-vs-opencv.json"), stdout);

        static string Us(double us) => us.ToString(us < 10 ? "0.00#" : "0.0", CultureInfo.InvariantCulture) + " µs";

        static string Ratio(double r) => r.ToString(r < 0.1 ? "0.0000" : "0.00", CultureInfo.InvariantCulture);

        static string Get(JsonElement c, string name) =>
            c.TryGetProperty(name, out var v) ? v.GetDouble().ToString("0.####", CultureInfo.InvariantCulture) : "-";
    }
}
