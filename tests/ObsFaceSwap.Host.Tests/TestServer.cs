using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Control;
using ObsFaceSwap.Host.Sessions;

namespace ObsFaceSwap.Host.Tests;

/// <summary>The real control server on a temporary Unix socket, in this process.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly DirectoryInfo _dir;

    private TestServer(DirectoryInfo dir, ControlEndpoint endpoint, ControlListener listener, ControlServer server, ListLogger logger)
    {
        _dir = dir;
        Endpoint = endpoint;
        Listener = listener;
        Server = server;
        Logger = logger;
        Run = server.RunAsync(_cts.Token);
    }

    public ControlEndpoint Endpoint { get; }

    public ControlListener Listener { get; }

    public ControlServer Server { get; }

    public ListLogger Logger { get; }

    public Task<ServerExitReason> Run { get; }

    public static TestServer Start(TimeSpan? idleExit = null)
    {
        var dir = Directory.CreateTempSubdirectory("ofs-host-");
        var endpoint = ControlEndpoint.Resolve(Path.Combine(dir.FullName, "control.sock"));
        var listener = ControlListener.Bind(endpoint);
        var logger = new ListLogger();
        var server = new ControlServer(listener, new ControlServerOptions(idleExit ?? TimeSpan.Zero, TimeSpan.FromSeconds(10)), new SessionRegistry(), logger);
        return new TestServer(dir, endpoint, listener, server, logger);
    }

    public Task<FakeShim> ConnectAsync() => FakeShim.ConnectAsync(Endpoint);

    public async Task<FakeShim> ConnectWithHelloAsync()
    {
        var shim = await ConnectAsync();
        await shim.HelloAsync();
        return shim;
    }

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            await Listener.DisposeAsync();
            _cts.Dispose();
            _dir.Delete(recursive: true);
        }
    }
}
