using System.Text.Json;

namespace ObsFaceSwap.Obs;

/// <summary>One answer of obs-websocket to a request (alone or inside a batch).</summary>
/// <param name="RequestType">The request type the answer is for.</param>
/// <param name="Status">Whether it succeeded, with the status code and comment.</param>
/// <param name="ResponseData">The <c>responseData</c> object, if the server sent one.</param>
public sealed record ObsRequestResponse(string RequestType, ObsRequestStatus Status, JsonElement? ResponseData)
{
    /// <summary>Throws <see cref="ObsRequestException"/> unless the request succeeded.</summary>
    /// <returns>This response, for chaining.</returns>
    public ObsRequestResponse EnsureSuccess() =>
        Status.Result ? this : throw new ObsRequestException(RequestType, Status.Code, Status.Comment);
}
