using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ObsFaceSwap.Media;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Models;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Masks;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Cli;

/// <summary>Settings of one <c>process</c> run.</summary>
/// <param name="Input">Input video.</param>
/// <param name="Output">Output video; written as <c>OUTPUT.part</c> and renamed when complete.</param>
/// <param name="Mask">Mask mode, shape, intensity and padding.</param>
/// <param name="DetectInterval">Run the detector on every N-th frame (and on every frame while a face is lost); the tracker predicts between.</param>
/// <param name="Model">BlazeFace variant name (<c>back-256</c> or <c>front-128</c>).</param>
/// <param name="Provider">Execution provider name (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>tensorrt</c>, <c>directml</c> or <c>coreml</c>, any case).</param>
internal sealed record ProcessSettings(string Input, string Output, MaskOptions Mask, int DetectInterval, string Model, string Provider);

/// <summary>
/// <c>process --input IN --output OUT --mode pixelate|blur|solid [--intensity 10..100] [--shape ellipse|box]
/// [--padding 0..100] [--detect-interval N] [--model ...] [--provider ...]</c>: the live filter's pipeline offline. ffmpeg decodes
/// IN to BGRA; BlazeFace detects every N frames, the face tracker fills the frames between and keeps a lost face
/// for its grace period (coasting faces stay masked: fail closed); every tracked face is masked on the CPU; a second
/// ffmpeg encodes H.264 (yuv420p) and copies IN's audio unchanged. Frames are taken at IN's average frame rate (constant:
/// variable-rate input is resampled, so video stays in sync with the copied audio). Nothing is left at OUT on failure.
/// </summary>
public sealed class ProcessCommand : ICliCommandModule
{
    /// <summary>Highest <c>--detect-interval</c>.</summary>
    public const int MaxDetectInterval = 300;

    /// <inheritdoc />
    public void Register(RootCommand root, CliGlobalOptions globals, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(globals);
        ArgumentNullException.ThrowIfNull(context);
        var input = new Option<string>("--input") { Description = "Input video (anything ffmpeg decodes).", HelpName = "IN", Required = true };
        var output = new Option<string>("--output")
        {
            Description = "Output video: .mp4, .m4v, .mov or .mkv (H.264 video, input audio copied). Replaced if it exists.",
            HelpName = "OUT",
            Required = true,
        };
        var mode = new Option<string>("--mode") { Description = "How faces are hidden.", HelpName = "pixelate|blur|solid", Required = true };
        mode.AcceptOnlyFromAmong("pixelate", "blur", "solid");
        var shape = new Option<string>("--shape") { Description = "Mask shape.", HelpName = "ellipse|box", DefaultValueFactory = _ => "ellipse" };
        shape.AcceptOnlyFromAmong("ellipse", "box");
        var intensity = RangeOption("--intensity", "Pixelate block size / blur strength, percent (10..100).", 100, MaskOptions.MinIntensity, MaskOptions.MaxIntensity);
        var padding = RangeOption("--padding", "Margin around each face box, percent of its size (0..100).", 20, 0, MaskOptions.MaxPadding);
        var interval = RangeOption("--detect-interval", $"Run the detector every N frames, 1..{MaxDetectInterval}; the tracker predicts in between.", 1, 1, MaxDetectInterval);
        var model = OfflineSupport.ModelOption();
        var provider = OfflineSupport.ProviderOption();
        var process = new Command("process", "Mask every face in a video file, offline, with the plugin's detector and tracker.");
        foreach (var option in new Option[] { input, output, mode, intensity, shape, padding, interval, model, provider })
        {
            process.Add(option);
        }

        process.SetAction((parse, ct) =>
        {
            var settings = new ProcessSettings(
                parse.GetValue(input)!,
                parse.GetValue(output)!,
                new MaskOptions(
                    parse.GetValue(mode) switch { "blur" => MaskMode.Blur, "solid" => MaskMode.Solid, _ => MaskMode.Pixelate },
                    parse.GetValue(shape) == "box" ? MaskShape.Box : MaskShape.Ellipse,
                    parse.GetValue(intensity),
                    parse.GetValue(padding)),
                parse.GetValue(interval),
                parse.GetValue(model)!,
                parse.GetValue(provider)!);
            return OfflineSupport.RunAsync(parse, globals, context, (store, token) => RunAsync(store, settings, context, token), ct);
        });
        root.Add(process);
    }

