using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ObsFaceSwap.Obs;

namespace ObsFaceSwap.Benchmarks;

/// <summary>
/// Round trip of obs-websocket requests through <see cref="ObsWebSocketClient"/> on loopback,
/// against an in-process stand-in for obs-websocket (<see cref="LoopbackObsServer"/>, on
/// 127.0.0.1 only) that answers every request with a canned GetVersion response of the size
/// OBS 29 sends (about 3.2 KB). Baseline (ratio 1.00): a raw <see cref="ClientWebSocket"/> sends
/// a message of a request's size and receives the same canned response bytes, with no JSON on
/// either side: the transport alone. The difference is the client (request framing, id, pending
/// table, response parsing, typed result) plus the server's scan for the requestId.
/// Not a real OBS: its request handling (the UI thread for many requests) is not measured.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ObsRequestBenchmarks
{
    private static readonly byte[] EchoRequest = Encoding.UTF8.GetBytes(
        """{"op":99,"d":{"requestType":"GetVersion","requestId":"123456"}}""");

    private readonly byte[] _receive = new byte[64 * 1024];
    private readonly ObsBatchRequest[] _batch = [.. Enumerable.Repeat(new ObsBatchRequest("GetVersion"), 10)];
    private LoopbackObsServer? _server;
    private ClientWebSocket? _raw;
    private ObsWebSocketClient? _client;

    [GlobalSetup]
    public void Setup()
    {
        _server = new LoopbackObsServer();
        _raw = new ClientWebSocket();
        _raw.Options.AddSubProtocol(ObsWebSocketClient.SubProtocol);
        _raw.ConnectAsync(_server.Uri, CancellationToken.None).GetAwaiter().GetResult();
        // The raw socket skips Hello/Identify: the server answers op 99 at any time.
        _raw.ReceiveAsync(_receive, CancellationToken.None).GetAwaiter().GetResult();
        _client = ObsWebSocketClient.ConnectAsync(new ObsWebSocketOptions
        {
            Uri = _server.Uri,
            EventSubscriptions = ObsEventSubscriptions.None,
        }).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _raw?.Abort();
        _raw?.Dispose();
        _server?.Dispose();
    }

    /// <summary>Transport only: send a request-sized message, receive the canned response bytes.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> RawWebSocketEcho()
    {
        await _raw!.SendAsync(EchoRequest, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
        var total = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _raw.ReceiveAsync(_receive.AsMemory(total), CancellationToken.None).ConfigureAwait(false);
            total += result.Count;
        }
        while (!result.EndOfMessage);

        return total;
    }

    /// <summary>GetVersion untyped: <see cref="ObsWebSocketClient.RequestAsync"/>, the response as a JsonElement.</summary>
    [Benchmark]
    public async Task<bool> GetVersionRequest() =>
        (await _client!.RequestAsync("GetVersion").ConfigureAwait(false)).Status.Result;

    /// <summary>GetVersion typed: the response read into <see cref="ObsVersionInfo"/>.</summary>
    [Benchmark]
    public async Task<int> GetVersionTyped() =>
        (await _client!.GetVersionAsync().ConfigureAwait(false)).AvailableRequests.Count;

    /// <summary>A RequestBatch of 10 GetVersion requests (one message each way, about 32 KB back).</summary>
    [Benchmark]
    public async Task<int> Batch10() =>
        (await _client!.RequestBatchAsync(_batch).ConfigureAwait(false)).Count;
}

