using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ObsFaceSwap.Host.Sessions;

namespace ObsFaceSwap.Host.Control;

/// <summary>Runs the <see cref="ControlServer"/> inside the generic host; stops the host on idle exit.</summary>
internal sealed class ControlServerService : BackgroundService
{
    private readonly ControlListener _listener;
    private readonly ControlServerOptions _options;
    private readonly SessionRegistry _registry;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;

    public ControlServerService(ControlListener listener, ControlServerOptions options, SessionRegistry registry, IHostApplicationLifetime lifetime, ILogger<ControlServerService> logger)
    {
        _listener = listener;
        _options = options;
        _registry = registry;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Process exit code chosen by the service (0 unless the server failed).</summary>
    public int ExitCode { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.HostListening(_logger, HostInfo.Version, _listener.Endpoint, Environment.ProcessId, (int)_options.IdleExit.TotalSeconds);
        try
        {
            var server = new ControlServer(_listener, _options, _registry, _logger);
            await server.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ServerFailed(_logger, e);
            ExitCode = ExitCodes.Failure;
        }
        finally
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
            Log.HostStopping(_logger);
            _lifetime.StopApplication();
        }
    }
}
