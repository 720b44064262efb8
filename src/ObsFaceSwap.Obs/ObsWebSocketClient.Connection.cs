using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;

namespace ObsFaceSwap.Obs;

/// <content>One identified session: its socket, receive buffer and pending requests.</content>
public sealed partial class ObsWebSocketClient
{
#pragma warning disable CA1001 // The client disposes the socket; the semaphore never allocates a wait handle.
    private sealed class Connection(ObsWebSocketClient owner, WebSocket socket)
#pragma warning restore CA1001
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly ArrayBufferWriter<byte> _receiveBuffer = new(16 * 1024);
        private ObsConnectionClosedException? _closeError;

        public WebSocket Socket { get; } = socket;

        public ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> Pending { get; } = new(StringComparer.Ordinal);

        /// <summary>Completes when the session has ended and its pending requests were failed.</summary>
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ObsConnectionClosedException? CloseError => Volatile.Read(ref _closeError);

        public Task ReceiveLoop { get; set; } = Task.CompletedTask;

        public string ObsWebSocketVersion { get; private set; } = "";

        public int NegotiatedRpcVersion { get; private set; }

        public async Task HandshakeAsync(string? password, ObsEventSubscriptions eventSubscriptions, CancellationToken cancellationToken)
        {
            using (var hello = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false) ?? throw SocketCloseError())
            {
                var d = ReadEnvelope(hello.RootElement, ObsOpCode.Hello);
                ObsWebSocketVersion = d.TryGetProperty("obsWebSocketVersion", out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()!
                    : "";
                string? authentication = null;
                if (d.TryGetProperty("authentication", out var auth) && auth.ValueKind == JsonValueKind.Object)
                {
                    if (password is null)
                    {
                        throw new InvalidOperationException(
                            $"obs-websocket at {owner._options.Uri} requires a password, but ObsWebSocketOptions.Password is null.");
                    }

                    authentication = ObsAuthentication.CreateAuthenticationString(
                        password,
                        RequireString(auth, "salt"),
                        RequireString(auth, "challenge"));
                }

                await SendAsync(
                    ObsOpCode.Identify,
                    writer =>
                    {
                        writer.WriteNumber("rpcVersion", RpcVersion);
                        if (authentication is not null)
                        {
                            writer.WriteString("authentication", authentication);
                        }

                        writer.WriteNumber("eventSubscriptions", (int)eventSubscriptions);
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            using var identified = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false) ?? throw SocketCloseError();
            var identifiedData = ReadEnvelope(identified.RootElement, ObsOpCode.Identified);
            NegotiatedRpcVersion = identifiedData.TryGetProperty("negotiatedRpcVersion", out var rpc)
                && rpc.ValueKind == JsonValueKind.Number && rpc.TryGetInt32(out var n)
                ? n
                : RpcVersion;
        }

        /// <summary>Completes the pending request an answer is for; an answer nobody waits for (timed out) is dropped.</summary>
        public void Complete(string requestId, JsonElement d)
        {
            if (Pending.TryRemove(requestId, out var pending))
            {
                pending.TrySetResult(d.Clone());
            }
        }

        public Task SendAsync(ObsOpCode op, Action<Utf8JsonWriter> writeData, CancellationToken cancellationToken)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("op", (int)op);
                writer.WriteStartObject("d");
                writeData(writer);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            // The frame itself is sent without the caller's token: cancelling a WebSocket send
            // aborts the whole connection. The caller stops waiting at its deadline instead.
            return SendLockedAsync(
                () => Socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None).AsTask(),
                cancellationToken);
        }

        /// <summary>
        /// Runs a send under the send lock (a WebSocket allows one send at a time). The caller
        /// may stop waiting (<paramref name="cancellationToken"/>); the send then finishes in the
        /// background and releases the lock.
        /// </summary>
        public async Task SendLockedAsync(Func<Task> send, CancellationToken cancellationToken)
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            await SendAndReleaseAsync(send).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Reads one whole message; null when the server sent a close frame.</summary>
        /// <remarks>The document reads from a reused buffer: dispose it before the next receive and
        /// clone what outlives it.</remarks>
        public async Task<JsonDocument?> ReceiveMessageAsync(CancellationToken cancellationToken)
        {
            _receiveBuffer.ResetWrittenCount();
            while (true)
            {
                var result = await Socket.ReceiveAsync(_receiveBuffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                _receiveBuffer.Advance(result.Count);
                if (result.EndOfMessage)
                {
                    return JsonDocument.Parse(_receiveBuffer.WrittenMemory);
                }
            }
        }

        /// <summary>Marks the session ended, then fails every pending request. Idempotent.</summary>
        public void Shutdown(ObsConnectionClosedException closed)
        {
            if (Interlocked.CompareExchange(ref _closeError, closed, null) is not null)
            {
                return;
            }

            Ended.TrySetResult();
            foreach (var id in Pending.Keys)
            {
                if (Pending.TryRemove(id, out var pending))
                {
                    pending.TrySetException(closed);
                }
            }
        }

        public ObsConnectionClosedException SocketCloseError() =>
            new((int?)Socket.CloseStatus, Socket.CloseStatusDescription);

        private async Task SendAndReleaseAsync(Func<Task> send)
        {
            try
            {
                await send().ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }
}
