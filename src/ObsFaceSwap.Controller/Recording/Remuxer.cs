using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ObsFaceSwap.Controller.Recording;

/// <summary>What ffprobe says about a media file.</summary>
/// <param name="DurationSeconds">The container's duration.</param>
/// <param name="VideoStreams">Number of video streams.</param>
/// <param name="AudioStreams">Number of audio streams.</param>
/// <param name="FormatName">ffprobe's format name, e.g. <c>matroska,webm</c>.</param>
public sealed record MediaProbe(double DurationSeconds, int VideoStreams, int AudioStreams, string FormatName);

/// <summary>ffmpeg or ffprobe failed, is missing, or a remuxed file did not verify.</summary>
public sealed class RemuxException : Exception
{
    /// <inheritdoc />
    public RemuxException()
    {
    }

    /// <inheritdoc />
    public RemuxException(string message) : base(message)
    {
    }

    /// <inheritdoc />
    public RemuxException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// Remuxes a recording without re-encoding (<c>ffmpeg -c copy</c>) and verifies the result with ffprobe
/// before the source is removed: same streams, duration within 0.5 s (or 2 %).
/// </summary>
public static class Remuxer
{
    /// <summary>Reads duration and streams with ffprobe.</summary>
    /// <exception cref="RemuxException">ffprobe is missing or cannot read the file.</exception>
    public static async Task<MediaProbe> ProbeAsync(string path, CancellationToken cancellationToken = default)
    {
        var (code, stdout, stderr) = await RunAsync(
            "ffprobe",
            ["-v", "error", "-show_entries", "format=duration,format_name:stream=codec_type", "-of", "json", path],
            cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new RemuxException($"ffprobe cannot read {path}: {stderr.Trim()}");
        }

        using var doc = JsonDocument.Parse(stdout);
        var format = doc.RootElement.Obj("format");
        var duration = double.TryParse(format.Str("duration"), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;
        var streams = doc.RootElement.Arr("streams").Select(s => s.Str("codec_type")).ToList();
        return new MediaProbe(duration, streams.Count(s => s == "video"), streams.Count(s => s == "audio"), format.Str("format_name"));
    }

    /// <summary>
    /// Remuxes <paramref name="source"/> to <paramref name="container"/> beside it, verifies the new file
    /// and then deletes the source unless <paramref name="keepSource"/>.
    /// </summary>
    /// <returns>The new file.</returns>
    /// <exception cref="RemuxException">ffmpeg failed or the result did not verify (the source is kept, a partial result removed).</exception>
    public static async Task<string> RemuxAsync(string source, RecordContainer container, bool keepSource, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        var target = Path.ChangeExtension(source, container.Extension());
        if (string.Equals(Path.GetFullPath(target), Path.GetFullPath(source), StringComparison.Ordinal))
        {
            throw new RemuxException($"{source} is already a {container.Extension()} file");
        }

        if (File.Exists(target))
        {
            throw new RemuxException($"{target} exists already; not overwriting it");
        }

        var before = await ProbeAsync(source, cancellationToken).ConfigureAwait(false);
        var partial = target + ".partial";
        List<string> args = ["-nostdin", "-v", "error", "-y", "-i", source, "-map", "0", "-c", "copy"];
        args.AddRange(container switch
        {
            RecordContainer.Mp4 or RecordContainer.Mov => ["-movflags", "+faststart"],
            RecordContainer.FragmentedMp4 => ["-movflags", "+frag_keyframe+empty_moov+default_base_moof"],
            _ => [],
        });
        args.AddRange(["-f", container switch
        {
            RecordContainer.Mkv => "matroska",
            RecordContainer.FragmentedMp4 => "mp4",
            _ => container.Extension(),
        }, partial]);
        try
        {
            var (code, _, stderr) = await RunAsync("ffmpeg", args, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                throw new RemuxException($"ffmpeg could not remux {source}: {stderr.Trim()}");
            }

            var after = await ProbeAsync(partial, cancellationToken).ConfigureAwait(false);
            if (after.VideoStreams != before.VideoStreams || after.AudioStreams != before.AudioStreams
                || Math.Abs(after.DurationSeconds - before.DurationSeconds) > Math.Max(0.5, 0.02 * before.DurationSeconds))
            {
                throw new RemuxException(
                    $"the remuxed file does not match {source}: {after.VideoStreams} video/{after.AudioStreams} audio streams, {after.DurationSeconds:0.00} s "
                    + $"against {before.VideoStreams}/{before.AudioStreams}, {before.DurationSeconds:0.00} s; the source is kept");
            }

            File.Move(partial, target);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }

        if (!keepSource)
        {
            File.Delete(source);
        }

        return target;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string tool, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new RemuxException($"{tool} did not start");
        }
        catch (Win32Exception e)
        {
            throw new RemuxException($"{tool} is not installed (or not on PATH)", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }
}
