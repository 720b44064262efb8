using System.Text.Json;
using Microsoft.Extensions.Logging;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Host.Sessions;
using ObsFaceSwap.Host.Stats;

namespace ObsFaceSwap.Host.Control;

/// <summary>Why <see cref="ControlServer.RunAsync"/> returned.</summary>
internal enum ServerExitReason
{
    /// <summary>The caller cancelled (host shutdown, signal).</summary>
    Cancelled,

    /// <summary>No connection for the idle-exit time.</summary>
    Idle,
}

/// <summary>Control server settings.</summary>
/// <param name="IdleExit">Exit after this long with no connection; <see cref="TimeSpan.Zero"/> = never.</param>
/// <param name="StatsLogInterval">Period of the per-channel stats log (Information).</param>
/// <param name="MaxChannelsPerConnection">OPEN_CHANNEL beyond this is refused with ERROR 201.</param>
/// <param name="PipelineFactory">Makes each new channel's pipeline; null = diagnostic only (<see cref="FramePipeline.CreateDefault"/>).</param>
internal sealed record ControlServerOptions(TimeSpan IdleExit, TimeSpan StatsLogInterval, int MaxChannelsPerConnection = 64, Func<FramePipeline>? PipelineFactory = null)
{
    public static ControlServerOptions Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

    /// <summary>A new pipeline for a channel.</summary>
    public FramePipeline CreatePipeline() => PipelineFactory?.Invoke() ?? FramePipeline.CreateDefault();
}

/// <summary>
/// Accepts shim connections (many at once) and serves the control protocol on each: HELLO,
/// OPEN_CHANNEL (map + start a <see cref="ChannelSession"/>), SETTINGS, CLOSE_CHANNEL,
/// STATS_REQUEST. A malformed message is answered with ERROR and the connection closed; a
/// channel error is answered with ERROR and the connection kept. Bad input never ends the server.
/// </summary>
internal sealed class ControlServer
{
    private static readonly TimeSpan SessionStopTimeout = TimeSpan.FromSeconds(5);

    private readonly ControlListener _listener;
    private readonly ControlServerOptions _options;
    private readonly SessionRegistry _registry;
    private readonly ILogger _logger;
    private readonly long _startTimestamp = Environment.TickCount64;
    private readonly Lock _connectionsGate = new();
    private readonly HashSet<Task> _connectionTasks = [];
    private int _activeConnections;
    private int _nextConnectionId;
    private long _idleSince = Environment.TickCount64;

    public ControlServer(ControlListener listener, ControlServerOptions options, SessionRegistry registry, ILogger logger)
    {
        _listener = listener;
        _options = options;
        _registry = registry;
        _logger = logger;
    }

    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    public SessionRegistry Registry => _registry;

    public ControlServerOptions Options => _options;

    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> is cancelled or the idle time passes
    /// with no connection; then closes every connection and detaches every channel.
    /// </summary>
    public async Task<ServerExitReason> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var accept = AcceptLoopAsync(stop.Token);
        var statsLog = StatsLogLoopAsync(stop.Token);
        var reason = ServerExitReason.Cancelled;
        try
        {
            reason = await IdleMonitorAsync(stop.Token).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await IgnoreCancellation(accept).ConfigureAwait(false);
            await IgnoreCancellation(statsLog).ConfigureAwait(false);
            Task[] connections;
            lock (_connectionsGate)
            {
                connections = [.. _connectionTasks];
            }

            // Connection handlers detach their channels as they end.
            try
            {
                await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A handler stuck in a stage: the process is exiting anyway.
            }
        }

