using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ObsFaceSwap.Obs;

/// <summary>Source-generated JSON metadata for the typed responses (camelCase, as obs-websocket names fields).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ObsVersionInfo))]
[JsonSerializable(typeof(ObsStats))]
[JsonSerializable(typeof(ObsVendorResponse))]
[JsonSerializable(typeof(ObsSourceFilter))]
[JsonSerializable(typeof(ObsRecordStatus))]
[JsonSerializable(typeof(ObsOutputStatus))]
[JsonSerializable(typeof(ObsOutputList))]
[JsonSerializable(typeof(ObsProfileParameter))]
[JsonSerializable(typeof(ObsStreamServiceSettings))]
[JsonSerializable(typeof(ObsVideoSettings))]
[JsonSerializable(typeof(ObsSceneTransitionList))]
[JsonSerializable(typeof(ObsSceneItemList))]
[JsonSerializable(typeof(ObsSceneItemTransformResponse))]
[JsonSerializable(typeof(ObsInputSettings))]
[JsonSerializable(typeof(ObsInputList))]
[JsonSerializable(typeof(ObsSourceFilterList))]
[JsonSerializable(typeof(Events.StreamStateChanged))]
[JsonSerializable(typeof(Events.RecordStateChanged))]
[JsonSerializable(typeof(Events.CurrentProgramSceneChanged))]
[JsonSerializable(typeof(Events.VendorEvent))]
internal sealed partial class ObsJsonContext : JsonSerializerContext
{
}

/// <summary>Reading typed fields out of responses.</summary>
internal static class ObsResponseReader
{
    /// <summary>Deserializes the whole <c>responseData</c>.</summary>
    public static T Read<T>(this ObsRequestResponse response, JsonTypeInfo<T> typeInfo) =>
        response.Data().Deserialize(typeInfo)
        ?? throw new InvalidDataException($"{response.RequestType} returned an empty responseData.");

    /// <summary>Reads one string field of <c>responseData</c>.</summary>
    public static string ReadString(this ObsRequestResponse response, string name) =>
        response.Data().TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"{response.RequestType} returned no string field '{name}'.");

    /// <summary>Reads one boolean field of <c>responseData</c>.</summary>
    public static bool ReadBoolean(this ObsRequestResponse response, string name) =>
        response.Data().TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new InvalidDataException($"{response.RequestType} returned no boolean field '{name}'.");

    /// <summary>Reads one object field of <c>responseData</c> (cloned with the response).</summary>
    public static JsonElement ReadObject(this ObsRequestResponse response, string name) =>
        response.Data().TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new InvalidDataException($"{response.RequestType} returned no object field '{name}'.");

    /// <summary>Reads one integer field of <c>responseData</c>.</summary>
    public static long ReadInt64(this ObsRequestResponse response, string name) =>
        response.Data().TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)
            ? n
            : throw new InvalidDataException($"{response.RequestType} returned no integer field '{name}'.");

    private static JsonElement Data(this ObsRequestResponse response) =>
        response.ResponseData is { ValueKind: JsonValueKind.Object } data
            ? data
            : throw new InvalidDataException($"{response.RequestType} returned no responseData object.");
}
