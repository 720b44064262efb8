using System.Text.Json;
using System.Text.Json.Serialization;

namespace ObsFaceSwap.Testing.Analysis;

/// <summary>A run of consecutive recorded frames that share a property (no fresh result, masked as a whole, ...).</summary>
/// <param name="FirstIndex">First frame of the run.</param>
/// <param name="LastIndex">Last frame of the run.</param>
/// <param name="Frames">Number of frames.</param>
/// <param name="DurationMs">Frames x frame duration.</param>
public sealed record FrameRun(int FirstIndex, int LastIndex, int Frames, double DurationMs);

/// <summary>What the diagnostic, privacy and swap reports compute alike.</summary>
internal static class ReportMath
{
    /// <summary>Indented JSON that keeps NaN (a frame without a measurement).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The median of the values that are not NaN (the upper one of an even count); NaN when none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }

    /// <summary>Runs of consecutive frames for which <paramref name="inRun"/> holds, in order (one still open at the end included).</summary>
    /// <param name="frames">Frames in recording order.</param>
    /// <param name="index">A frame's index in the recording.</param>
    /// <param name="inRun">Whether a frame belongs to a run.</param>
    /// <param name="fps">Frame rate, for <see cref="FrameRun.DurationMs"/>.</param>
    public static IReadOnlyList<FrameRun> Runs<T>(IEnumerable<T> frames, Func<T, int> index, Func<T, bool> inRun, double fps)
    {
        var runs = new List<FrameRun>();
        int? start = null;
        var last = -1;
        foreach (var frame in frames)
        {
            last = index(frame);
            if (inRun(frame))
            {
                start ??= last;
            }
            else if (start is int s)
            {
                runs.Add(Run(s, last - 1, fps));
                start = null;
            }
        }

        if (start is int open)
        {
            runs.Add(Run(open, last, fps));
        }

        return runs;
    }

    /// <summary>Writes <paramref name="report"/> as JSON to <paramref name="path"/>.</summary>
    public static async Task WriteJsonAsync<T>(T report, string path)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, JsonOptions).ConfigureAwait(false);
    }

    private static FrameRun Run(int first, int last, double fps) => new(first, last, last - first + 1, (last - first + 1) * 1000.0 / fps);
}
