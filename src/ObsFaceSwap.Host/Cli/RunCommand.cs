using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Control;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Host.Pipeline.Faces;
using ObsFaceSwap.Host.Sessions;

namespace ObsFaceSwap.Host.Cli;

/// <summary><c>run</c>: bind the endpoint, then serve it inside the generic host.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(RunSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        var endpoint = ControlEndpoint.Resolve(settings.Endpoint);
        ControlListener listener;
        try
        {
            listener = ControlListener.Bind(endpoint);
        }
        catch (EndpointInUseException e)
        {
            await error.WriteLineAsync($"obs-faceswap-host: {e.Message}; exiting.").ConfigureAwait(false);
            return ExitCodes.EndpointInUse;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            await error.WriteLineAsync($"obs-faceswap-host: cannot listen on {endpoint}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ApplicationName = "obs-faceswap-host",
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = true,
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.IncludeScopes = false;
        });

        // stdout stays free for command output; every log line goes to stderr.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(listener);
        builder.Services.AddSingleton(sp =>
        {
            // Every channel gets every mode's stages; the detector is created on a channel's
            // first privacy frame, so a host that never runs privacy mode never loads a model.
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            var detectors = FaceDetectorFactory.FromModelStore(loggers.CreateLogger("ObsFaceSwap.Inference"));
            return new ControlServerOptions(TimeSpan.FromSeconds(settings.IdleExitSeconds), TimeSpan.FromSeconds(10),
                PipelineFactory: () => FramePipeline.Create(detectors.Create, () => SwapEngines.FromModelStore(detectors, loggers.CreateLogger("ObsFaceSwap.Swap"))));
        });
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<ControlServerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ControlServerService>());

        using var host = builder.Build();
        var service = host.Services.GetRequiredService<ControlServerService>();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        return service.ExitCode;
    }
}
