using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>GetProfileParameter's answer.</summary>
/// <param name="ParameterValue">The value, or null when it is not set.</param>
/// <param name="DefaultParameterValue">The default value, or null when there is none.</param>
public sealed record ObsProfileParameter(string? ParameterValue, string? DefaultParameterValue);

/// <summary>GetStreamServiceSettings's answer.</summary>
/// <param name="StreamServiceType">The service type, e.g. <c>rtmp_custom</c> or <c>rtmp_common</c>.</param>
/// <param name="StreamServiceSettings">The service's settings (for <c>rtmp_custom</c>: <c>server</c>, <c>key</c>, ...).</param>
public sealed record ObsStreamServiceSettings(string StreamServiceType, JsonElement StreamServiceSettings);

/// <summary>GetVideoSettings's answer.</summary>
/// <param name="FpsNumerator">Frame rate numerator.</param>
/// <param name="FpsDenominator">Frame rate denominator.</param>
/// <param name="BaseWidth">Canvas width.</param>
/// <param name="BaseHeight">Canvas height.</param>
/// <param name="OutputWidth">Output (scaled) width.</param>
/// <param name="OutputHeight">Output (scaled) height.</param>
public sealed record ObsVideoSettings(int FpsNumerator, int FpsDenominator, int BaseWidth, int BaseHeight, int OutputWidth, int OutputHeight);

/// <content>Requests of the Config category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>GetProfileParameter: reads one value of the current profile's basic.ini.</summary>
    /// <param name="parameterCategory">The ini section, e.g. <c>SimpleOutput</c>.</param>
    /// <param name="parameterName">The key, e.g. <c>VBitrate</c>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The value and its default.</returns>
    public Task<ObsProfileParameter> GetProfileParameterAsync(
        string parameterCategory,
        string parameterName,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(parameterCategory);
        ArgumentException.ThrowIfNullOrEmpty(parameterName);
        var data = new JsonObject { ["parameterCategory"] = parameterCategory, ["parameterName"] = parameterName };
        return RequestAsync("GetProfileParameter", data, ObsJsonContext.Default.ObsProfileParameter, cancellationToken);
    }

    /// <summary>SetProfileParameter: sets (or deletes) one value of the current profile's basic.ini.</summary>
    /// <param name="parameterCategory">The ini section, e.g. <c>SimpleOutput</c>.</param>
    /// <param name="parameterName">The key, e.g. <c>VBitrate</c>.</param>
    /// <param name="parameterValue">The value; null deletes the key.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the value is set.</returns>
    public Task SetProfileParameterAsync(
        string parameterCategory,
        string parameterName,
        string? parameterValue,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(parameterCategory);
        ArgumentException.ThrowIfNullOrEmpty(parameterName);
        var data = new JsonObject
        {
            ["parameterCategory"] = parameterCategory,
            ["parameterName"] = parameterName,
            ["parameterValue"] = parameterValue,
        };
        return RequestAsync("SetProfileParameter", data, cancellationToken: cancellationToken);
    }

    /// <summary>GetRecordDirectory: the folder the record output writes to.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The folder.</returns>
    public async Task<string> GetRecordDirectoryAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetRecordDirectory", cancellationToken: cancellationToken).ConfigureAwait(false)).ReadString("recordDirectory");

    /// <summary>
    /// SetRecordDirectory: changes the folder the record output writes to. Added in
    /// obs-websocket 5.3.0 (OBS 30): obs-websocket 5.1 (OBS 29) answers status 204
    /// (<see cref="ObsRequestStatusCode.UnknownRequestType"/>); there, set the profile
    /// parameter instead (<c>SimpleOutput</c>/<c>FilePath</c> or <c>AdvOut</c>/<c>RecFilePath</c>).
    /// </summary>
    /// <param name="recordDirectory">The folder.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the folder is set.</returns>
    public Task SetRecordDirectoryAsync(string recordDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordDirectory);
        return RequestAsync("SetRecordDirectory", new JsonObject { ["recordDirectory"] = recordDirectory }, cancellationToken: cancellationToken);
    }

    /// <summary>GetStreamServiceSettings: the stream destination.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The service type and settings.</returns>
    public Task<ObsStreamServiceSettings> GetStreamServiceSettingsAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("GetStreamServiceSettings", null, ObsJsonContext.Default.ObsStreamServiceSettings, cancellationToken);

    /// <summary>
    /// SetStreamServiceSettings: sets the stream destination, e.g. <c>rtmp_custom</c> with
    /// <c>server</c> and <c>key</c>. Settings of the same service type are merged into the
    /// current ones; a new type starts from its defaults.
    /// </summary>
    /// <param name="streamServiceType">The service type.</param>
    /// <param name="streamServiceSettings">The settings (copied).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the service is set.</returns>
    public Task SetStreamServiceSettingsAsync(
        string streamServiceType,
        JsonObject streamServiceSettings,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamServiceType);
        ArgumentNullException.ThrowIfNull(streamServiceSettings);
        var data = new JsonObject
        {
            ["streamServiceType"] = streamServiceType,
            ["streamServiceSettings"] = streamServiceSettings.DeepClone(),
        };
        return RequestAsync("SetStreamServiceSettings", data, cancellationToken: cancellationToken);
    }

    /// <summary>GetVideoSettings: canvas and output size and frame rate.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The settings.</returns>
    public Task<ObsVideoSettings> GetVideoSettingsAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("GetVideoSettings", null, ObsJsonContext.Default.ObsVideoSettings, cancellationToken);

    /// <summary>
    /// SetVideoSettings: changes canvas or output size or frame rate; each pair is given whole
    /// or not at all, and OBS refuses while an output is active.
    /// </summary>
    /// <param name="fpsNumerator">Frame rate numerator, or null to keep.</param>
    /// <param name="fpsDenominator">Frame rate denominator, or null to keep.</param>
    /// <param name="baseWidth">Canvas width, or null to keep.</param>
    /// <param name="baseHeight">Canvas height, or null to keep.</param>
    /// <param name="outputWidth">Output width, or null to keep.</param>
    /// <param name="outputHeight">Output height, or null to keep.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the settings are applied.</returns>
    public Task SetVideoSettingsAsync(
        int? fpsNumerator = null,
        int? fpsDenominator = null,
        int? baseWidth = null,
        int? baseHeight = null,
        int? outputWidth = null,
        int? outputHeight = null,
        CancellationToken cancellationToken = default)
    {
        var data = new JsonObject();
        AddIfSet(data, "fpsNumerator", fpsNumerator);
        AddIfSet(data, "fpsDenominator", fpsDenominator);
        AddIfSet(data, "baseWidth", baseWidth);
        AddIfSet(data, "baseHeight", baseHeight);
        AddIfSet(data, "outputWidth", outputWidth);
        AddIfSet(data, "outputHeight", outputHeight);
        return RequestAsync("SetVideoSettings", data, cancellationToken: cancellationToken);
    }

    private static void AddIfSet(JsonObject data, string name, int? value)
    {
        if (value is int v)
        {
            data[name] = v;
        }
    }
}
