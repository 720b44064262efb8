using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ObsFaceSwap.Controller.Recording;

namespace ObsFaceSwap.Controller.Streaming;

/// <summary>The encoder of a stream target: <c>shared</c> (the main stream's) or its own.</summary>
/// <param name="Width">Output width.</param>
/// <param name="Height">Output height.</param>
/// <param name="Fps">Frames per second; null for OBS's.</param>
/// <param name="BitrateKbps">Video bitrate.</param>
public sealed partial record TargetEncoder(int Width, int Height, int? Fps, int BitrateKbps)
{
    /// <summary>Parses <c>shared</c> (null) or <c>WxH@FPS:KBPS</c> / <c>WxH:KBPS</c>, e.g. <c>1280x720@30:3000</c>.</summary>
    /// <exception cref="FormatException">Malformed or out of range.</exception>
    public static TargetEncoder? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "shared")
        {
            return null;
        }

        var m = Pattern().Match(text);
        if (!m.Success)
        {
            throw new FormatException($"--encoder '{text}' is not 'shared' or WxH@FPS:KBPS (e.g. 1280x720@30:3000)");
        }

        int Get(int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
        var (w, h, kbps) = (Get(1), Get(2), Get(4));
        int? fps = m.Groups[3].Success ? Get(3) : null;
        if (w is < 64 or > 7680 || h is < 64 or > 4320 || w % 2 != 0 || h % 2 != 0)
        {
            throw new FormatException($"--encoder size {w}x{h}: even, 64x64 to 7680x4320");
        }

        if (fps is < 1 or > 240)
        {
            throw new FormatException($"--encoder fps {fps}: 1..240");
        }

        if (kbps is < 100 or > 100_000)
        {
            throw new FormatException($"--encoder bitrate {kbps} kbps: 100..100000");
        }

        return new TargetEncoder(w, h, fps, kbps);
    }

    [GeneratedRegex(@"^(\d+)x(\d+)(?:@(\d+))?:(\d+)$")]
    private static partial Regex Pattern();
}

/// <summary>A stream target to add (vendor request AddStreamTarget).</summary>
/// <param name="Name">Its name.</param>
/// <param name="Platform">twitch, youtube, facebook, tiktok or custom.</param>
/// <param name="Server">The ingest URL (required for custom; else the platform's default).</param>
/// <param name="Key">The stream key (never printed).</param>
/// <param name="Encoder">Its own encoder, or null for the shared one.</param>
/// <param name="KeyintSec">Keyframe interval in seconds (own encoder only).</param>
/// <param name="AutoStart">Start with the main stream.</param>
public sealed record StreamTargetSpec(string Name, string Platform, string? Server, string Key, TargetEncoder? Encoder, int? KeyintSec, bool AutoStart)
{
    /// <summary>The platforms.</summary>
    public static IReadOnlyList<string> Platforms { get; } = ["twitch", "youtube", "facebook", "tiktok", "custom"];

    /// <summary>Throws <see cref="ArgumentException"/> when a field is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 64)
        {
            throw new ArgumentException("the target name must be 1..64 characters");
        }

        if (!Platforms.Contains(Platform))
        {
            throw new ArgumentException($"unknown platform '{Platform}' (one of {string.Join(", ", Platforms)})");
        }

        if (Platform == "custom" && string.IsNullOrEmpty(Server))
        {
            throw new ArgumentException("--platform custom needs --server URL");
        }

        if (Server is { } s && !(Uri.TryCreate(s, UriKind.Absolute, out var uri) && uri.Scheme is "rtmp" or "rtmps" or "srt" or "rist"))
        {
            throw new ArgumentException($"--server '{s}' is not an rtmp://, rtmps://, srt:// or rist:// URL");
        }

        if (string.IsNullOrEmpty(Key) || Key.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("the stream key is empty or contains whitespace");
        }

        if (KeyintSec is < 1 or > 20)
        {
            throw new ArgumentException("--keyint must be within 1..20 s");
        }

        if (KeyintSec is not null && Encoder is null)
        {
            throw new ArgumentException("--keyint applies to a target's own encoder (--encoder WxH@FPS:KBPS), not the shared one");
        }
    }

    /// <summary>The AddStreamTarget request data.</summary>
    public JsonObject ToRequest()
    {
        Validate();
        var data = new JsonObject
        {
            ["name"] = Name,
            ["platform"] = Platform,
            ["key"] = Key,
            ["autoStart"] = AutoStart,
        };
        if (Server is not null)
        {
            data["server"] = Server;
        }

        if (Encoder is { } e)
        {
            var enc = new JsonObject
            {
                ["width"] = e.Width,
                ["height"] = e.Height,
                ["bitrateKbps"] = e.BitrateKbps,
                ["keyintSec"] = KeyintSec ?? 2,
            };
            if (e.Fps is { } fps)
            {
                enc["fps"] = fps;
            }

            data["encoder"] = enc;
        }
        else
        {
            data["encoder"] = "shared";
        }

        return data;
    }

    /// <summary>Reads a secret (stream key, password) from a file, or from stdin for <c>-</c>; trims the line end.</summary>
    /// <exception cref="ArgumentException">The secret is empty.</exception>
    public static string ReadSecret(string path, TextReader stdin, string what)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        var text = path == "-" ? stdin.ReadLine() ?? "" : File.ReadAllText(path);
        text = text.TrimEnd('\r', '\n');
        return text.Length > 0 ? text : throw new ArgumentException($"the {what} in {(path == "-" ? "stdin" : path)} is empty");
    }
}

