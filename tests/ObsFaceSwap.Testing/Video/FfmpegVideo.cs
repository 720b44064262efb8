using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ObsFaceSwap.Testing.Processes;

namespace ObsFaceSwap.Testing.Video;

/// <summary>A recording's streams as ffprobe sees them.</summary>
/// <param name="VideoCodec">The video codec, e.g. h264.</param>
/// <param name="Width">Video width.</param>
/// <param name="Height">Video height.</param>
/// <param name="FrameRate">Video frame rate, e.g. 30.</param>
/// <param name="DurationSeconds">Container duration.</param>
/// <param name="AudioCodec">The audio codec, or null when there is no audio stream.</param>
public sealed record VideoProbe(string VideoCodec, int Width, int Height, double FrameRate, double DurationSeconds, string? AudioCodec);

/// <summary>Decoding and probing with ffmpeg.</summary>
public static class FfmpegVideo
{
    /// <summary>
    /// Decodes the first video stream to BGRA frames of a given size, every frame as stored
    /// (no frame-rate conversion), converting with BT.709 limited range as OBS and the clip encode.
    /// </summary>
    /// <param name="path">The video file.</param>
    /// <param name="width">Output width.</param>
    /// <param name="height">Output height.</param>
    /// <param name="cancellationToken">Cancels decoding.</param>
    /// <returns>The frames, in order.</returns>
    public static async IAsyncEnumerable<VideoFrame> DecodeAsync(
        string path,
        int width,
        int height,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        foreach (var argument in new[]
                 {
                     "-hide_banner", "-loglevel", "error", "-nostdin", "-i", path, "-map", "0:v:0",
                     "-vf", $"scale={I(width)}:{I(height)}:in_color_matrix=bt709:in_range=tv,format=bgra",
                     "-fps_mode", "passthrough", "-f", "rawvideo", "pipe:1",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        var stream = process.StandardOutput.BaseStream;
        var index = 0;
        try
        {
            while (true)
            {
                var pixels = new byte[4 * width * height];
                var read = await stream.ReadAtLeastAsync(pixels, pixels.Length, throwOnEndOfStream: false, cancellationToken)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (read < pixels.Length)
                {
                    throw new InvalidDataException($"ffmpeg ended {path} in the middle of frame {index}.");
                }

                yield return new VideoFrame(index++, width, height, pixels);
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidDataException($"ffmpeg could not decode {path}: {await errors.ConfigureAwait(false)}");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    /// <summary>Probes a file's first video and audio streams.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels probing.</param>
    /// <returns>What ffprobe found.</returns>
    public static async Task<VideoProbe> ProbeAsync(string path, CancellationToken cancellationToken = default)
    {
        var json = await ExternalTool.RunAsync(
            "ffprobe",
            ["-v", "error", "-show_streams", "-show_format", "-of", "json", path],
            TimeSpan.FromSeconds(30),
            cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(json);
        var streams = doc.RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.FirstOrDefault(s => s.GetProperty("codec_type").GetString() == "video");
        if (video.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path} has no video stream.");
        }

        var audio = streams.FirstOrDefault(s => s.GetProperty("codec_type").GetString() == "audio");
        var rate = video.GetProperty("avg_frame_rate").GetString() ?? "0/1";
        var parts = rate.Split('/');
        var frameRate = parts.Length == 2 && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var den) && den != 0
            ? double.Parse(parts[0], CultureInfo.InvariantCulture) / den
            : 0;
        var duration = doc.RootElement.GetProperty("format").TryGetProperty("duration", out var d)
            && double.TryParse(d.GetString(), CultureInfo.InvariantCulture, out var seconds)
                ? seconds
                : 0;
        return new VideoProbe(
            video.GetProperty("codec_name").GetString() ?? "",
            video.GetProperty("width").GetInt32(),
            video.GetProperty("height").GetInt32(),
            frameRate,
            duration,
            audio.ValueKind == JsonValueKind.Object ? audio.GetProperty("codec_name").GetString() : null);
    }

    /// <summary>Writes one frame of a video as PNG.</summary>
    /// <param name="path">The video.</param>
    /// <param name="atSeconds">The frame's time.</param>
    /// <param name="pngPath">The PNG to write.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <returns>A task that completes when the PNG exists.</returns>
    public static Task ExtractPngAsync(string path, double atSeconds, string pngPath, CancellationToken cancellationToken = default) =>
        ExternalTool.RunAsync(
            "ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-y", "-ss", atSeconds.ToString("0.###", CultureInfo.InvariantCulture),
             "-i", path, "-frames:v", "1", pngPath],
            TimeSpan.FromSeconds(60),
            cancellationToken);
}
