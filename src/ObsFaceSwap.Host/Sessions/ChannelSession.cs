using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Host.Stats;

namespace ObsFaceSwap.Host.Sessions;

/// <summary>
/// One attached channel and its dedicated pipeline thread: wait for a frame (futex / event /
/// poll, 50 ms), take the oldest, run the pipeline, release the frame, publish the result,
/// heartbeat at 4 Hz. The hot path allocates nothing: one <see cref="ResultBuilder"/> per
/// session, spans over shared memory, fixed-size stats.
/// </summary>
internal sealed class ChannelSession : IDisposable
{
    private static readonly ulong HeartbeatIntervalNs = 250_000_000;

    private readonly HostChannel _channel;
    private readonly FrameWaiter _waiter;
    private readonly FramePipeline _pipeline;
    private readonly LatencyReservoir _pipelineTime = new();
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly Lock _detachGate = new();
    private volatile PipelineSettings _settings = PipelineSettings.Default;
    private volatile bool _stopRequested;
    private bool _started;
    private long _framesRejected;
    private long _stageFailures;
    private int _disposed;

    public ChannelSession(HostChannel channel, FrameWaiter waiter, FramePipeline pipeline, ILogger logger)
    {
        _channel = channel;
        _waiter = waiter;
        _pipeline = pipeline;
        _logger = logger;
        ChannelId = channel.Geometry.ChannelId;
        _thread = new Thread(RunThread)
        {
            IsBackground = true,
            Name = $"ofs-channel-{ChannelId}",
        };
    }

    public ulong ChannelId { get; }

    public PipelineSettings Settings => _settings;

    /// <summary>True once the thread has ended (stopped or failed).</summary>
    public bool IsStopped => !_started || !_thread.IsAlive;

    /// <summary>Set when the pipeline thread failed.</summary>
    public Exception? Fault { get; private set; }

    public void Start()
    {
        _started = true;
        _thread.Start();
    }

    /// <summary>Replaces the settings; the thread picks them up at the next frame.</summary>
    public void ApplySettings(PipelineSettings settings) => _settings = settings;

    /// <summary>
    /// Stops the thread and detaches: after this returns true the channel memory is no longer
    /// touched and is unmapped. False when the thread did not end in time: the memory then
    /// stays mapped (a late access must not fault) and the thread is abandoned.
    /// </summary>
    public bool Stop(TimeSpan timeout)
    {
        _stopRequested = true;
        if (_started && !_thread.Join(timeout))
        {
            Log.SessionStopTimeout(_logger, ChannelId, (int)timeout.TotalMilliseconds);
            return false;
        }

        Detach();
        return true;
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(5));

    /// <summary>Counters of both header regions, plus this session's own.</summary>
    public ChannelStats Snapshot()
    {
        // The gate keeps Detach from unmapping while the counters are read.
        ChannelCounters c = default;
        lock (_detachGate)
        {
            if (_disposed == 0)
            {
                c = _channel.ReadCounters();
            }
        }

        var p = _pipelineTime.Snapshot();
        return new ChannelStats(
            ChannelId,
            c.FramesRead,
            c.ResultsWritten,
            c.FramesDropped,
            c.ResultsDropped,
            c.QueueDepth,
            new PipelineTimes(p.MeanMs, p.P95Ms, p.MaxMs),
            _pipeline.SnapshotStages(),
            PipelineSettings.ModeName(_settings.Mode),
            c.FramesSkipped,
            Interlocked.Read(ref _framesRejected),
            Interlocked.Read(ref _stageFailures),
            c.ResultsConsumed,
            c.ResultsRejected);
    }

    private void Detach()
    {
        lock (_detachGate)
        {
            if (_disposed != 0)
            {
                return;
            }

            _disposed = 1;
            _waiter.Dispose();
            _channel.Dispose();

            // Only reached once the pipeline thread has ended (Stop joined it), so no stage is
            // running when its model session is released.
            _pipeline.DisposeStages();
        }
    }

    /// <summary>
    /// One step of the pipeline thread, without waiting: take the oldest frame, run the
    /// pipeline, publish. Returns what the ring offered. Allocation-free.
    /// </summary>
    internal FrameAcquireStatus Step(ResultBuilder result)
    {
        var status = _channel.TryAcquireFrame(out var lease);
        if (status == FrameAcquireStatus.Acquired)
        {
            ProcessFrame(ref lease, result);
        }
        else if (status == FrameAcquireStatus.Rejected)
        {
            Interlocked.Increment(ref _framesRejected);
            Log.FrameRejected(_logger, ChannelId, _channel.LastRejectReason ?? "unknown");
        }

        return status;
    }

    /// <summary>A result builder sized for this channel's result slots.</summary>
    internal ResultBuilder CreateResultBuilder() => new(_channel.Geometry.ResultDataCapacity);

    private void RunThread()
    {
        try
        {
            var result = CreateResultBuilder();
            ulong lastHeartbeat = 0;
            while (!_stopRequested)
            {
                var now = HostChannel.MonotonicNs();
                if (now - lastHeartbeat >= HeartbeatIntervalNs)
                {
                    _channel.Heartbeat();
                    lastHeartbeat = now;
                }

                // Read frame_seq before looking, so a frame published after the look wakes the wait.
                var seq = _channel.ReadFrameSeq();
                if (Step(result) == FrameAcquireStatus.None)
                {
                    _waiter.Wait(seq, FrameWaiter.DefaultTimeout);
                }
            }
        }
        catch (Exception e)
        {
            // Never let a channel take the process down: log, stop serving this channel.
            Fault = e;
            Log.SessionFaulted(_logger, ChannelId, e);
        }
    }

    private void ProcessFrame(ref FrameLease lease, ResultBuilder result)
    {
        var start = Stopwatch.GetTimestamp();
        var header = lease.Header;
        result.Reset();
        bool intact;
        try
        {
            var settings = _settings;
            result.SettingsGeneration = settings.ModeGeneration;
            _pipeline.Run(FrameContext.FromLease(lease, settings), result, settings.Mode);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result.ClearItems();
            result.Status = ResultStatus.StageFailed;
            var failures = Interlocked.Increment(ref _stageFailures);
            if (failures == 1)
            {
                Log.StageFailed(_logger, ChannelId, header.FrameId, failures, e);
            }
            else
            {
                Log.StageFailedAgain(_logger, ChannelId, header.FrameId, e);
            }
        }
        finally
        {
            intact = lease.Release();
        }

        if (!intact)
        {
            Interlocked.Increment(ref _framesRejected);
            Log.FrameTorn(_logger, ChannelId, header.FrameId);
            return;
        }

        var elapsed = Stopwatch.GetTimestamp() - start;
        var pipelineNs = (ulong)(elapsed * (1_000_000_000.0 / Stopwatch.Frequency));
        var published = _channel.TryPublishResult(result, header.FrameId, header.TimestampNs, header.Width, header.Height, pipelineNs);
        _pipelineTime.Record(Stopwatch.GetTimestamp() - start);
        if (published == ResultPublishStatus.NoSlot)
        {
            Log.NoResultSlot(_logger, ChannelId, header.FrameId);
        }
    }
}