/// <summary>
/// Streams over obs-websocket: the main stream (StartStream/StopStream, with the backup recording when
/// <c>record configure --backup-while-streaming</c> is on) and the obs-faceswap stream targets (vendor
/// requests AddStreamTarget, ListStreamTargets, RemoveStreamTarget, StartStreamTarget, StopStreamTarget).
/// </summary>
/// <param name="obs">Where to send requests.</param>
public sealed class StreamController(IObsRequester obs)
{
    /// <summary>Calls an obs-faceswap vendor request and returns its answer.</summary>
    /// <exception cref="Obs.ObsRequestException">OBS refused; status 600 when the module or the request is missing.</exception>
    /// <exception cref="ControllerException">The module answered with an error.</exception>
    public async Task<JsonObject> VendorAsync(string requestType, JsonObject? data, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject
        {
            ["vendorName"] = Status.StatusReader.Vendor,
            ["requestType"] = requestType,
        };
        // obs-websocket refuses an empty requestData object (403 RequestFieldEmpty): leave it out then.
        if (data is { Count: > 0 })
        {
            request["requestData"] = data;
        }

        var answer = await obs.RequestAsync("CallVendorRequest", request, cancellationToken).ConfigureAwait(false);
        var response = answer.Obj("responseData");
        var result = response.ValueKind == System.Text.Json.JsonValueKind.Object ? JsonNode.Parse(response.GetRawText())!.AsObject() : [];
        // Vendor callbacks cannot fail the request itself: the module reports failures in the answer.
        if (result["error"] is JsonValue error)
        {
            throw new ControllerException($"obs-faceswap {requestType}: {error}");
        }

        if (result["success"] is JsonValue success && success.TryGetValue<bool>(out var ok) && !ok)
        {
            throw new ControllerException($"obs-faceswap {requestType} failed{(result["message"] is { } m ? $": {m}" : "")}");
        }

        return result;
    }

    /// <summary>Starts the main stream (and the backup recording when configured) or a target.</summary>
    /// <returns>What was started, for the user.</returns>
    public async Task<string> StartAsync(string? target, CancellationToken cancellationToken = default)
    {
        if (target is not null)
        {
            await VendorAsync("StartStreamTarget", new JsonObject { ["name"] = target }, cancellationToken).ConfigureAwait(false);
            return $"stream target '{target}' started";
        }

        await obs.RequestAsync("StartStream", null, cancellationToken).ConfigureAwait(false);
        var recorder = new RecordController(obs);
        if (await recorder.GetParameterAsync(RecordPlanner.Section, RecordPlanner.BackupKey, cancellationToken).ConfigureAwait(false) == "true"
            && !await recorder.IsRecordingAsync(cancellationToken).ConfigureAwait(false))
        {
            await recorder.StartAsync(cancellationToken).ConfigureAwait(false);
            await recorder.SetParameterAsync(RecordPlanner.Section, RecordPlanner.BackupActiveKey, "true", cancellationToken).ConfigureAwait(false);
            return "stream started, backup recording started";
        }

        return "stream started";
    }

    /// <summary>Stops the main stream (and a backup recording <see cref="StartAsync"/> started) or a target.</summary>
    /// <returns>What was stopped, for the user.</returns>
    public async Task<string> StopAsync(string? target, CancellationToken cancellationToken = default)
    {
        if (target is not null)
        {
            await VendorAsync("StopStreamTarget", new JsonObject { ["name"] = target }, cancellationToken).ConfigureAwait(false);
            return $"stream target '{target}' stopped";
        }

        await obs.RequestAsync("StopStream", null, cancellationToken).ConfigureAwait(false);
        var recorder = new RecordController(obs);
        if (await recorder.GetParameterAsync(RecordPlanner.Section, RecordPlanner.BackupActiveKey, cancellationToken).ConfigureAwait(false) == "true")
        {
            await recorder.SetParameterAsync(RecordPlanner.Section, RecordPlanner.BackupActiveKey, null, cancellationToken).ConfigureAwait(false);
            if (await recorder.IsRecordingAsync(cancellationToken).ConfigureAwait(false))
            {
                var stopped = await recorder.StopAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return $"stream stopped, backup recording {stopped.RemuxedPath ?? stopped.Path}";
            }
        }

        return "stream stopped";
    }
}
