using System.Diagnostics;
using System.Text;

namespace ObsFaceSwap.Testing.Processes;

/// <summary>Runs a command-line tool (ffmpeg, ffprobe, the host's stats command) to completion.</summary>
public static class ExternalTool
{
    /// <summary>Throws <see cref="FileNotFoundException"/> unless each tool is an executable on PATH.</summary>
    /// <param name="tools">Tool names, e.g. <c>obs</c>, <c>Xvfb</c>, <c>ffmpeg</c>.</param>
    public static void EnsureOnPath(params string[] tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var missing = tools.Where(tool => !path.Any(dir => File.Exists(Path.Combine(dir, tool)))).ToList();
        if (missing.Count > 0)
        {
            throw new FileNotFoundException(
                $"{string.Join(", ", missing)} not found on PATH. The end-to-end harness needs OBS Studio 29, Xvfb and ffmpeg "
                + "(Debian packages obs-studio xvfb xauth libgl1-mesa-dri ffmpeg; bash scripts/setup.sh installs them).");
        }
    }

    /// <summary>Runs a tool to completion and returns its stdout; throws with its stderr on failure.</summary>
    /// <param name="tool">The executable (a name on PATH or a path).</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="timeout">Bound on the run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Its standard output.</returns>
    public static async Task<string> RunAsync(
        string tool,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', info.ArgumentList)} ran longer than {timeout.TotalSeconds:0} s.");
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{tool} failed with exit code {process.ExitCode}: {string.Join(' ', info.ArgumentList)}\n{Tail(errors, 2000)}");
        }

        return output;
    }


    private static string Tail(string text, int chars) =>
        text.Length <= chars ? text : new StringBuilder("...").Append(text.AsSpan(text.Length - chars)).ToString();
}
