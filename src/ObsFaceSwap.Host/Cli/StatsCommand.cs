using System.Globalization;
using System.Text;
using System.Text.Json;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Stats;

namespace ObsFaceSwap.Host.Cli;

/// <summary><c>stats</c>: connect, HELLO, STATS_REQUEST (all channels), print the reply.</summary>
internal static class StatsCommand
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string? endpointOption, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var endpoint = ControlEndpoint.Resolve(endpointOption);
        string reply;
        try
        {
            reply = await RequestAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (HostErrorException e)
        {
            await error.WriteLineAsync($"obs-faceswap-host stats: the host at {endpoint} answered ERROR {(uint)e.Error.Code}: {e.Error.Text}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or TimeoutException or ControlProtocolException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            await error.WriteLineAsync($"obs-faceswap-host stats: no host answers at {endpoint}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.NoHost;
        }

        if (json)
        {
            await output.WriteLineAsync(reply).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        StatsReply? stats;
        try
        {
            stats = JsonSerializer.Deserialize(reply, StatsJsonContext.Default.StatsReply);
        }
        catch (JsonException e)
        {
            await error.WriteLineAsync($"obs-faceswap-host stats: the host's reply is not valid stats JSON: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (stats is null)
        {
            await error.WriteLineAsync("obs-faceswap-host stats: the host's reply is empty").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await output.WriteAsync(FormatTable(stats)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>Sends HELLO and STATS_REQUEST (channel 0 = all) and returns the reply's JSON.</summary>
    public static async Task<string> RequestAsync(ControlEndpoint endpoint, CancellationToken cancellationToken)
    {
        var stream = await endpoint.ConnectAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReplyTimeout);
            try
            {
                var reader = new ControlStreamReader(stream);
                await stream.WriteAsync(ControlCodec.EncodeHello(ControlMessageType.Hello, 1, (uint)Environment.ProcessId), timeout.Token).ConfigureAwait(false);
                var ack = await ExpectAsync(reader, ControlMessageType.HelloAck, timeout.Token).ConfigureAwait(false);
                _ = ControlCodec.DecodeHello(ack.Span);
                await stream.WriteAsync(ControlCodec.EncodeChannelRef(ControlMessageType.StatsRequest, 2, 0), timeout.Token).ConfigureAwait(false);
                var json = await ExpectAsync(reader, ControlMessageType.StatsReply, timeout.Token).ConfigureAwait(false);
                return ControlCodec.DecodeUtf8(json.Span);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no stats reply within {ReplyTimeout.TotalSeconds:0} s");
            }
        }
    }

    public static string FormatTable(StatsReply stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"obs-faceswap host: pid {stats.HostPid}, up {stats.UptimeSeconds:0.0} s, {stats.Channels.Count} channel(s)").AppendLine();
        if (stats.Channels.Count == 0)
        {
            return sb.ToString();
        }

        sb.AppendLine();
        sb.Append(c, $"{"channel",-20} {"mode",-10} {"frames in",10} {"results out",12} {"dropped",8} {"skipped",8} {"res.dropped",11} {"rejected",9} {"queue",5}  {"pipeline mean/p95/max ms",-26}").AppendLine();
        foreach (var ch in stats.Channels)
        {
            sb.Append(c, $"{ch.ChannelId,-20} {ch.Mode,-10} {ch.FramesIn,10} {ch.ResultsOut,12} {ch.FramesDroppedByShim,8} {ch.FramesSkippedByShim,8} {ch.ResultsDropped,11} {ch.FramesRejected,9} {ch.QueueDepth,5}  {ch.PipelineMs.Mean:0.000} / {ch.PipelineMs.P95:0.000} / {ch.PipelineMs.Max:0.000}").AppendLine();
            foreach (var s in ch.Stages)
            {
                sb.Append(c, $"{string.Empty,-20}   stage {s.Name,-12} {s.Count,10} frames   mean {s.MeanMs:0.000} ms   p95 {s.P95Ms:0.000} ms   max {s.MaxMs:0.000} ms").AppendLine();
            }
        }

        return sb.ToString();
    }

    private static async Task<ReadOnlyMemory<byte>> ExpectAsync(ControlStreamReader reader, ControlMessageType expected, CancellationToken cancellationToken)
    {
        var message = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new IOException($"the host closed the connection before {expected}");
        if (message.Type == ControlMessageType.Error)
        {
            throw new HostErrorException(ControlCodec.DecodeError(message.Payload.Span));
        }

        if (message.Type != expected)
        {
            throw new ControlProtocolException(ControlErrorCode.UnknownType, $"expected {expected}, got {message.Type}");
        }

        return message.Payload;
    }

    private sealed class HostErrorException : Exception
    {
        public HostErrorException(ControlError error)
            : base(error.Text)
        {
            Error = error;
        }

        public HostErrorException()
            : this(new ControlError(ControlErrorCode.Malformed, string.Empty))
        {
        }

        public HostErrorException(string message)
            : this(new ControlError(ControlErrorCode.Malformed, message))
        {
        }

        public HostErrorException(string message, Exception innerException)
            : base(message, innerException)
        {
            Error = new ControlError(ControlErrorCode.Malformed, message);
        }

        public ControlError Error { get; }
    }
}