/// <summary>
/// A minimal obs-websocket stand-in on 127.0.0.1: Hello without authentication, Identified,
/// then a canned GetVersion response to every request (op 6) and to each request of a batch
/// (op 8), and the same canned bytes for the benchmark's raw op 99 messages.
/// </summary>
internal sealed class LoopbackObsServer : IDisposable
{
    private static readonly string[] Requests =
    [
        "GetVersion", "GetStats", "BroadcastCustomEvent", "CallVendorRequest", "GetHotkeyList", "TriggerHotkeyByName",
        "TriggerHotkeyByKeySequence", "Sleep", "GetPersistentData", "SetPersistentData", "GetSceneCollectionList",
        "SetCurrentSceneCollection", "CreateSceneCollection", "GetProfileList", "SetCurrentProfile", "CreateProfile", "RemoveProfile",
        "GetProfileParameter", "SetProfileParameter", "GetVideoSettings", "SetVideoSettings", "GetStreamServiceSettings",
        "SetStreamServiceSettings", "GetRecordDirectory", "GetSourceActive", "GetSourceScreenshot", "SaveSourceScreenshot",
        "GetSceneList", "GetGroupList", "GetCurrentProgramScene", "SetCurrentProgramScene", "GetCurrentPreviewScene",
        "SetCurrentPreviewScene", "CreateScene", "RemoveScene", "SetSceneName", "GetSceneSceneTransitionOverride",
        "SetSceneSceneTransitionOverride", "GetInputList", "GetInputKindList", "GetSpecialInputs", "CreateInput", "RemoveInput",
        "SetInputName", "GetInputDefaultSettings", "GetInputSettings", "SetInputSettings", "GetInputMute", "SetInputMute",
        "ToggleInputMute", "GetInputVolume", "SetInputVolume", "GetInputAudioBalance", "SetInputAudioBalance",
        "GetInputAudioSyncOffset", "SetInputAudioSyncOffset", "GetInputAudioMonitorType", "SetInputAudioMonitorType",
        "GetInputAudioTracks", "SetInputAudioTracks", "GetInputPropertiesListPropertyItems", "PressInputPropertiesButton",
        "GetTransitionKindList", "GetSceneTransitionList", "GetCurrentSceneTransition", "SetCurrentSceneTransition",
        "SetCurrentSceneTransitionDuration", "SetCurrentSceneTransitionSettings", "GetCurrentSceneTransitionCursor",
        "TriggerStudioModeTransition", "SetTBarPosition", "GetSourceFilterList", "GetSourceFilterDefaultSettings",
        "CreateSourceFilter", "RemoveSourceFilter", "SetSourceFilterName", "GetSourceFilter", "SetSourceFilterIndex",
        "SetSourceFilterSettings", "SetSourceFilterEnabled", "GetSceneItemList", "GetGroupSceneItemList", "GetSceneItemId",
        "CreateSceneItem", "RemoveSceneItem", "DuplicateSceneItem", "GetSceneItemTransform", "SetSceneItemTransform",
        "GetSceneItemEnabled", "SetSceneItemEnabled", "GetSceneItemLocked", "SetSceneItemLocked", "GetSceneItemIndex",
        "SetSceneItemIndex", "GetSceneItemBlendMode", "SetSceneItemBlendMode", "GetVirtualCamStatus", "ToggleVirtualCam",
        "StartVirtualCam", "StopVirtualCam", "GetReplayBufferStatus", "ToggleReplayBuffer", "StartReplayBuffer",
        "StopReplayBuffer", "SaveReplayBuffer", "GetLastReplayBufferReplay", "GetOutputList", "GetOutputStatus", "ToggleOutput",
        "StartOutput", "StopOutput", "GetOutputSettings", "SetOutputSettings", "GetStreamStatus", "ToggleStream", "StartStream",
        "StopStream", "SendStreamCaption", "GetRecordStatus", "ToggleRecord", "StartRecord", "StopRecord", "ToggleRecordPause",
        "PauseRecord", "ResumeRecord", "GetMediaInputStatus", "SetMediaInputCursor", "OffsetMediaInputCursor",
        "TriggerMediaInputAction", "GetStudioModeEnabled", "SetStudioModeEnabled", "OpenInputPropertiesDialog",
        "OpenInputFiltersDialog", "OpenInputInteractDialog", "GetMonitorList", "OpenVideoMixProjector", "OpenSourceProjector",
    ];

    private static readonly string[] ImageFormats = ["bmp", "jpeg", "jpg", "png", "ppm", "xbm", "xpm"];

    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _responsePrefix;
    private readonly byte[] _responseSuffix;
    private readonly byte[] _responseData;

