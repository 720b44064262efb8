using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;

namespace ObsFaceSwap.Controller.Status;

/// <summary>
/// Reads <c>obs-faceswap status</c>: OBS's render/output stats (GetStats), stream, record and virtual
/// camera state, the program scene, the obs-faceswap filters' counters and face counts (vendor GetStats),
/// the host's per-stage latency (GetStats' <c>host</c> part: the host's STATS_REPLY, which the module
/// fetches every 2 s) and the stream targets (vendor ListStreamTargets). A vendor request OBS does not know (module not loaded, older
/// module) gives null for that part and a note, not an error.
/// </summary>
public static class StatusReader
{
    /// <summary>The vendor name of the obs-faceswap module.</summary>
    public const string Vendor = "obs-faceswap";

    /// <summary>Reads the status as a JSON object (the shape of <c>status --json</c>).</summary>
    public static async Task<JsonObject> ReadAsync(IObsRequester obs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obs);
        var stats = await obs.RequestAsync("GetStats", null, cancellationToken).ConfigureAwait(false);
        var stream = await obs.RequestAsync("GetStreamStatus", null, cancellationToken).ConfigureAwait(false);
        var record = await obs.RequestAsync("GetRecordStatus", null, cancellationToken).ConfigureAwait(false);
        var scenes = await obs.RequestAsync("GetSceneList", null, cancellationToken).ConfigureAwait(false);
        JsonNode? virtualCam;
        try
        {
            var vc = await obs.RequestAsync("GetVirtualCamStatus", null, cancellationToken).ConfigureAwait(false);
            virtualCam = new JsonObject { ["active"] = vc.Bool("outputActive") };
        }
        catch (ObsRequestException)
        {
            // No virtual camera output on this OBS (e.g. v4l2loopback missing).
            virtualCam = null;
        }