        return reason;
    }

    /// <summary>The STATS_REPLY JSON for <paramref name="channelId"/> (0 = all), of connection <paramref name="connectionId"/>'s channels only when given.</summary>
    public string BuildStatsJson(ulong channelId, int? connectionId = null)
    {
        var uptime = (Environment.TickCount64 - _startTimestamp) / 1000.0;
        var reply = new StatsReply(Environment.ProcessId, Math.Round(uptime, 3), _registry.Snapshot(channelId, connectionId));
        return JsonSerializer.Serialize(reply, StatsJsonContext.Default.StatsReply);
    }

    /// <summary>Logs every channel's stats once (Information).</summary>
    public void LogStats()
    {
        foreach (var c in _registry.Snapshot())
        {
            Log.ChannelStats(_logger, c.ChannelId, c.Mode, c.FramesIn, c.ResultsOut, c.FramesDroppedByShim, c.ResultsDropped, c.FramesRejected, c.QueueDepth,
                c.PipelineMs.Mean, c.PipelineMs.P95, c.PipelineMs.Max);
            foreach (var s in c.Stages)
            {
                Log.StageStats(_logger, c.ChannelId, s.Name, s.Count, s.MeanMs, s.P95Ms, s.MaxMs);
            }
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<ServerExitReason> IdleMonitorAsync(CancellationToken cancellationToken)
    {
        if (_options.IdleExit <= TimeSpan.Zero)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            return ServerExitReason.Cancelled;
        }

        var idleMs = (long)_options.IdleExit.TotalMilliseconds;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(idleMs / 4, 10, 1000));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (ActiveConnections == 0 && Environment.TickCount64 - Volatile.Read(ref _idleSince) >= idleMs)
                {
                    Log.IdleExit(_logger, (int)_options.IdleExit.TotalSeconds);
                    return ServerExitReason.Idle;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return ServerExitReason.Cancelled;
    }

    private async Task StatsLogLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.StatsLogInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            LogStats();
        }
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Stream stream;
            try
            {
                stream = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                Log.AcceptFailed(_logger, e);
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            Interlocked.Increment(ref _activeConnections);
            Log.ConnectionAccepted(_logger, id);
            var connection = new ControlConnection(this, id, stream, _options, _logger);
            var task = Task.Run(() => connection.RunAsync(cancellationToken), CancellationToken.None);
            lock (_connectionsGate)
            {
                _connectionTasks.Add(task);
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_connectionsGate)
                    {
                        _connectionTasks.Remove(t);
                    }

                    Volatile.Write(ref _idleSince, Environment.TickCount64);
                    Interlocked.Decrement(ref _activeConnections);
                    Log.ConnectionClosed(_logger, id);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>One client connection and the channels it opened.</summary>
    private sealed class ControlConnection
    {
        private readonly ControlServer _server;
        private readonly int _id;
        private readonly Stream _stream;
        private readonly ControlServerOptions _options;
        private readonly ILogger _logger;
        private readonly Dictionary<ulong, ChannelSession> _sessions = [];
        private bool _helloDone;

        public ControlConnection(ControlServer server, int id, Stream stream, ControlServerOptions options, ILogger logger)
        {
            _server = server;
            _id = id;
            _stream = stream;
            _options = options;
            _logger = logger;
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var reader = new ControlStreamReader(_stream);
            try
            {
                while (true)
                {
                    ControlMessage? message;
                    try
                    {
                        message = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (ControlProtocolException e)
                    {
                        await SendErrorAsync(0, e.Code, e.Message, closing: true, cancellationToken).ConfigureAwait(false);
                        return;
                    }

                    if (message is null)
                    {
                        return;
                    }

                    bool keepOpen;
                    try
                    {
                        keepOpen = await DispatchAsync(message.Value, cancellationToken).ConfigureAwait(false);
                    }
                    catch (ControlProtocolException e)
                    {
                        await SendErrorAsync(message.Value.RequestId, e.Code, e.Message, e.ClosesConnection, cancellationToken).ConfigureAwait(false);
                        keepOpen = !e.ClosesConnection;
                    }

                    if (!keepOpen)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException)
            {
                // Peer went away or the server is stopping.
            }
            catch (Exception e)
            {
                Log.ConnectionFailed(_logger, _id, e);
            }
            finally
            {
                DetachAll("connection closed");
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async Task<bool> DispatchAsync(ControlMessage message, CancellationToken cancellationToken)
        {
            var payload = message.Payload.Span;
            switch (message.Type)
            {
                case ControlMessageType.Hello:
                    {
                        var hello = ControlCodec.DecodeHello(payload);
                        if (hello.WireVersion != Wire.WireVersion)
                        {
                            throw new ControlProtocolException(ControlErrorCode.VersionMismatch, $"hello field 'wire_version' is {hello.WireVersion}, this host speaks {Wire.WireVersion}");
                        }

                        _helloDone = true;
                        Log.Hello(_logger, _id, hello.Pid);
                        await SendAsync(ControlCodec.EncodeHello(ControlMessageType.HelloAck, message.RequestId, (uint)Environment.ProcessId), cancellationToken).ConfigureAwait(false);
                        return true;
                    }

                case ControlMessageType.OpenChannel:
                    {
                        RequireHello(message.Type);
                        var request = ControlCodec.DecodeOpenChannel(payload);
                        var session = Open(request);
                        await SendAsync(ControlCodec.EncodeChannelRef(ControlMessageType.ChannelOpened, message.RequestId, session.ChannelId), cancellationToken).ConfigureAwait(false);
                        return true;
                    }

                case ControlMessageType.CloseChannel:
                    {
                        RequireHello(message.Type);
                        var id = ControlCodec.DecodeChannelRef(payload);
                        var session = Find(id);
                        _sessions.Remove(id);
                        Detach(session, "closed by the shim");
                        return true;
                    }

                case ControlMessageType.Settings:
                    {
                        RequireHello(message.Type);
                        var id = ControlCodec.DecodeChannelRef(payload);
                        var session = Find(id);
                        if (PipelineSettings.TryParse(ControlCodec.SettingsJson(payload), out var settings, out var error))
                        {
                            session.ApplySettings(settings);
                            Log.SettingsApplied(_logger, id, settings.Mode);
                        }
                        else
                        {
                            Log.SettingsInvalid(_logger, id, error);
                        }

                        return true;
                    }

                case ControlMessageType.StatsRequest:
                    {
                        // A connection with channels (a module) asks about its own: channel ids are
                        // per module, so two OBS instances sharing this host both have a channel 1.
                        // One without channels (the stats command, a monitor) sees every channel.
                        var id = ControlCodec.DecodeChannelRef(payload);
                        int? own = _sessions.Count > 0 ? _id : null;
                        if (id != 0 && _server.Registry.Snapshot(id, own).Count == 0)
                        {
                            throw new ControlProtocolException(ControlErrorCode.UnknownChannel, $"no open channel has id {id}", closesConnection: false);
                        }

                        await SendAsync(ControlCodec.EncodeStatsReply(message.RequestId, _server.BuildStatsJson(id, own)), cancellationToken).ConfigureAwait(false);
                        return true;
                    }

                default:
                    throw new ControlProtocolException(ControlErrorCode.UnknownType, $"message type {message.Type} is not accepted by the host");
            }
        }

        private void RequireHello(ControlMessageType type)
        {
            if (!_helloDone)
            {
                throw new ControlProtocolException(ControlErrorCode.Malformed, $"{type} before HELLO");
            }
        }

        private ChannelSession Find(ulong channelId)
            => _sessions.TryGetValue(channelId, out var session)
                ? session
                : throw new ControlProtocolException(ControlErrorCode.UnknownChannel, $"no open channel has id {channelId} on this connection", closesConnection: false);

        private ChannelSession Open(OpenChannelRequest request)
        {
            if (_sessions.Remove(request.ChannelId, out var previous))
            {
                Detach(previous, "re-opened by the shim");
            }

            if (_sessions.Count >= _options.MaxChannelsPerConnection)
            {
                throw Refuse(request, ControlErrorCode.CannotMap, $"at most {_options.MaxChannelsPerConnection} channels per connection");
            }

            ChannelMapping mapping;
            try
            {
                mapping = ChannelMapping.OpenExisting(request.ShmName, request.Size);
            }
            catch (ChannelMapException e)
            {
                throw Refuse(request, ControlErrorCode.CannotMap, e.Message);
            }

            HostChannel channel;
            try
            {
                channel = HostChannel.Attach(mapping, ownsMapping: true);
            }
            catch (ChannelHeaderException e)
            {
                mapping.Dispose();
                throw Refuse(request, ControlErrorCode.HeaderInvalid, e.Message);
            }

            if (channel.Geometry.ChannelId != request.ChannelId)
            {
                channel.Dispose();
                throw Refuse(request, ControlErrorCode.HeaderInvalid,
                    $"channel header field 'channel_id' is invalid: expected {request.ChannelId} (OPEN_CHANNEL), found {channel.Geometry.ChannelId}");
            }

            var waiter = FrameWaiter.Create(channel, request.WakeName);
            var session = new ChannelSession(channel, waiter, _server.Options.CreatePipeline(), _logger);
            _sessions[request.ChannelId] = session;
            _server.Registry.Add(_id, session);
            session.Start();
            var g = channel.Geometry;
            Log.ChannelOpened(_logger, request.ChannelId, request.ShmName, request.Size, g.FrameSlotCount, g.ResultSlotCount, g.QueueDepth, waiter.Mode);
            return session;
        }

        private ControlProtocolException Refuse(OpenChannelRequest request, ControlErrorCode code, string reason)
        {
            Log.ChannelOpenFailed(_logger, request.ChannelId, reason);
            return new ControlProtocolException(code, reason, closesConnection: false);
        }

        private void Detach(ChannelSession session, string reason)
        {
            _server.Registry.Remove(_id, session);
            session.Stop(SessionStopTimeout);
            Log.ChannelDetached(_logger, session.ChannelId, reason);
        }

        private void DetachAll(string reason)
        {
            foreach (var session in _sessions.Values)
            {
                Detach(session, reason);
            }

            _sessions.Clear();
        }

        private async Task SendErrorAsync(uint requestId, ControlErrorCode code, string text, bool closing, CancellationToken cancellationToken)
        {
            Log.BadMessage(_logger, _id, (uint)code, text, closing);
            try
            {
                await SendAsync(ControlCodec.EncodeError(requestId, code, text), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The peer may already be gone; the connection closes either way.
            }
        }

        private async Task SendAsync(byte[] message, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
