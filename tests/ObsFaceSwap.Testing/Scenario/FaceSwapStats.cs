using System.Diagnostics;
using System.Text.Json;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing.Processes;

namespace ObsFaceSwap.Testing.Scenario;

/// <summary>The two views of the pipeline's counters: the module's vendor request and the host's stats command.</summary>
public static class FaceSwapStats
{
    /// <summary>The module's obs-websocket vendor name.</summary>
    public const string VendorName = "obs-faceswap";

    /// <summary>CallVendorRequest {vendorName: obs-faceswap, requestType: GetStats}.</summary>
    /// <param name="obs">The client.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The vendor's responseData.</returns>
    public static async Task<JsonElement> GetVendorStatsAsync(ObsWebSocketClient obs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obs);
        var response = await obs.CallVendorRequestAsync(VendorName, "GetStats", cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.ResponseData;
    }

    /// <summary>Runs <c>obs-faceswap-host stats --endpoint PATH --json</c>.</summary>
    /// <param name="hostPath">The host executable.</param>
    /// <param name="endpoint">The control endpoint.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The parsed JSON it printed.</returns>
    public static async Task<JsonElement> GetHostStatsAsync(string hostPath, string endpoint, CancellationToken cancellationToken = default)
    {
        var output = await ExternalTool.RunAsync(hostPath, ["stats", "--endpoint", endpoint, "--json"], TimeSpan.FromSeconds(20), cancellationToken)
            .ConfigureAwait(false);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// Polls the vendor statistics until a counter (summed over channels) exceeds a value.
    /// </summary>
    /// <param name="obs">The client.</param>
    /// <param name="counter">The counter's name, e.g. <c>resultsConsumed</c>.</param>
    /// <param name="above">The value to exceed.</param>
    /// <param name="timeout">Bound on waiting.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The statistics that showed it, and the time it took.</returns>
    /// <exception cref="TimeoutException">The counter did not pass the value in time (the message shows the last statistics).</exception>
    public static async Task<(JsonElement Stats, TimeSpan Elapsed)> WaitForVendorCounterAsync(
        ObsWebSocketClient obs,
        string counter,
        double above,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        JsonElement last = default;
        Exception? error = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                last = await GetVendorStatsAsync(obs, cancellationToken).ConfigureAwait(false);
                error = null;
                if (JsonCounters.Sum(last, counter) > above)
                {
                    return (last, clock.Elapsed);
                }
            }
            catch (ObsRequestException ex)
            {
                // The vendor may register a little after obs-websocket starts.
                error = ex;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException(
            $"The module's {counter} did not exceed {above} within {timeout.TotalSeconds:0} s. "
            + (error is not null ? $"Last error: {error.Message}" : $"Last GetStats: {(last.ValueKind == JsonValueKind.Undefined ? "none" : last.GetRawText())}"));
    }
}
