using System.CommandLine;
using System.Net.WebSockets;
using ObsFaceSwap.Controller;
using ObsFaceSwap.Controller.Recording;
using ObsFaceSwap.Controller.Scenes;
using ObsFaceSwap.Obs;

namespace ObsFaceSwap.Cli;

/// <summary>
/// <c>--url</c> and <c>--password-file</c> of the OBS controller commands, and the connect-run-map-errors
/// wrapper they share. The password comes from the file (or stdin for <c>-</c>) or from
/// <c>$OBS_WEBSOCKET_PASSWORD</c>, never from the command line, and is never printed.
/// </summary>
internal sealed class ObsConnection
{
    /// <summary>The environment variable holding the obs-websocket password.</summary>
    public const string PasswordVariable = "OBS_WEBSOCKET_PASSWORD";

    public Option<string> Url { get; } = new("--url")
    {
        Description = "obs-websocket address.",
        HelpName = "URL",
        DefaultValueFactory = _ => "ws://127.0.0.1:4455",
        Recursive = true,
    };

    public Option<string?> PasswordFile { get; } = new("--password-file")
    {
        Description = $"File holding the obs-websocket password ('-': read a line from stdin). Default: ${PasswordVariable}; none: no authentication.",
        HelpName = "PATH",
        Recursive = true,
    };

    /// <summary>Adds the options to a top-level command (recursive: its subcommands take them too).</summary>
    public void AddTo(Command command)
    {
        command.Add(Url);
        command.Add(PasswordFile);
    }

    /// <summary>Connects, runs <paramref name="action"/>, and maps expected failures to an exit code and one stderr line.</summary>
    public async Task<int> RunAsync(ParseResult parse, CliContext context, Func<IObsRequester, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            var options = Options(parse);
            ObsWebSocketClient client;
            try
            {
                client = await ObsWebSocketClient.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (ObsConnectionClosedException e) when (e.CloseCode == (int)ObsCloseCode.AuthenticationFailed)
            {
                return await FailAsync(context, ExitCodes.ObsUnreachable,
                    $"obs-websocket at {options.Uri} refused the password (give it with --password-file or ${PasswordVariable})").ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or ObsConnectionClosedException or TimeoutException or HttpRequestException)
            {
                return await FailAsync(context, ExitCodes.ObsUnreachable,
                    $"cannot connect to obs-websocket at {options.Uri}: {e.Message} (is OBS running with Tools > WebSocket Server Settings enabled?)").ConfigureAwait(false);
            }

            await using (client.ConfigureAwait(false))
            {
                return await action(new ObsClientRequester(client), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (MapException(e) is { } code)
        {
            return await FailAsync(context, code, e.Message).ConfigureAwait(false);
        }
    }

    /// <summary>Runs an action that needs no OBS, with the same error mapping.</summary>
    public static async Task<int> RunOfflineAsync(CliContext context, Func<CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (MapException(e) is { } code)
        {
            return await FailAsync(context, code, e.Message).ConfigureAwait(false);
        }
    }

    /// <summary>The exit code of an expected failure; null for a bug (which propagates).</summary>
    internal static int? MapException(Exception e) => e switch
    {
        OperationCanceledException => ExitCodes.Cancelled,
        SceneFileException => ExitCodes.SceneFileInvalid,
        SceneConflictException => ExitCodes.SceneConflict,
        RemuxException => ExitCodes.RemuxFailed,
        ObsRequestException or ControllerException => ExitCodes.ObsRefused,
        ObsConnectionClosedException or TimeoutException or WebSocketException => ExitCodes.ObsUnreachable,
        ArgumentException or FormatException => ExitCodes.Usage,
        IOException or UnauthorizedAccessException => ExitCodes.LocalFile,
        _ => null,
    };

    private ObsWebSocketOptions Options(ParseResult parse)
    {
        var url = parse.GetValue(Url)!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException($"--url '{url}' is not a ws:// or wss:// address");
        }

        var file = parse.GetValue(PasswordFile);
        var password = !string.IsNullOrEmpty(file)
            ? Controller.Streaming.StreamTargetSpec.ReadSecret(file, Console.In, "obs-websocket password")
            : Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } env ? env : null;
        return new ObsWebSocketOptions
        {
            Uri = uri,
            Password = password,
            EventSubscriptions = Obs.ObsEventSubscriptions.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(30),
        };
    }

    private static async Task<int> FailAsync(CliContext context, int code, string message)
    {
        await context.Error.WriteLineAsync($"obs-faceswap: {message}").ConfigureAwait(false);
        return code;
    }
}
