using System.Text.Json.Nodes;
using ObsFaceSwap.Obs.Events;

namespace ObsFaceSwap.Obs.Tests;

/// <summary>Typed events and the typed subscription helpers.</summary>
#pragma warning disable CA1001 // xunit disposes the server through IAsyncLifetime.DisposeAsync.
public sealed class ObsTypedEventsTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeObsServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ObsWebSocketClient> ConnectAsync(ObsEventSubscriptions subscriptions = ObsEventSubscriptions.All) =>
        ObsWebSocketClient.ConnectAsync(new ObsWebSocketOptions { Uri = _server.Uri, Password = "fake-password", EventSubscriptions = subscriptions });

    [Fact]
    public async Task Output_events_parse_state_and_path()
    {
        await using var client = await ConnectAsync();
        var stream = client.WaitForEventAsync<StreamStateChanged>(e => e.State == ObsOutputState.Started, Bound);
        var record = client.WaitForEventAsync<RecordStateChanged>(e => e.State == ObsOutputState.Stopped, Bound);

        await _server.SendEventAsync("StreamStateChanged", ObsEventSubscriptions.Outputs, new JsonObject
        {
            ["outputActive"] = false,
            ["outputState"] = "OBS_WEBSOCKET_OUTPUT_STARTING",
        });
        await _server.SendEventAsync("StreamStateChanged", ObsEventSubscriptions.Outputs, new JsonObject
        {
            ["outputActive"] = true,
            ["outputState"] = "OBS_WEBSOCKET_OUTPUT_STARTED",
        });
        await _server.SendEventAsync("RecordStateChanged", ObsEventSubscriptions.Outputs, new JsonObject
        {
            ["outputActive"] = false,
            ["outputState"] = "OBS_WEBSOCKET_OUTPUT_STOPPED",
            ["outputPath"] = "/rec/a.mkv",
        });

        var started = await stream;
        var stopped = await record;
        Assert.True(started.OutputActive);
        Assert.Equal("OBS_WEBSOCKET_OUTPUT_STARTED", started.OutputState);
        Assert.Equal("/rec/a.mkv", stopped.OutputPath);
        Assert.Equal(ObsOutputState.Unknown, ObsOutputStates.Parse("OBS_WEBSOCKET_OUTPUT_SOMETHING_NEW"));
    }

    [Fact]
    public async Task Vendor_scene_and_exit_events_parse()
    {
        await using var client = await ConnectAsync();
        var vendor = client.WaitForEventAsync<VendorEvent>(e => e.VendorName == "obs-faceswap", Bound);
        var scene = client.WaitForEventAsync<CurrentProgramSceneChanged>(timeout: Bound);
        var exit = client.WaitForEventAsync<ExitStarted>(timeout: Bound);

        await _server.SendEventAsync("VendorEvent", ObsEventSubscriptions.Vendors, new JsonObject
        {
            ["vendorName"] = "obs-faceswap",
            ["eventType"] = "HostStateChanged",
            ["eventData"] = new JsonObject { ["state"] = "running" },
        });
        await _server.SendEventAsync("CurrentProgramSceneChanged", ObsEventSubscriptions.Scenes, new JsonObject { ["sceneName"] = "Live" });
        await _server.SendEventAsync("ExitStarted", ObsEventSubscriptions.General);

        var v = await vendor;
        Assert.Equal("HostStateChanged", v.EventType);
        Assert.Equal("running", v.EventData.GetProperty("state").GetString());
        Assert.Equal("Live", (await scene).SceneName);
        Assert.NotNull(await exit);
    }

    [Fact]
    public async Task Typed_handler_sees_only_its_event_type()
    {
        await using var client = await ConnectAsync();
        var scenes = new List<string>();
        var done = client.WaitForEventAsync("Done", timeout: Bound);
        using var registration = client.AddEventHandler<CurrentProgramSceneChanged>((e, _) =>
        {
            scenes.Add(e.SceneName);
            return ValueTask.CompletedTask;
        });

        await _server.SendEventAsync("CurrentPreviewSceneChanged", ObsEventSubscriptions.Scenes, new JsonObject { ["sceneName"] = "Preview" });
        await _server.SendEventAsync("CurrentProgramSceneChanged", ObsEventSubscriptions.Scenes, new JsonObject { ["sceneName"] = "A" });
        await _server.SendEventAsync("CurrentProgramSceneChanged", ObsEventSubscriptions.Scenes, new JsonObject { ["sceneName"] = "B" });
        await _server.SendEventAsync("Done", ObsEventSubscriptions.General);
        await done;

        Assert.Equal(["A", "B"], scenes);
    }

    [Fact]
    public async Task Typed_helpers_refuse_an_event_the_session_is_not_subscribed_to()
    {
        await using var client = await ConnectAsync(ObsEventSubscriptions.General);

        var ex = Assert.Throws<InvalidOperationException>(
            () => client.AddEventHandler<RecordStateChanged>((_, _) => ValueTask.CompletedTask));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.WaitForEventAsync<VendorEvent>());
        await client.ReidentifyAsync(ObsEventSubscriptions.General | ObsEventSubscriptions.Outputs);
        using var allowed = client.AddEventHandler<RecordStateChanged>((_, _) => ValueTask.CompletedTask);

        Assert.Contains("Outputs", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ObsEventSubscriptions.General | ObsEventSubscriptions.Outputs, client.EventSubscriptions);
    }
}
