using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;

namespace ObsFaceSwap.Controller.Tests;

/// <summary>An <see cref="IObsRequester"/> that records requests and answers from a table (unknown requests answer {}).</summary>
internal sealed class FakeObs : IObsRequester
{
    private readonly Dictionary<string, Func<JsonObject?, JsonNode?>> _answers = new(StringComparer.Ordinal);

    public List<(string Type, JsonObject? Data)> Requests { get; } = [];

    public FakeObs On(string requestType, Func<JsonObject?, JsonNode?> answer)
    {
        _answers[requestType] = answer;
        return this;
    }

    public FakeObs On(string requestType, string json) => On(requestType, _ => JsonNode.Parse(json));

    public FakeObs Fail(string requestType, ObsRequestStatusCode code) =>
        On(requestType, _ => throw new ObsRequestException(requestType, code, "fake failure"));

    public IEnumerable<string> Types => Requests.Select(r => r.Type);

    public Task<JsonElement> RequestAsync(string requestType, JsonObject? requestData = null, CancellationToken cancellationToken = default)
    {
        Requests.Add((requestType, requestData?.DeepClone().AsObject()));
        var answer = _answers.TryGetValue(requestType, out var f) ? f(requestData) : null;
        return Task.FromResult(JsonDocument.Parse((answer ?? new JsonObject()).ToJsonString()).RootElement.Clone());
    }
}
