using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Cli.Tests;

/// <summary>Runs the CLI in-process against a temporary cache (and optionally a temporary manifest), capturing stdout and stderr.</summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness() => Root = Directory.CreateTempSubdirectory("ofs-cli-").FullName;

    public string Root { get; }

    public string Cache => Path.Combine(Root, "cache");

    public FakeHttpHandler Http { get; } = new();

    public string Write(string relative, byte[] content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Writes a one-entry manifest for <paramref name="content"/>; returns its path.</summary>
    public string WriteManifest(string id, byte[] content, string[] urls, string? licenceNotice = null, Action<JsonObject>? change = null)
    {
        var entry = new JsonObject
        {
            ["id"] = id,
            ["file"] = id + ".onnx",
            ["urls"] = new JsonArray([.. urls.Select(u => (JsonNode)JsonValue.Create(u)!)]),
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
            ["size"] = content.Length,
            ["licence"] = licenceNotice is null ? "Apache-2.0" : "Research only",
            ["purpose"] = "face-detection",
            ["inputs"] = JsonNode.Parse("""[{ "name": "input", "shape": [1, 3, 64, 64] }]"""),
            ["outputs"] = JsonNode.Parse("""[{ "name": "out", "shape": [-1, 4] }]"""),
            ["layout"] = "NCHW",
            ["colourOrder"] = "RGB",
            ["mean"] = JsonNode.Parse("[0]"),
            ["std"] = JsonNode.Parse("[255]"),
        };
        if (licenceNotice is not null)
        {
            entry["licenceNotice"] = licenceNotice;
        }

        change?.Invoke(entry);
        var path = Path.Combine(Root, "manifest.json");
        File.WriteAllText(path, new JsonObject { ["schemaVersion"] = 1, ["models"] = new JsonArray(entry) }.ToJsonString());
        return path;
    }

    public async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var client = new HttpClient(Http, disposeHandler: false);
        var context = new CliContext(output, error) { HttpClient = client, DefaultCacheDirectory = Cache };
        var code = await CliApp.RunAsync(args, context);
        return (code, output.ToString(), error.ToString());
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        Http.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Serves registered https URLs from memory; anything else is a connection failure. No network is touched.</summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public List<string> Requests { get; } = [];

    public void Serve(string url, byte[] content) => _files[url] = content;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!.ToString();
        lock (Requests)
        {
            Requests.Add(url);
        }

        if (!_files.TryGetValue(url, out var content))
        {
            throw new HttpRequestException($"Name or service not known ({request.RequestUri.Host}:443)");
        }

        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(content) };
        response.Content.Headers.ContentLength = content.Length;
        return Task.FromResult(response);
    }
}
