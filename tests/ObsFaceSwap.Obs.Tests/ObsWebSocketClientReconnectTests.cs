using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs.Events;

namespace ObsFaceSwap.Obs.Tests;

/// <summary>Connection loss, reconnecting, timeouts and cancellation against the fake server.</summary>
#pragma warning disable CA1001 // xunit disposes the server through IAsyncLifetime.DisposeAsync.
public sealed class ObsWebSocketClientReconnectTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeObsServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static ObsReconnectOptions FastReconnect(int? maxAttempts = null) => new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(20),
        MaxDelay = TimeSpan.FromMilliseconds(100),
        MaxAttempts = maxAttempts,
    };

    private Task<ObsWebSocketClient> ConnectAsync(
        ObsReconnectOptions? reconnect,
        ObsEventSubscriptions subscriptions = ObsEventSubscriptions.All,
        TimeSpan? requestTimeout = null) =>
        ObsWebSocketClient.ConnectAsync(new ObsWebSocketOptions
        {
            Uri = _server.Uri,
            Password = "fake-password",
            EventSubscriptions = subscriptions,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
            Reconnect = reconnect,
        });

    /// <summary>Records the connection notifications in order.</summary>
    private static ConcurrentQueue<string> RecordNotifications(ObsWebSocketClient client)
    {
        var seen = new ConcurrentQueue<string>();
        client.Disconnected += (_, e) => seen.Enqueue($"Disconnected:{e.WillReconnect}");
        client.Reconnected += (_, e) => seen.Enqueue($"Reconnected:{e.Attempts}");
        return seen;
    }

    private static async Task<TaskCompletionSource<ObsReconnectedEventArgs>> ReconnectedSignal(ObsWebSocketClient client)
    {
        var reconnected = new TaskCompletionSource<ObsReconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += (_, e) => reconnected.TrySetResult(e);
        await Task.Yield();
        return reconnected;
    }

    [Fact]
    public async Task After_the_server_drops_the_client_reconnects_and_identifies_again_with_the_same_password_and_subscriptions()
    {
        await using var client = await ConnectAsync(FastReconnect(), ObsEventSubscriptions.General);
        var seen = RecordNotifications(client);
        var reconnected = await ReconnectedSignal(client);
        // The subscriptions a reconnect uses are the session's current ones, after Reidentify.
        var changed = ObsEventSubscriptions.Outputs | ObsEventSubscriptions.Vendors;
        await client.ReidentifyAsync(changed);

        _server.DropSession();
        var args = await reconnected.Task.WaitAsync(Bound);
        var answer = await client.RequestAsync("GetVersion");

        Assert.True(answer.Status.Result);
        Assert.Equal(2, _server.IdentifyCount);
        var identifies = _server.ReceivedOp(ObsOpCode.Identify).Select(m => m.GetProperty("d")).ToList();
        Assert.Equal(2, identifies.Count);
        Assert.Equal((int)ObsEventSubscriptions.General, identifies[0].GetProperty("eventSubscriptions").GetInt32());
        Assert.Equal((int)changed, identifies[1].GetProperty("eventSubscriptions").GetInt32());
        // Same password: the fake server's challenge and salt do not change, so the string is the same.
        Assert.Equal(identifies[0].GetProperty("authentication").GetString(), identifies[1].GetProperty("authentication").GetString());
        Assert.Equal(["Disconnected:True", "Reconnected:1"], seen);
        Assert.Equal(1, args.Attempts);
        Assert.Equal("5.1.0", args.ObsWebSocketVersion);
        Assert.Equal(ObsConnectionState.Connected, client.State);
        Assert.True(client.IsConnected);
        Assert.False(client.Closed.IsCompleted);
    }

    [Fact]
    public async Task A_restarted_server_on_the_same_port_is_found_again_after_failed_attempts()
    {
        await using var client = await ConnectAsync(FastReconnect());
        var reconnected = await ReconnectedSignal(client);

        _server.StopListening();
        await Task.Delay(400);
        Assert.Equal(ObsConnectionState.Reconnecting, client.State);
        Assert.False(client.IsConnected);
        _server.StartListening();
        var args = await reconnected.Task.WaitAsync(Bound);

        Assert.True(args.Attempts > 1, $"attempts {args.Attempts}");
        Assert.True(args.Downtime >= TimeSpan.FromMilliseconds(350), $"downtime {args.Downtime}");
        Assert.True((await client.RequestAsync("GetVersion")).Status.Result);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Requests_in_flight_when_the_socket_drops_fail_at_once_with_ObsConnectionClosedException(bool reconnect)
    {
        _server.OnRequest = (_, _) => Task.FromResult<FakeReply?>(null);
        await using var client = await ConnectAsync(reconnect ? FastReconnect() : null);
        var pending = Enumerable.Range(0, 5).Select(_ => client.RequestAsync("Hang", timeout: TimeSpan.FromSeconds(30))).ToList();
        await WaitUntilAsync(() => _server.ReceivedOp(ObsOpCode.Request).Count() == 5);

        var clock = Stopwatch.StartNew();
        _server.DropSession();
        foreach (var request in pending)
        {
            var ex = await Assert.ThrowsAsync<ObsConnectionClosedException>(() => request.WaitAsync(Bound));
            // A crash sends no close frame: no close code, the transport error inside.
            Assert.Null(ex.CloseCode);
        }

        Assert.InRange(clock.ElapsedMilliseconds, 0, 3000);
        if (!reconnect)
        {
            await client.Closed.WaitAsync(Bound);
            Assert.Equal(ObsConnectionState.Closed, client.State);
            await Assert.ThrowsAsync<ObsConnectionClosedException>(() => client.RequestAsync("GetVersion"));
        }
    }

    [Fact]
    public async Task Without_Reconnect_a_drop_raises_Disconnected_once_and_closes_for_good()
    {
        await using var client = await ConnectAsync(reconnect: null);
        var seen = RecordNotifications(client);

        await _server.CloseAsync((int)ObsCloseCode.SessionInvalidated, "server stopped");
        await client.Closed.WaitAsync(Bound);
        await Task.Delay(100);

        Assert.Equal(["Disconnected:False"], seen);
        Assert.Equal(4011, client.CloseCode);
        Assert.Equal(1, _server.IdentifyCount);
    }

    [Fact]
    public async Task A_request_issued_while_reconnecting_waits_for_the_new_session()
    {
        await using var client = await ConnectAsync(FastReconnect());
        _server.StopListening();
        await WaitUntilAsync(() => client.State == ObsConnectionState.Reconnecting);

        var request = client.RequestAsync("GetVersion", timeout: TimeSpan.FromSeconds(5));
        await Task.Delay(300);
        Assert.False(request.IsCompleted);
        _server.StartListening();
        var answer = await request.WaitAsync(Bound);

        Assert.True(answer.Status.Result);
    }

    [Fact]
    public async Task A_request_issued_while_reconnecting_fails_with_ObsConnectionClosedException_when_its_timeout_passes()
    {
        await using var client = await ConnectAsync(FastReconnect());
        _server.StopListening();
        await WaitUntilAsync(() => client.State == ObsConnectionState.Reconnecting);

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ObsConnectionClosedException>(
            () => client.GetStatsAsync().WaitAsync(Bound));
        var typed = await Assert.ThrowsAsync<ObsConnectionClosedException>(
            () => client.RequestAsync("GetVersion", timeout: TimeSpan.FromMilliseconds(300)).WaitAsync(Bound));

        Assert.Contains("GetStats was not sent", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GetVersion was not sent", typed.Message, StringComparison.Ordinal);
        // The default timeout (5 s) and then 300 ms.
        Assert.InRange(clock.ElapsedMilliseconds, 5000, 8000);
        Assert.Empty(_server.ReceivedOp(ObsOpCode.Request));
    }

    [Fact]
    public async Task Cancelling_a_request_that_waits_for_the_reconnect_throws_OperationCanceledException()
    {
        await using var client = await ConnectAsync(FastReconnect());
        _server.StopListening();
        await WaitUntilAsync(() => client.State == ObsConnectionState.Reconnecting);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.RequestAsync("GetVersion", timeout: TimeSpan.FromSeconds(30), cancellationToken: cts.Token).WaitAsync(Bound));
    }

    [Fact]
    public async Task An_already_cancelled_token_fails_the_request_before_anything_is_sent()
    {
        await using var client = await ConnectAsync(reconnect: null);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetVersionAsync(cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.RequestBatchAsync([new ObsBatchRequest("GetVersion")], cancellationToken: cts.Token));

        Assert.Empty(_server.ReceivedOp(ObsOpCode.Request));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Reconnecting_gives_up_after_MaxAttempts_and_closes_for_good()
    {
        await using var client = await ConnectAsync(FastReconnect(maxAttempts: 3));
        var seen = RecordNotifications(client);

        _server.StopListening();
        await client.Closed.WaitAsync(Bound);

        Assert.Equal(ObsConnectionState.Closed, client.State);
        Assert.Equal(["Disconnected:True"], seen);
        var ex = await Assert.ThrowsAsync<ObsConnectionClosedException>(() => client.RequestAsync("GetVersion"));
        Assert.Contains("after 3 attempts", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObsConnectionClosedException>(() => client.WaitUntilConnectedAsync());
    }

    [Fact]
    public async Task A_wrong_password_after_the_restart_ends_reconnecting_with_close_code_4009()
    {
        await using var client = await ConnectAsync(new ObsReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(20) });

        _server.Password = "changed-while-obs-was-down";
        _server.DropSession();
        await client.Closed.WaitAsync(Bound);

        Assert.Equal(4009, client.CloseCode);
        var ex = await Assert.ThrowsAsync<ObsConnectionClosedException>(() => client.RequestAsync("GetVersion"));
        Assert.Equal(ObsCloseCode.AuthenticationFailed, ex.ObsCloseCode);
        Assert.Equal(1, _server.IdentifyCount);
    }

    [Fact]
    public async Task Dispose_while_reconnecting_stops_the_loop_and_fails_waiting_requests()
    {
        var client = await ConnectAsync(FastReconnect());
        _server.StopListening();
        await WaitUntilAsync(() => client.State == ObsConnectionState.Reconnecting);
        var waiting = client.RequestAsync("GetVersion", timeout: TimeSpan.FromSeconds(30));

        await client.DisposeAsync().AsTask().WaitAsync(Bound);

        await Assert.ThrowsAsync<ObsConnectionClosedException>(() => waiting.WaitAsync(Bound));
        Assert.Equal(ObsConnectionState.Closed, client.State);
        Assert.True(client.Closed.IsCompleted);
        _server.StartListening();
        await Task.Delay(300);
        Assert.Equal(1, _server.IdentifyCount);
    }

    [Fact]
    public async Task The_timeout_fires_when_the_server_never_answers()
    {
        // Never completes: not even the batch (which the fake answers inline) gets an answer.
        var never = new TaskCompletionSource<FakeReply?>();
        _server.OnRequest = (_, _) => never.Task;
        await using var client = await ConnectAsync(FastReconnect());

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => client.GetRecordStatusAsync().WaitAsync(Bound));
        await Assert.ThrowsAsync<TimeoutException>(
            () => client.RequestBatchAsync([new ObsBatchRequest("GetVersion")], timeout: TimeSpan.FromMilliseconds(200)).WaitAsync(Bound));

        Assert.InRange(clock.ElapsedMilliseconds, 5000, 8000);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task The_timeout_fires_when_a_send_is_stuck_because_the_server_stopped_reading()
    {
        await using var client = await ConnectAsync(reconnect: null);
        _server.PauseReading();
        // Far more than loopback's socket buffers hold: the send blocks.
        var big = new JsonObject { ["blob"] = new string('x', 16 * 1024 * 1024) };

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(
            () => client.RequestAsync("SetInputSettings", big, timeout: TimeSpan.FromSeconds(1)).WaitAsync(Bound));
        // The next request queues behind the stuck send: its own timeout fires too.
        await Assert.ThrowsAsync<TimeoutException>(
            () => client.RequestAsync("GetVersion", timeout: TimeSpan.FromSeconds(1)).WaitAsync(Bound));

        Assert.InRange(clock.ElapsedMilliseconds, 1900, 5000);
        Assert.Empty(_server.ReceivedOp(ObsOpCode.Request));
        _server.ResumeReading();
    }

    [Fact]
    public async Task A_Reconnected_handler_and_a_typed_event_handler_can_send_requests_without_deadlock()
    {
        _server.OnRequest = (type, _) => Task.FromResult<FakeReply?>(FakeReply.Ok(new JsonObject { ["currentProgramSceneName"] = "Live" }));
        await using var client = await ConnectAsync(FastReconnect());
        var fromReconnected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += async (_, _) =>
        {
            // An async void handler on the dispatcher: it awaits a request like state restoration would.
            try
            {
                fromReconnected.TrySetResult(await client.GetCurrentProgramSceneAsync());
            }
            catch (Exception ex) when (ex is ObsConnectionClosedException or TimeoutException)
            {
                fromReconnected.TrySetException(ex);
            }
        };
        var fromTyped = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = client.AddEventHandler<StreamStateChanged>(async (evt, ct) =>
            fromTyped.TrySetResult($"{evt.State}:{await client.GetCurrentProgramSceneAsync(ct)}"));

        _server.DropSession();
        Assert.Equal("Live", await fromReconnected.Task.WaitAsync(Bound));
        await _server.SendEventAsync("StreamStateChanged", ObsEventSubscriptions.Outputs, new JsonObject
        {
            ["outputActive"] = true,
            ["outputState"] = "OBS_WEBSOCKET_OUTPUT_STARTED",
        });

        Assert.Equal("Started:Live", await fromTyped.Task.WaitAsync(Bound));
    }

    [Fact]
    public async Task Events_of_the_old_session_then_Disconnected_then_Reconnected_then_new_events_arrive_in_order()
    {
        await using var client = await ConnectAsync(FastReconnect());
        var order = new ConcurrentQueue<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, _) => order.Enqueue("Disconnected");
        client.Reconnected += (_, _) => order.Enqueue("Reconnected");
        using var registration = client.AddEventHandler((evt, _) =>
        {
            order.Enqueue(evt.EventType);
            if (evt.EventType == "After")
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });
        var reconnected = await ReconnectedSignal(client);

        await _server.SendEventAsync("Before", ObsEventSubscriptions.General);
        await WaitUntilAsync(() => order.Contains("Before"));
        _server.DropSession();
        await reconnected.Task.WaitAsync(Bound);
        await _server.SendEventAsync("After", ObsEventSubscriptions.General);
        await done.Task.WaitAsync(Bound);

        Assert.Equal(["Before", "Disconnected", "Reconnected", "After"], order);
    }

    [Fact]
    public async Task KeepAlive_detects_a_server_that_stopped_answering_and_reconnects()
    {
        await using var client = await ObsWebSocketClient.ConnectAsync(new ObsWebSocketOptions
        {
            Uri = _server.Uri,
            Password = "fake-password",
            KeepAliveInterval = TimeSpan.FromMilliseconds(200),
            Reconnect = FastReconnect(),
        });
        var reconnected = await ReconnectedSignal(client);
        var disconnected = new TaskCompletionSource<ObsDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, e) => disconnected.TrySetResult(e);

        // A hung server: the socket stays open, but nothing is read, so no pong comes back. (A
        // receive already waiting would still answer pings: one more message lets it return,
        // and the server then stops at the gate.)
        _server.PauseReading();
        await client.RequestAsync("GetVersion");
        var clock = Stopwatch.StartNew();
        var args = await disconnected.Task.WaitAsync(Bound);
        var detectedAfter = clock.ElapsedMilliseconds;
        _server.ResumeReading();
        await reconnected.Task.WaitAsync(Bound);

        Assert.True(args.WillReconnect);
        Assert.InRange(detectedAfter, 150, 3000);
        Assert.True((await client.RequestAsync("GetVersion")).Status.Result);
    }

    [Fact]
    public void Backoff_starts_at_250_ms_doubles_and_stops_at_10_s()
    {
        var policy = new ObsReconnectOptions();

        var delays = Enumerable.Range(1, 9).Select(n => policy.DelayBeforeAttempt(n).TotalMilliseconds).ToArray();

        Assert.Equal([250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000], delays);
        Assert.Equal(10000, policy.DelayBeforeAttempt(int.MaxValue).TotalMilliseconds);
        var jittered = policy with { Jitter = 0.5 };
        Assert.Equal(250, jittered.DelayBeforeAttempt(1, 0.0).TotalMilliseconds, 6);
        Assert.Equal(125, jittered.DelayBeforeAttempt(1, 1.0).TotalMilliseconds, 6);
        Assert.Null(policy.MaxAttempts);
    }

    [Fact]
    public void Reconnect_options_are_validated()
    {
        static ObsWebSocketOptions With(ObsReconnectOptions reconnect) => new() { Uri = new Uri("ws://127.0.0.1:1"), Reconnect = reconnect };

        Assert.Throws<ArgumentException>(() => With(new ObsReconnectOptions { MaxAttempts = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => With(new ObsReconnectOptions { Multiplier = 0.5 }).Validate());
        Assert.Throws<ArgumentException>(() => With(new ObsReconnectOptions { Jitter = 1.5 }).Validate());
        Assert.Throws<ArgumentException>(() => With(new ObsReconnectOptions { MaxDelay = TimeSpan.FromMilliseconds(1) }).Validate());
        With(new ObsReconnectOptions()).Validate();
    }

    [Fact]
    public async Task The_first_connection_is_not_retried()
    {
        _server.StopListening();

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(FastReconnect()).WaitAsync(Bound));

        Assert.InRange(clock.ElapsedMilliseconds, 0, 3000);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Bound, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
