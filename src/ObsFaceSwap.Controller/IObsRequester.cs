using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;

namespace ObsFaceSwap.Controller;

/// <summary>
/// Sends one obs-websocket request and returns its <c>responseData</c>. The controller talks to OBS
/// only through this, so its logic runs against a fake in unit tests.
/// </summary>
public interface IObsRequester
{
    /// <summary>Sends <paramref name="requestType"/> with <paramref name="requestData"/>.</summary>
    /// <param name="requestType">The obs-websocket request type, e.g. <c>GetSceneList</c>.</param>
    /// <param name="requestData">The request's fields; null when it has none.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The response data (an empty object when the server sent none).</returns>
    /// <exception cref="ObsRequestException">OBS answered with a failure status.</exception>
    Task<JsonElement> RequestAsync(string requestType, JsonObject? requestData = null, CancellationToken cancellationToken = default);
}

/// <summary><see cref="IObsRequester"/> over a connected <see cref="ObsWebSocketClient"/>.</summary>
/// <param name="client">The identified client (not disposed by this adapter).</param>
public sealed class ObsClientRequester(ObsWebSocketClient client) : IObsRequester
{
    private static readonly JsonElement Empty = JsonDocument.Parse("{}").RootElement.Clone();

    /// <inheritdoc />
    public async Task<JsonElement> RequestAsync(string requestType, JsonObject? requestData = null, CancellationToken cancellationToken = default)
    {
        var response = await client.RequestAsync(requestType, requestData, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.ResponseData ?? Empty;
    }
}

/// <summary>Small readers for obs-websocket answers.</summary>
internal static class Json
{
    public static string Str(this JsonElement e, string name, string fallback = "") =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : fallback;

    public static double Num(this JsonElement e, string name, double fallback = 0) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;

    public static long Int(this JsonElement e, string name, long fallback = 0) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? (v.TryGetInt64(out var n) ? n : (long)v.GetDouble())
            : fallback;

    public static bool Bool(this JsonElement e, string name, bool fallback = false) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : fallback;

    public static IEnumerable<JsonElement> Arr(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray()
            : [];

    public static JsonElement Obj(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object
            ? v
            : default;
}
