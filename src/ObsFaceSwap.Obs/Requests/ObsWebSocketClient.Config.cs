using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <content>Requests of the Config category.</content>
public sealed partial class ObsWebSocketClient
{
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
}
