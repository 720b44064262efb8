using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>GetVersion's answer.</summary>
/// <param name="ObsVersion">OBS Studio's version, e.g. <c>29.0.2</c>.</param>
/// <param name="ObsWebSocketVersion">obs-websocket's version, e.g. <c>5.1.0</c>.</param>
/// <param name="RpcVersion">The latest rpc version the server supports.</param>
/// <param name="AvailableRequests">Every request type the server knows.</param>
/// <param name="SupportedImageFormats">Image formats for screenshots.</param>
/// <param name="Platform">The platform name, e.g. <c>linux</c>.</param>
/// <param name="PlatformDescription">The platform's description.</param>
public sealed record ObsVersionInfo(
    string ObsVersion,
    string ObsWebSocketVersion,
    int RpcVersion,
    IReadOnlyList<string> AvailableRequests,
    IReadOnlyList<string> SupportedImageFormats,
    string Platform,
    string PlatformDescription);

/// <summary>GetStats's answer.</summary>
/// <param name="CpuUsage">OBS's CPU usage in percent.</param>
/// <param name="MemoryUsage">OBS's memory usage in MB.</param>
/// <param name="AvailableDiskSpace">Free space on the recording disk in MB.</param>
/// <param name="ActiveFps">The frame rate OBS renders at.</param>
/// <param name="AverageFrameRenderTime">Mean time to render a frame, ms.</param>
/// <param name="RenderSkippedFrames">Frames the renderer skipped (render lag).</param>
/// <param name="RenderTotalFrames">Frames rendered.</param>
/// <param name="OutputSkippedFrames">Frames the outputs skipped (encoder lag).</param>
/// <param name="OutputTotalFrames">Frames the outputs handled.</param>
/// <param name="WebSocketSessionIncomingMessages">Messages this session sent to the server.</param>
/// <param name="WebSocketSessionOutgoingMessages">Messages the server sent to this session.</param>
public sealed record ObsStats(
    double CpuUsage,
    double MemoryUsage,
    double AvailableDiskSpace,
    double ActiveFps,
    double AverageFrameRenderTime,
    long RenderSkippedFrames,
    long RenderTotalFrames,
    long OutputSkippedFrames,
    long OutputTotalFrames,
    long WebSocketSessionIncomingMessages,
    long WebSocketSessionOutgoingMessages);

/// <summary>CallVendorRequest's answer.</summary>
/// <param name="VendorName">The vendor that answered.</param>
/// <param name="RequestType">The vendor's request type.</param>
/// <param name="ResponseData">The vendor's answer object.</param>
public sealed record ObsVendorResponse(string VendorName, string RequestType, JsonElement ResponseData);

/// <content>Requests of the General category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>Sends a request and reads its whole <c>responseData</c> as <typeparamref name="T"/>.</summary>
    private async Task<T> RequestAsync<T>(
        string requestType,
        JsonObject? requestData,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken) =>
        (await RequestAsync(requestType, requestData, cancellationToken: cancellationToken).ConfigureAwait(false)).Read(typeInfo);

    /// <summary>GetVersion: OBS and obs-websocket versions and the available requests.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The versions.</returns>
    public async Task<ObsVersionInfo> GetVersionAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetVersion", cancellationToken: cancellationToken).ConfigureAwait(false))
            .Read(ObsJsonContext.Default.ObsVersionInfo);

    /// <summary>GetStats: OBS's render and output counters and resource use.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The statistics.</returns>
    public async Task<ObsStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync("GetStats", cancellationToken: cancellationToken).ConfigureAwait(false))
            .Read(ObsJsonContext.Default.ObsStats);

    /// <summary>CallVendorRequest: calls a request a plugin registered with obs-websocket.</summary>
    /// <param name="vendorName">The vendor (plugin) name, e.g. <c>obs-faceswap</c>.</param>
    /// <param name="requestType">The vendor's request type.</param>
    /// <param name="requestData">The vendor request's fields (copied); null or empty sends none.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The vendor's answer. An unknown vendor or request throws with status 600.</returns>
    public async Task<ObsVendorResponse> CallVendorRequestAsync(
        string vendorName,
        string requestType,
        JsonObject? requestData = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(vendorName);
        ArgumentException.ThrowIfNullOrEmpty(requestType);
        var data = new JsonObject { ["vendorName"] = vendorName, ["requestType"] = requestType };
        // obs-websocket 5.1 refuses an empty requestData object (status 403), so none is sent then.
        if (requestData is { Count: > 0 })
        {
            data["requestData"] = requestData.DeepClone();
        }

        return (await RequestAsync("CallVendorRequest", data, cancellationToken: cancellationToken).ConfigureAwait(false))
            .Read(ObsJsonContext.Default.ObsVendorResponse);
    }
}
