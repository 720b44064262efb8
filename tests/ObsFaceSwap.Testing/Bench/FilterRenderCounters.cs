using System.Text.Json;

namespace ObsFaceSwap.Testing.Bench;

/// <summary>
/// One filter's entry of the module's vendor GetStats (<c>filters[]</c>): its render-callback
/// timing, cumulative since the filter was created, and its frame counters.
/// </summary>
/// <param name="RenderCount">Render callbacks so far (<c>renderCount</c>).</param>
/// <param name="RenderTimeMeanUs">Mean callback time so far, µs (<c>renderTimeMeanUs</c>).</param>
/// <param name="RenderTimeP95Us">95th percentile so far, µs, from the module's histogram (<c>renderTimeP95Us</c>).</param>
/// <param name="RenderTimeMaxUs">Longest callback so far, µs (<c>renderTimeMaxUs</c>).</param>
/// <param name="FramesWritten">Analysis frames copied into shared memory (<c>framesWritten</c>).</param>
/// <param name="ResultsConsumed">Host results composited (<c>resultsConsumed</c>).</param>
/// <param name="HostConnected">Whether the filter's host was connected (<c>hostConnected</c>).</param>
public sealed record FilterRenderCounters(
    long RenderCount,
    double RenderTimeMeanUs,
    double RenderTimeP95Us,
    double RenderTimeMaxUs,
    long FramesWritten,
    long ResultsConsumed,
    bool HostConnected)
{
    /// <summary>
    /// Finds a filter's entry in a vendor GetStats answer by source and filter name; when no
    /// entry carries those names (the module could not name it) and there is exactly one
    /// entry, that one.
    /// </summary>
    /// <param name="vendorStats">The vendor's responseData.</param>
    /// <param name="sourceName">The source the filter is on.</param>
    /// <param name="filterName">The filter's name.</param>
    /// <returns>The counters, or null when there is no such entry.</returns>
    public static FilterRenderCounters? Find(JsonElement vendorStats, string sourceName, string filterName)
    {
        if (vendorStats.ValueKind != JsonValueKind.Object
            || !vendorStats.TryGetProperty("filters", out var filters)
            || filters.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var entries = filters.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList();
        var named = entries.Where(e => Text(e, "sourceName") == sourceName && Text(e, "filterName") == filterName).ToList();
        var chosen = named.Count == 1 ? named[0] : entries.Count == 1 && named.Count == 0 ? entries[0] : (JsonElement?)null;
        return chosen is { } entry
            ? new FilterRenderCounters(
                (long)Number(entry, "renderCount"),
                Number(entry, "renderTimeMeanUs"),
                Number(entry, "renderTimeP95Us"),
                Number(entry, "renderTimeMaxUs"),
                (long)Number(entry, "framesWritten"),
                (long)Number(entry, "resultsConsumed"),
                entry.TryGetProperty("hostConnected", out var connected) && connected.ValueKind == JsonValueKind.True)
            : null;
    }

    /// <summary>
    /// The mean callback time over the window between two readings of the cumulative counters:
    /// (mean_end × count_end − mean_start × count_start) / (count_end − count_start).
    /// </summary>
    /// <param name="start">The reading at the window's start.</param>
    /// <param name="end">The reading at its end.</param>
    /// <returns>The window's mean in µs, or NaN when no callback ran in the window.</returns>
    public static double WindowMeanUs(FilterRenderCounters start, FilterRenderCounters end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        var count = end.RenderCount - start.RenderCount;
        return count > 0
            ? ((end.RenderTimeMeanUs * end.RenderCount) - (start.RenderTimeMeanUs * start.RenderCount)) / count
            : double.NaN;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : throw new InvalidDataException($"The vendor GetStats filter entry has no numeric '{name}': {element.GetRawText()}");
}
