using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ObsFaceSwap.Testing.Processes;
using ObsFaceSwap.Testing.Video;

namespace ObsFaceSwap.Testing.Media;

/// <summary>A generated test clip (H.264 + AAC in MP4), cached by content hash under <c>.e2e/cache</c>.</summary>
public sealed class TestClip
{
    private TestClip(string path, ClipSpec spec)
    {
        Path = path;
        Spec = spec;
    }

    /// <summary>The clip file.</summary>
    public string Path { get; }

    /// <summary>What it shows.</summary>
    public ClipSpec Spec { get; }

    /// <summary>
    /// Returns the clip for a spec, making it with ffmpeg unless the cache has it. The cache key
    /// hashes the spec, the ffmpeg command, ffmpeg's version and the face images' bytes.
    /// </summary>
    /// <param name="spec">What the clip shows; null for the default.</param>
    /// <param name="cacheDirectory">The cache folder; null for <see cref="RepositoryLayout.CacheDirectory"/>.</param>
    /// <param name="cancellationToken">Cancels making it.</param>
    /// <returns>The clip.</returns>
    public static async Task<TestClip> EnsureAsync(
        ClipSpec? spec = null,
        string? cacheDirectory = null,
        CancellationToken cancellationToken = default)
    {
        spec ??= new ClipSpec();
        spec.Validate();
        var astronaut = FaceImages.PathOf(FaceImages.Astronaut);
        var hopper = FaceImages.PathOf(FaceImages.GraceHopper);
        var cache = cacheDirectory ?? RepositoryLayout.CacheDirectory;
        Directory.CreateDirectory(cache);

        var arguments = Arguments(spec, astronaut, hopper, "OUTPUT");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes("obs-faceswap test clip v1\n"));
        hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(spec) + "\n"));
        hash.AppendData(Encoding.UTF8.GetBytes(string.Join('\u001f', arguments.Select(a => a.Replace(astronaut, "A", StringComparison.Ordinal).Replace(hopper, "H", StringComparison.Ordinal)))));
        hash.AppendData(Encoding.UTF8.GetBytes(await Ffmpeg.VersionAsync().ConfigureAwait(false)));
        hash.AppendData(await File.ReadAllBytesAsync(astronaut, cancellationToken).ConfigureAwait(false));
        hash.AppendData(await File.ReadAllBytesAsync(hopper, cancellationToken).ConfigureAwait(false));
        var key = Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
        var path = System.IO.Path.Combine(cache, $"clip-{key}.mp4");
        if (!File.Exists(path))
        {
            var temporary = path + $".{Environment.ProcessId}.tmp.mp4";
            await ExternalTool.RunAsync("ffmpeg", Arguments(spec, astronaut, hopper, temporary), TimeSpan.FromMinutes(2), cancellationToken)
                .ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }

        return new TestClip(path, spec);
    }

    /// <summary>Decodes every frame of the clip (BGRA, in the same way recordings are decoded).</summary>
    /// <param name="cancellationToken">Cancels decoding.</param>
    /// <returns>The frames, index = clip frame index.</returns>
    public async Task<IReadOnlyList<VideoFrame>> DecodeFramesAsync(CancellationToken cancellationToken = default)
    {
        var frames = new List<VideoFrame>(Spec.FrameCount);
        await foreach (var frame in FfmpegVideo.DecodeAsync(Path, Spec.Width, Spec.Height, cancellationToken).ConfigureAwait(false))
        {
            frames.Add(frame);
        }

        if (frames.Count != Spec.FrameCount)
        {
            throw new InvalidDataException($"The clip {Path} decoded to {frames.Count} frames, not {Spec.FrameCount}.");
        }

        return frames;
    }

    private static List<string> Arguments(ClipSpec spec, string astronaut, string hopper, string output)
    {
        static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var seconds = (spec.FrameCount / (double)spec.Fps).ToString("0.######", CultureInfo.InvariantCulture);
        var size = $"{I(spec.Width)}x{I(spec.Height)}";
        // Faces scaled to one height, side by side with a gap of background colour; the strip
        // moves right by PanPixelsPerFrame per frame. The overlay runs in RGB (in YUV 4:2:0 it
        // rounds x to even) and takes the frame number from t (its n is off by one in
        // ffmpeg 5.1). The barcode of the frame index is drawn on top; BT.709 limited range,
        // as OBS outputs.
        var graph = string.Join(';',
            $"[1:v]scale=-2:{I(spec.FaceHeight)},setsar=1,pad=iw+{I(spec.FaceGap)}:ih:0:0:color={spec.BackgroundColor}[a]",
            $"[2:v]scale=-2:{I(spec.FaceHeight)},setsar=1[b]",
            "[a][b]hstack=inputs=2[faces]",
            $"[0:v][faces]overlay=x='{I(spec.PanStartX)}+{I(spec.PanPixelsPerFrame)}*floor(t*{I(spec.Fps)}+0.5)':y={I(spec.FaceTop)}:eval=frame:format=rgb[panned]",
            $"color=c=black:s={I(spec.Width)}x{I(spec.BarcodeHeight)}:r={I(spec.Fps)}:d={seconds},format=gray,"
                + $"geq=lum='{FrameIndexBarcode.GeqExpression(spec.Width)}',format=rgb24[bar]",
            "[panned][bar]overlay=x=0:y=0[marked]",
            "[marked]scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[v]");
        return
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"color=c={spec.BackgroundColor}:s={size}:r={I(spec.Fps)}:d={seconds}",
            "-i", astronaut,
            "-i", hopper,
            "-f", "lavfi", "-i", $"sine=frequency={I(spec.ToneHz)}:sample_rate=48000:duration={seconds}",
            "-filter_complex", graph,
            "-map", "[v]", "-map", "3:a",
            "-frames:v", I(spec.FrameCount),
            "-c:v", "libx264", "-preset", "medium", "-crf", "12", "-g", I(spec.Fps), "-bf", "0",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-c:a", "aac", "-b:a", "128k",
            "-movflags", "+faststart",
            "-f", "mp4", output,
        ];
    }
}
