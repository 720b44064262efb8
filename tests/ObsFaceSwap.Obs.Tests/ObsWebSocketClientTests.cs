using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs.Tests;

#pragma warning disable CA1001 // xunit disposes the server through IAsyncLifetime.DisposeAsync.
public sealed class ObsWebSocketClientTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly FakeObsServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ObsWebSocketClient> ConnectAsync(
        string? password = "fake-password",
        ObsEventSubscriptions subscriptions = ObsEventSubscriptions.All,
        TimeSpan? requestTimeout = null) =>
        ObsWebSocketClient.ConnectAsync(new ObsWebSocketOptions
        {
            Uri = _server.Uri,
            Password = password,
            EventSubscriptions = subscriptions,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
        });

    [Fact]
    public async Task Identify_carries_rpc_version_authentication_and_the_subscription_bitmask()
    {
        var subscriptions = ObsEventSubscriptions.General | ObsEventSubscriptions.Outputs | ObsEventSubscriptions.Vendors;
        await using var client = await ConnectAsync(subscriptions: subscriptions);

        var identify = Assert.Single(_server.ReceivedOp(ObsOpCode.Identify)).GetProperty("d");
        Assert.Equal(1, identify.GetProperty("rpcVersion").GetInt32());
        Assert.Equal(577, identify.GetProperty("eventSubscriptions").GetInt32());
        // base64(sha256(base64(sha256("fake-password" + salt)) + challenge)), computed with Python's hashlib.
        Assert.Equal("HMIYKDUq/rvcjzGSy5tmkyX03/TQrgQcvCxB3J/Mr8Q=", identify.GetProperty("authentication").GetString());
        Assert.Equal("5.1.0", client.ObsWebSocketVersion);
        Assert.Equal(1, client.NegotiatedRpcVersion);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Wrong_password_surfaces_close_code_4009()
    {
        var ex = await Assert.ThrowsAsync<ObsConnectionClosedException>(() => ConnectAsync(password: "wrong"));

        Assert.Equal(4009, ex.CloseCode);
        Assert.Equal(ObsCloseCode.AuthenticationFailed, ex.ObsCloseCode);
        Assert.Contains("4009", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_password_for_a_server_that_requires_one_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectAsync(password: null));

        Assert.Contains("requires a password", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_is_framed_as_op_6_and_its_response_is_matched_by_id()
    {
        _server.OnRequest = (type, data) => Task.FromResult<FakeReply?>(FakeReply.Ok(new JsonObject
        {
            ["echoType"] = type,
            ["echoName"] = data?.GetProperty("sceneName").GetString(),
        }));
        await using var client = await ConnectAsync();

        var first = client.RequestAsync("Echo", new JsonObject { ["sceneName"] = "A" });
        var second = client.RequestAsync("Echo", new JsonObject { ["sceneName"] = "B" });
        var responses = await Task.WhenAll(first, second);

        Assert.Equal("A", responses[0].ResponseData!.Value.GetProperty("echoName").GetString());
        Assert.Equal("B", responses[1].ResponseData!.Value.GetProperty("echoName").GetString());
        var requests = _server.ReceivedOp(ObsOpCode.Request).Select(m => m.GetProperty("d")).ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, d =>
        {
            Assert.Equal("Echo", d.GetProperty("requestType").GetString());
            Assert.Equal(JsonValueKind.String, d.GetProperty("requestId").ValueKind);
            Assert.Equal(JsonValueKind.Object, d.GetProperty("requestData").ValueKind);
        });
        Assert.NotEqual(requests[0].GetProperty("requestId").GetString(), requests[1].GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task Request_without_data_sends_no_requestData_field()
    {
        await using var client = await ConnectAsync();

        await client.RequestAsync("GetSceneList");

        var d = Assert.Single(_server.ReceivedOp(ObsOpCode.Request)).GetProperty("d");
        Assert.False(d.TryGetProperty("requestData", out _));
    }

    [Fact]
    public async Task Failed_request_throws_ObsRequestException_with_status_code_and_comment()
    {
        _server.OnRequest = (_, _) => Task.FromResult<FakeReply?>(FakeReply.Fail(600, "No source was found by the name of `Nope`."));
        await using var client = await ConnectAsync();

        var ex = await Assert.ThrowsAsync<ObsRequestException>(() => client.GetSourceFilterAsync("Nope", "f"));

        Assert.Equal("GetSourceFilter", ex.RequestType);
        Assert.Equal(ObsRequestStatusCode.ResourceNotFound, ex.Code);
        Assert.Equal("No source was found by the name of `Nope`.", ex.Comment);
        Assert.Contains("600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_timeout_fires_and_the_connection_stays_usable()
    {
        _server.OnRequest = (type, _) => Task.FromResult(type == "Hang" ? null : FakeReply.Ok(new JsonObject { ["ok"] = true }));
        await using var client = await ConnectAsync();

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => client.RequestAsync("Hang", timeout: TimeSpan.FromMilliseconds(200)));
        clock.Stop();

        Assert.Contains("Hang", ex.Message, StringComparison.Ordinal);
        Assert.InRange(clock.ElapsedMilliseconds, 150, 3000);
        var after = await client.RequestAsync("Ping");
        Assert.True(after.ResponseData!.Value.GetProperty("ok").GetBoolean());
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Default_request_timeout_comes_from_the_options()
    {
        _server.OnRequest = (_, _) => Task.FromResult<FakeReply?>(null);
        await using var client = await ConnectAsync(requestTimeout: TimeSpan.FromMilliseconds(150));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => client.GetStatsAsync());

        Assert.InRange(clock.ElapsedMilliseconds, 100, 3000);
    }

    [Fact]
    public async Task A_late_answer_to_a_timed_out_request_is_not_mistaken_for_a_later_one()
    {
        _server.OnRequest = async (type, _) =>
        {
            if (type == "Slow")
            {
                await Task.Delay(400);
            }

            return FakeReply.Ok(new JsonObject { ["type"] = type });
        };
        await using var client = await ConnectAsync();

        await Assert.ThrowsAsync<TimeoutException>(() => client.RequestAsync("Slow", timeout: TimeSpan.FromMilliseconds(100)));
        await Task.Delay(500);
        var next = await client.RequestAsync("Fast");

        Assert.Equal("Fast", next.ResponseData!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Cancellation_token_cancels_a_pending_request()
    {
        _server.OnRequest = (_, _) => Task.FromResult<FakeReply?>(null);
        await using var client = await ConnectAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.RequestAsync("Hang", timeout: TimeSpan.FromSeconds(30), cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Server_close_fails_pending_requests_with_the_close_code()
    {
        _server.OnRequest = async (type, _) =>
        {
            if (type == "Quit")
            {
                await _server.CloseAsync((int)ObsCloseCode.SessionInvalidated, "bye");
            }

            return null;
        };
        await using var client = await ConnectAsync();

        var ex = await Assert.ThrowsAsync<ObsConnectionClosedException>(() => client.RequestAsync("Quit"));

        Assert.Equal(4011, ex.CloseCode);
        Assert.Equal("bye", ex.CloseReason);
        await client.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(client.IsConnected);
        Assert.Equal(4011, client.CloseCode);
        await Assert.ThrowsAsync<ObsConnectionClosedException>(() => client.RequestAsync("GetVersion"));
    }

    [Fact]
    public async Task Events_arrive_in_order_and_a_handler_can_await_a_request_without_deadlock()
    {
        _server.OnRequest = (type, _) => Task.FromResult<FakeReply?>(FakeReply.Ok(new JsonObject { ["type"] = type }));
        await using var client = await ConnectAsync();
        var seen = new List<int>();
        string? answeredInsideHandler = null;
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = client.AddEventHandler(async (evt, ct) =>
        {
            var n = evt.EventData!.Value.GetProperty("n").GetInt32();
            if (n == 0)
            {
                // A request from inside the handler: its answer arrives while the dispatcher waits here.
                var response = await client.RequestAsync("GetVersion", cancellationToken: ct);
                answeredInsideHandler = response.ResponseData!.Value.GetProperty("type").GetString();
            }

            seen.Add(n);
            if (seen.Count == 200)
            {
                allSeen.TrySetResult();
            }
        });

        for (var i = 0; i < 200; i++)
        {
            await _server.SendEventAsync("CustomEvent", ObsEventSubscriptions.General, new JsonObject { ["n"] = i });
        }

        await allSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 200), seen);
        Assert.Equal("GetVersion", answeredInsideHandler);
    }

    [Fact]
    public async Task A_throwing_handler_is_reported_and_does_not_stop_the_dispatcher()
    {
        var failures = new List<string>();
        await using var client = await ObsWebSocketClient.ConnectAsync(new ObsWebSocketOptions
        {
            Uri = _server.Uri,
            Password = "fake-password",
            EventHandlerFailed = (evt, ex) => failures.Add($"{evt.EventType}:{ex.Message}"),
        });
        using var bad = client.AddEventHandler((_, _) => throw new InvalidOperationException("boom"));
        var second = client.WaitForEventAsync("Second", timeout: TimeSpan.FromSeconds(5));

        await _server.SendEventAsync("First", ObsEventSubscriptions.General);
        await _server.SendEventAsync("Second", ObsEventSubscriptions.General);
        await second;

        Assert.Contains("First:boom", failures);
    }

    [Fact]
    public async Task WaitForEventAsync_matches_type_and_predicate()
    {
        await using var client = await ConnectAsync();
        var stopped = client.WaitForEventAsync(
            "RecordStateChanged",
            e => e.GetString("outputState") == "OBS_WEBSOCKET_OUTPUT_STOPPED",
            TimeSpan.FromSeconds(5));

        await _server.SendEventAsync("RecordStateChanged", ObsEventSubscriptions.Outputs, new JsonObject { ["outputState"] = "OBS_WEBSOCKET_OUTPUT_STOPPING" });
        await _server.SendEventAsync("RecordStateChanged", ObsEventSubscriptions.Outputs, new JsonObject
        {
            ["outputState"] = "OBS_WEBSOCKET_OUTPUT_STOPPED",
            ["outputPath"] = "/tmp/x.mkv",
        });
        var evt = await stopped;

        Assert.Equal("/tmp/x.mkv", evt.GetString("outputPath"));
        Assert.Equal(ObsEventSubscriptions.Outputs, evt.EventIntent);
    }

    [Fact]
    public async Task WaitForEventAsync_times_out()
    {
        await using var client = await ConnectAsync();

        var ex = await Assert.ThrowsAsync<TimeoutException>(
            () => client.WaitForEventAsync("NeverSent", timeout: TimeSpan.FromMilliseconds(100)));

        Assert.Contains("NeverSent", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_is_framed_as_op_8_and_results_come_back_in_request_order()
    {
        _server.ShuffleBatchResults = true;
        _server.OnRequest = (type, _) => Task.FromResult<FakeReply?>(
            type == "Bad" ? FakeReply.Fail(204, "Unknown request type.") : FakeReply.Ok(new JsonObject { ["type"] = type }));
        await using var client = await ConnectAsync();

        var results = await client.RequestBatchAsync(
            [new ObsBatchRequest("GetVersion"), new ObsBatchRequest("Bad"), ObsBatchRequest.SleepFrames(2)],
            executionType: ObsRequestBatchExecutionType.SerialFrame);

        Assert.Equal(["GetVersion", "Bad", "Sleep"], results.Select(r => r.RequestType));
        Assert.True(results[0].Status.Result);
        Assert.Equal(ObsRequestStatusCode.UnknownRequestType, results[1].Status.Code);
        Assert.Throws<ObsRequestException>(() => results[1].EnsureSuccess());
        var d = Assert.Single(_server.ReceivedOp(ObsOpCode.RequestBatch)).GetProperty("d");
        Assert.Equal(1, d.GetProperty("executionType").GetInt32());
        Assert.False(d.GetProperty("haltOnFailure").GetBoolean());
        var requests = d.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(["0", "1", "2"], requests.Select(r => r.GetProperty("requestId").GetString()));
        Assert.Equal(2, requests[2].GetProperty("requestData").GetProperty("sleepFrames").GetInt32());
    }

    [Fact]
    public async Task Batch_with_haltOnFailure_returns_only_what_ran()
    {
        _server.OnRequest = (type, _) => Task.FromResult<FakeReply?>(type == "Bad" ? FakeReply.Fail(204, "no") : FakeReply.Ok());
        await using var client = await ConnectAsync();

        var results = await client.RequestBatchAsync(
            [new ObsBatchRequest("GetVersion"), new ObsBatchRequest("Bad"), new ObsBatchRequest("GetStats")],
            haltOnFailure: true);

        Assert.Equal(2, results.Count);
    }

    [Fact]
    public async Task Reidentify_changes_the_subscriptions()
    {
        await using var client = await ConnectAsync();

        await client.ReidentifyAsync(ObsEventSubscriptions.Vendors).WaitAsync(TimeSpan.FromSeconds(5));

        var d = Assert.Single(_server.ReceivedOp(ObsOpCode.Reidentify)).GetProperty("d");
        Assert.Equal(512, d.GetProperty("eventSubscriptions").GetInt32());
    }

    [Fact]
    public async Task Dispose_closes_normally_and_is_idempotent()
    {
        _server.OnRequest = (_, _) => Task.FromResult<FakeReply?>(null);
        var client = await ConnectAsync();
        var pending = client.RequestAsync("Hang", timeout: TimeSpan.FromSeconds(30));

        await client.DisposeAsync();
        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObsConnectionClosedException>(() => pending);
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.RequestAsync("GetVersion"));
    }

    [Fact]
    public async Task Dispose_from_inside_an_event_handler_does_not_deadlock()
    {
        var client = await ConnectAsync();
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = client.AddEventHandler(async (_, _) =>
        {
            await client.DisposeAsync();
            disposed.TrySetResult();
        });

        await _server.SendEventAsync("ExitStarted", ObsEventSubscriptions.General);

        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(client.IsConnected);
    }
}