    public LoopbackObsServer()
    {
        var data = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["obsVersion"] = "29.0.2",
            ["obsWebSocketVersion"] = "5.1.0",
            ["rpcVersion"] = 1,
            ["availableRequests"] = Requests,
            ["supportedImageFormats"] = ImageFormats,
            ["platform"] = "debian",
            ["platformDescription"] = "Debian GNU/Linux 12 (bookworm)",
        });
        _responseData = Encoding.UTF8.GetBytes(data);
        _responsePrefix = Encoding.UTF8.GetBytes("""{"requestType":"GetVersion","requestStatus":{"result":true,"code":100},"responseData":""");
        _responseSuffix = Encoding.UTF8.GetBytes(",\"requestId\":\"");
        _listener.Start();
        _ = Task.Run(AcceptLoopAsync);
    }

    public Uri Uri => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var tcp = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                tcp.NoDelay = true;
                _ = Task.Run(() => ServeAsync(tcp));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient tcp)
    {
        using var _ = tcp;
        var stream = tcp.GetStream();
        var key = await ReadWebSocketKeyAsync(stream).ConfigureAwait(false);
#pragma warning disable CA5350 // RFC 6455 defines Sec-WebSocket-Accept with SHA-1; not used for security.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
#pragma warning restore CA5350
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: {ObsWebSocketClient.SubProtocol}\r\n\r\n")).ConfigureAwait(false);
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = ObsWebSocketClient.SubProtocol });
        var message = new byte[64 * 1024];
        var output = new MemoryStream(64 * 1024);
        try
        {
            await SendAsync(socket, Encoding.UTF8.GetBytes("""{"op":0,"d":{"obsWebSocketVersion":"5.1.0","rpcVersion":1}}""")).ConfigureAwait(false);
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(message.AsMemory(length), _stop.Token).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).ConfigureAwait(false);
                    return;
                }

                output.SetLength(0);
                Answer(message.AsSpan(0, length), output);
                await SendAsync(socket, output.GetBuffer().AsMemory(0, (int)output.Length)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
    }

    /// <summary>Writes the answer to one message: scans op and the requestIds, never builds a DOM.</summary>
    private void Answer(ReadOnlySpan<byte> message, MemoryStream output)
    {
        var reader = new Utf8JsonReader(message);
        var op = -1;
        string? requestId = null;
        var batchIds = new List<string>();
        var depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    depth++;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    depth--;
                    break;
                case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("op"):
                    reader.Read();
                    op = reader.GetInt32();
                    break;
                case JsonTokenType.PropertyName when reader.ValueTextEquals("requestId"):
                    reader.Read();
                    if (depth == 2)
                    {
                        requestId = reader.GetString();
                    }
                    else
                    {
                        batchIds.Add(reader.GetString()!);
                    }

                    break;
                default:
                    break;
            }
        }

        switch (op)
        {
            case 1: // Identify
                output.Write("""{"op":2,"d":{"negotiatedRpcVersion":1}}"""u8);
                break;
            case 6:
                output.Write("""{"op":7,"d":"""u8);
                WriteResponse(output, requestId ?? "");
                output.Write("}"u8);
                break;
            case 8:
                output.Write("{\"op\":9,\"d\":{\"requestId\":\""u8);
                output.Write(Encoding.UTF8.GetBytes(requestId ?? ""));
                output.Write("\",\"results\":["u8);
                for (var i = 0; i < batchIds.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Write(","u8);
                    }

                    WriteResponse(output, batchIds[i]);
                }

                output.Write("]}}"u8);
                break;
            default: // the raw baseline: the same response bytes, no parsing on the client
                output.Write("""{"op":7,"d":"""u8);
                WriteResponse(output, "123456");
                output.Write("}"u8);
                break;
        }
    }

    private void WriteResponse(MemoryStream output, string requestId)
    {
        output.Write(_responsePrefix);
        output.Write(_responseData);
        output.Write(_responseSuffix);
        output.Write(Encoding.UTF8.GetBytes(requestId));
        output.Write("\"}"u8);
    }

    private static ValueTask SendAsync(WebSocket socket, ReadOnlyMemory<byte> bytes) =>
        socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<string> ReadWebSocketKeyAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one).ConfigureAwait(false) == 0)
            {
                throw new IOException("The client closed before its upgrade request.");
            }

            bytes.Add(one[0]);
        }

        foreach (var line in Encoding.ASCII.GetString([.. bytes]).Split("\r\n"))
        {
            if (line.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))
            {
                return line["Sec-WebSocket-Key:".Length..].Trim();
            }
        }

        throw new IOException("No Sec-WebSocket-Key header.");
    }
}