        var notes = new JsonArray();
        var faceswap = await VendorAsync(obs, "GetStats", notes, cancellationToken).ConfigureAwait(false);
        var targets = await VendorAsync(obs, "ListStreamTargets", notes, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["obs"] = new JsonObject
            {
                ["activeFps"] = stats.Num("activeFps"),
                ["averageFrameRenderTimeMs"] = stats.Num("averageFrameRenderTime"),
                ["renderSkippedFrames"] = stats.Int("renderSkippedFrames"),
                ["renderTotalFrames"] = stats.Int("renderTotalFrames"),
                ["outputSkippedFrames"] = stats.Int("outputSkippedFrames"),
                ["outputTotalFrames"] = stats.Int("outputTotalFrames"),
                ["cpuUsage"] = stats.Num("cpuUsage"),
                ["memoryUsageMb"] = stats.Num("memoryUsage"),
                ["availableDiskSpaceMb"] = stats.Num("availableDiskSpace"),
            },
            ["programScene"] = scenes.Str("currentProgramSceneName"),
            ["stream"] = new JsonObject
            {
                ["active"] = stream.Bool("outputActive"),
                ["reconnecting"] = stream.Bool("outputReconnecting"),
                ["timecode"] = stream.Str("outputTimecode"),
                ["bytes"] = stream.Int("outputBytes"),
                ["skippedFrames"] = stream.Int("outputSkippedFrames"),
                ["totalFrames"] = stream.Int("outputTotalFrames"),
            },
            ["record"] = new JsonObject
            {
                ["active"] = record.Bool("outputActive"),
                ["paused"] = record.Bool("outputPaused"),
                ["timecode"] = record.Str("outputTimecode"),
                ["bytes"] = record.Int("outputBytes"),
            },
            ["virtualCam"] = virtualCam,
            ["faceswap"] = faceswap,
            ["streamTargets"] = targets is JsonObject t && t["targets"] is JsonArray list ? list.DeepClone() : targets,
            ["notes"] = notes,
        };
    }

    /// <summary>The human-readable form of <see cref="ReadAsync"/>'s object.</summary>
    public static string Format(JsonObject status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var o = status["obs"]!.AsObject();
        var lines = new List<string>
        {
            FormattableString.Invariant($"OBS        {(double)o["activeFps"]!:0.0} fps, render {(double)o["averageFrameRenderTimeMs"]!:0.0} ms, CPU {(double)o["cpuUsage"]!:0.0} %, skipped render {o["renderSkippedFrames"]}/{o["renderTotalFrames"]}, output {o["outputSkippedFrames"]}/{o["outputTotalFrames"]}"),
            $"scene      {status["programScene"]}",
            $"stream     {State(status["stream"])}",
            $"record     {State(status["record"])}",
            $"virtualcam {(status["virtualCam"] is JsonObject vc ? ((bool)vc["active"]! ? "active" : "off") : "unavailable")}",
        };
        if (status["faceswap"] is JsonObject fs)
        {
            lines.Add($"faceswap   host {((bool?)fs["hostConnected"] == true ? $"connected (pid {fs["hostPid"]})" : "not connected")}, restarts {fs["hostRestarts"]}");
            var hostChannels = fs["host"]?["channels"]?.AsArray() ?? [];
            foreach (var f in fs["filters"]?.AsArray() ?? [])
            {
                lines.Add(FormattableString.Invariant(
                    $"  {f!["sourceName"]}/{f["filterName"]}: {f["faces"] ?? 0} face(s); frames {f["framesWritten"]} written, {f["framesDropped"]} dropped, {f["framesSkipped"]} skipped; results {f["resultsConsumed"]} used, {f["resultsRejected"]} rejected; pipeline {Num(f["lastPipelineUs"]) / 1000:0.0} ms; {f["latencyMode"]} mode, video delay {Num(f["videoDelayMs"]):0} ms"));
                var channel = hostChannels.FirstOrDefault(c => Num(c?["channelId"]) == Num(f["channelId"]) && f["channelId"] is not null);
                // Per-stage mean and p95 in ms, as the host measures them (its STATS_REPLY); stages the
                // current mode does not run (count 0) are left out.
                var stages = (channel?["stages"] as JsonArray ?? []).Where(st => Num(st?["count"]) > 0).ToList();
                if (stages.Count > 0)
                {
                    lines.Add("    stages " + string.Join(", ", stages.Select(st => FormattableString.Invariant(
                        $"{st?["name"]} {Num(st?["meanMs"]):0.0}/{Num(st?["p95Ms"]):0.0} ms"))) + " (mean/p95)");
                }
            }
        }

        if (status["streamTargets"] is JsonArray targets)
        {
            lines.Add($"targets    {targets.Count}");
            foreach (var t in targets)
            {
                lines.Add($"  {t?["name"]} ({t?["platform"]}): {t?["state"] ?? (t?["active"] is JsonNode a ? ((bool)a ? "active" : "stopped") : "?")}");
            }
        }

        foreach (var note in status["notes"]?.AsArray() ?? [])
        {
            lines.Add($"note       {note}");
        }

        return string.Join('\n', lines) + "\n";
    }

    private static double Num(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? d : 0;

    private static string State(JsonNode? node) =>
        node is JsonObject s && (bool)s["active"]!
            ? $"active {s["timecode"]}{((bool?)s["paused"] == true ? " (paused)" : "")}{((bool?)s["reconnecting"] == true ? " (reconnecting)" : "")}, {(long)s["bytes"]! / 1_000_000.0:0.0} MB"
            : "off";

    private static async Task<JsonNode?> VendorAsync(IObsRequester obs, string requestType, JsonArray notes, CancellationToken cancellationToken)
    {
        try
        {
            // obs-websocket refuses an empty requestData object (403): leave it out.
            var answer = await obs.RequestAsync("CallVendorRequest", new JsonObject
            {
                ["vendorName"] = Vendor,
                ["requestType"] = requestType,
            }, cancellationToken).ConfigureAwait(false);
            var data = answer.Obj("responseData");
            return data.ValueKind == JsonValueKind.Object ? JsonNode.Parse(data.GetRawText()) : new JsonObject();
        }
        catch (ObsRequestException e) when (e.Code is ObsRequestStatusCode.ResourceNotFound or ObsRequestStatusCode.UnknownRequestType)
        {
            notes.Add($"{Vendor} {requestType}: not available ({(int)e.Code}; module not loaded or too old)");
            return null;
        }
    }
}