    private static Option<int> RangeOption(string name, string description, int defaultValue, int min, int max)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "N", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value < min || value > max)
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be within {min}..{max} (got {value})"));
            }
        });
        return option;
    }

    /// <summary>The ffmpeg muxer for an output file name, or null when the extension is not supported.</summary>
    internal static string? MuxerFor(string path) => Path.GetExtension(path).ToUpperInvariant() switch
    {
        ".MP4" or ".M4V" => "mp4",
        ".MOV" => "mov",
        ".MKV" => "matroska",
        _ => null,
    };

    internal static async Task<int> RunAsync(ModelStore store, ProcessSettings settings, CliContext context, CancellationToken cancellationToken)
    {
        var input = Path.GetFullPath(settings.Input);
        var output = Path.GetFullPath(settings.Output);
        if (string.Equals(input, output, StringComparison.Ordinal))
        {
            throw new MediaOutputException($"--output '{settings.Output}' is the input file; choose another path");
        }

        var muxer = MuxerFor(output) ?? throw new MediaOutputException($"--output '{settings.Output}': unsupported extension '{Path.GetExtension(output)}'; use .mp4, .m4v, .mov or .mkv");
        var info = await MediaTools.ProbeAsync(settings.Input, "video", cancellationToken).ConfigureAwait(false);
        var part = output + ".part";
        CheckWritable(settings.Output, part);

        using var detector = OfflineSupport.OpenDetector(store, settings.Model, settings.Provider, context.Error);
        var tracker = new FaceTracker(new FaceTrackerOptions { DetectInterval = settings.DetectInterval });
        var masker = new FaceMasker(settings.Mask);
        var bar = new ProgressBar(context.Error, context.InteractiveError, n => n is { } v ? v.ToString(CultureInfo.InvariantCulture) : "?");
        Process? decoder = null;
        Process? encoder = null;
        Task<string>? encoderErr = null;
        var done = false;
        try
        {
            decoder = MediaTools.Start("ffmpeg", ["-nostdin", "-v", "error", "-i", settings.Input, "-map", "0:v:0", "-r", info.FrameRate, "-f", "rawvideo", "-pix_fmt", "bgra", "-"]);
            var decoderErr = decoder.StandardError.ReadToEndAsync(CancellationToken.None);
            encoder = MediaTools.Start("ffmpeg",
            [
                "-v", "error", "-y",
                "-f", "rawvideo", "-pix_fmt", "bgra", "-s", string.Create(CultureInfo.InvariantCulture, $"{info.Width}x{info.Height}"), "-framerate", info.FrameRate, "-i", "-",
                "-i", settings.Input,
                "-map", "0:v", "-map", "1:a?",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
                "-c:a", "copy",
                "-f", muxer, part,
            ], redirectInput: true);
            encoderErr = encoder.StandardError.ReadToEndAsync(CancellationToken.None);
            var encoderOut = encoder.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);

            var (frames, masked) = await PumpAsync(decoder, encoder, info, detector, tracker, masker, bar, cancellationToken).ConfigureAwait(false);
            bar.Finish();
            try
            {
                encoder.StandardInput.Close();
            }
            catch (IOException)
            {
                // The encoder is gone; its exit code and stderr say why.
            }

            await decoder.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await encoder.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await encoderOut.ConfigureAwait(false);
            if (decoder.ExitCode != 0 || frames.Written < 0)
            {
                throw new MediaInputException($"cannot read video '{settings.Input}': {MediaTools.LastLine(await decoderErr.ConfigureAwait(false))}");
            }

            if (encoder.ExitCode != 0)
            {
                throw new MediaOutputException($"cannot write --output '{settings.Output}': ffmpeg: {MediaTools.LastLine(await encoderErr.ConfigureAwait(false))}");
            }

            if (frames.Written == 0)
            {
                throw new MediaInputException($"cannot read video '{settings.Input}': no frames decoded");
            }

            try
            {
                File.Move(part, output, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new MediaOutputException($"cannot write --output '{settings.Output}': {e.Message}", e);
            }

            done = true;
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{settings.Output}: {frames.Written} frames, faces masked in {masked} ({frames.Detected} detector runs){(info.HasAudio ? ", audio copied" : string.Empty)}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (IOException e) when (encoder is not null && encoderErr is not null)
        {
            // Writing to an encoder that has quit (broken pipe): its stderr says why.
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                try
                {
                    await encoder.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Still running: report the pipe error itself.
                }
            }

            var reason = encoder.HasExited && encoder.ExitCode != 0 ? "ffmpeg: " + MediaTools.LastLine(await encoderErr.ConfigureAwait(false)) : e.Message;
            throw new MediaOutputException($"cannot write --output '{settings.Output}': {reason}", e);
        }
        finally
        {
            bar.Finish();
            if (decoder is not null)
            {
                MediaTools.KillQuietly(decoder);
                decoder.Dispose();
            }

            if (encoder is not null)
            {
                MediaTools.KillQuietly(encoder);
                await encoder.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                encoder.Dispose();
            }

            if (!done)
            {
                TryDelete(part);
            }
        }
    }

    /// <summary>Frames written and detector runs.</summary>
    private readonly record struct FrameCounts(long Written, long Detected);

    private static async Task<(FrameCounts Frames, long Masked)> PumpAsync(
        Process decoder, Process encoder, MediaInfo info, BlazeFaceDetector detector, FaceTracker tracker, FaceMasker masker, ProgressBar bar, CancellationToken cancellationToken)
    {
        var width = info.Width;
        var height = info.Height;
        var stride = width * 4;
        var frame = new byte[stride * height];
        var detections = new FaceDetection[16];
        var raw = new List<FaceDetection>(16);
        long written = 0, detected = 0, masked = 0;
        var source = decoder.StandardOutput.BaseStream;
        var sink = encoder.StandardInput.BaseStream;
        while (true)
        {
            var read = await MediaTools.ReadFullAsync(source, frame, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            if (read < frame.Length)
            {
                return (new FrameCounts(-1, detected), masked); // truncated frame: the decoder failed
            }

            var t = written / info.FramesPerSecond;
            IReadOnlyList<FaceTrack> tracks;
            raw.Clear();
            if (tracker.ShouldDetect(written))
            {
                var found = detector.Detect(frame, width, height, stride);
                if (detections.Length < found.Count)
                {
                    detections = new FaceDetection[found.Count];
                }

                for (var i = 0; i < found.Count; i++)
                {
                    detections[i] = found[i];
                    raw.Add(found[i]);
                }

                detected++;
                tracks = tracker.Update(t, detections.AsSpan(0, found.Count));
            }
            else
            {
                tracks = tracker.Predict(t);
            }

            var any = false;
            foreach (var track in tracks)
            {
                // Confirmed and coasting tracks alike: a face the detector lost stays masked for the grace period.
                any |= !masker.Apply(frame, width, height, stride, track.Box).IsEmpty;
            }

            foreach (var d in raw)
            {
                // Fail closed: a detection no track took (more faces than the tracker holds) is masked too.
                if (!tracks.Any(tr => tr.Box.IoU(d.Box) >= 0.3f))
                {
                    any |= !masker.Apply(frame, width, height, stride, d.Box).IsEmpty;
                }
            }

            if (any)
            {
                masked++;
            }

            await sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            written++;
            bar.Report(new TransferProgress("frames", written, info.FrameCount is { } total ? Math.Max(total, written) : null, false));
        }

        return (new FrameCounts(written, detected), masked);
    }

    private static void CheckWritable(string output, string part)
    {
        var folder = Path.GetDirectoryName(part);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            throw new MediaOutputException($"cannot write --output '{output}': folder '{folder}' does not exist");
        }

        if (Directory.Exists(output))
        {
            throw new MediaOutputException($"cannot write --output '{output}': it is a folder");
        }

        try
        {
            using (File.Create(part))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MediaOutputException($"cannot write --output '{output}': {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
