using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ObsFaceSwap.Media;

/// <summary>An input image or video cannot be read (missing, not media, no video stream). The message names the file.</summary>
public sealed class MediaInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MediaInputException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MediaInputException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public MediaInputException(string message)
        : base(message)
    {
    }
}

/// <summary>The output cannot be written or encoded. The message names the file.</summary>
public sealed class MediaOutputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MediaOutputException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MediaOutputException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public MediaOutputException(string message)
        : base(message)
    {
    }
}

/// <summary>ffmpeg or ffprobe is not installed (not on PATH).</summary>
public sealed class MediaToolMissingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MediaToolMissingException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MediaToolMissingException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public MediaToolMissingException(string message)
        : base(message)
    {
    }
}

/// <summary>What ffprobe says about a file's first video stream.</summary>
/// <param name="Width">Pixels.</param>
/// <param name="Height">Pixels.</param>
/// <param name="FrameRate">Frame rate as ffprobe writes it ("30000/1001"); "25/1" when unknown.</param>
/// <param name="FramesPerSecond"><paramref name="FrameRate"/> as a number, &gt; 0.</param>
/// <param name="FrameCount">Frames in the stream when known (container header or duration * rate).</param>
/// <param name="HasAudio">Whether the file has an audio stream.</param>
public sealed record MediaInfo(int Width, int Height, string FrameRate, double FramesPerSecond, long? FrameCount, bool HasAudio);

/// <summary>ffmpeg and ffprobe as child processes.</summary>
public static class MediaTools
{
    /// <summary>Starts <paramref name="tool"/> with redirected stdin (optional), stdout and stderr.</summary>
    public static Process Start(string tool, IEnumerable<string> arguments, bool redirectInput = false)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            return Process.Start(info) ?? throw new MediaToolMissingException($"cannot start {tool}");
        }
        catch (Win32Exception e)
        {
            throw new MediaToolMissingException($"cannot run {tool}: {e.Message}. Install ffmpeg (it provides ffmpeg and ffprobe) and put it on PATH.", e);
        }
    }

    /// <summary>Kills a process tree, ignoring one that has exited.</summary>
    public static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (Win32Exception)
        {
        }
    }

    /// <summary>The last (at most three) non-empty lines of a tool's stderr, joined with "; ", for messages.</summary>
    public static string LastLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.TrimEnd('-', ' '))
            .Where(l => l.Length > 0)
            .ToArray();
        if (lines.Length == 0)
        {
            return "no details";
        }

        var text = string.Join("; ", lines[Math.Max(0, lines.Length - 3)..]);
        return text.Contains("not currently supported in container", StringComparison.Ordinal)
            ? text + " (the input's audio is copied unchanged: choose an output container that holds it, e.g. .mkv)"
            : text;
    }

    /// <summary>Runs ffprobe on <paramref name="path"/>.</summary>
    /// <exception cref="MediaInputException">The file is missing, unreadable, or has no video stream.</exception>
    public static async Task<MediaInfo> ProbeAsync(string path, string what, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new MediaInputException($"cannot read {what} '{path}': no such file");
        }

        using var process = Start("ffprobe", ["-v", "error", "-show_streams", "-of", "json", path]);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            throw;
        }

        var json = await stdout.ConfigureAwait(false);
        var err = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new MediaInputException($"cannot read {what} '{path}': {LastLine(err)}");
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            JsonElement? video = null;
            var audio = false;
            if (doc.RootElement.TryGetProperty("streams", out var streams))
            {
                foreach (var s in streams.EnumerateArray())
                {
                    var type = s.TryGetProperty("codec_type", out var t) ? t.GetString() : null;
                    if (type == "video" && video is null)
                    {
                        video = s;
                    }
                    else if (type == "audio")
                    {
                        audio = true;
                    }
                }
            }

            if (video is not { } v || !v.TryGetProperty("width", out var w) || !v.TryGetProperty("height", out var h) || w.GetInt32() <= 0 || h.GetInt32() <= 0)
            {
                throw new MediaInputException($"cannot read {what} '{path}': no video stream (not an image or video ffmpeg can decode)");
            }

            var rate = "25/1";
            var fps = 25.0;
            foreach (var key in new[] { "avg_frame_rate", "r_frame_rate" })
            {
                if (v.TryGetProperty(key, out var r) && ParseRate(r.GetString()) is { } value)
                {
                    rate = r.GetString()!;
                    fps = value;
                    break;
                }
            }

            long? frames = null;
            if (v.TryGetProperty("nb_frames", out var nb) && long.TryParse(nb.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                frames = n;
            }
            else if (v.TryGetProperty("duration", out var d) && double.TryParse(d.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                frames = (long)Math.Round(seconds * fps);
            }

            // ffmpeg rotates on decode by the stream's display matrix: a quarter turn swaps the frame's sides.
            var (width, height) = (w.GetInt32(), h.GetInt32());
            if (QuarterTurn(v))
            {
                (width, height) = (height, width);
            }

            return new MediaInfo(width, height, rate, fps, frames, audio);
        }
        catch (JsonException e)
        {
            throw new MediaInputException($"cannot read {what} '{path}': ffprobe gave no usable answer ({e.Message})", e);
        }
    }

    /// <summary>Whether ffprobe's stream carries a rotation of 90 or 270 degrees (display matrix side data, or the older "rotate" tag).</summary>
    private static bool QuarterTurn(JsonElement stream)
    {
        double? rotation = null;
        if (stream.TryGetProperty("side_data_list", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.TryGetProperty("rotation", out var r) && r.ValueKind == JsonValueKind.Number)
                {
                    rotation = r.GetDouble();
                }
            }
        }

        if (rotation is null && stream.TryGetProperty("tags", out var tags) && tags.TryGetProperty("rotate", out var tag)
            && double.TryParse(tag.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var t))
        {
            rotation = t;
        }

        return rotation is { } degrees && Math.Abs(Math.Round(degrees)) % 180 == 90;
    }

    /// <summary>"30000/1001" → 29.97; null for "0/0" or garbage.</summary>
    public static double? ParseRate(string? rate)
    {
        if (string.IsNullOrEmpty(rate))
        {
            return null;
        }

        var parts = rate.Split('/');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var den)
            && num > 0 && den > 0)
        {
            return num / den;
        }

        return parts.Length == 1 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var single) && single > 0 ? single : null;
    }

    /// <summary>Decodes the first frame of an image (or video) to BGRA, rows packed (stride = 4 * width).</summary>
    /// <exception cref="MediaInputException">The file cannot be decoded.</exception>
    public static async Task<(byte[] Pixels, int Width, int Height)> DecodeImageAsync(string path, CancellationToken cancellationToken)
    {
        var info = await ProbeAsync(path, "image", cancellationToken).ConfigureAwait(false);
        using var process = Start("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgra", "-"]);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var expected = info.Width * 4 * info.Height;
        var pixels = new byte[expected];
        int read;
        try
        {
            read = await ReadFullAsync(process.StandardOutput.BaseStream, pixels, cancellationToken).ConfigureAwait(false);
            await process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            throw;
        }

        var err = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0 || read != expected)
        {
            throw new MediaInputException($"cannot read image '{path}': {(process.ExitCode != 0 ? LastLine(err) : $"ffmpeg gave {read} of {expected} bytes")}");
        }

        return (pixels, info.Width, info.Height);
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    public static async Task<int> ReadFullAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
