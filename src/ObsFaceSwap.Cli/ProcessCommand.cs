using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ObsFaceSwap.Media;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Models;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Masks;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Cli;

/// <summary>Settings of one <c>process</c> run.</summary>
/// <param name="Input">Input video.</param>
/// <param name="Output">Output video; written as <c>OUTPUT.part</c> and renamed when complete.</param>
/// <param name="Mask">Mask mode, shape, intensity and padding; in swap mode the pixelate mask of faces that cannot be swapped.</param>
/// <param name="DetectInterval">Run the detector on every N-th frame (and on every frame while a face is lost); the tracker predicts between.</param>
/// <param name="Model">BlazeFace variant name (<c>back-256</c> or <c>front-128</c>).</param>
/// <param name="Provider">Execution provider name (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>tensorrt</c>, <c>directml</c> or <c>coreml</c>, any case); swap mode runs its models on it too.</param>
/// <param name="Swap">Mode swap: the identity, mapping and models; null for pixelate, blur and solid.</param>
internal sealed record ProcessSettings(string Input, string Output, MaskOptions Mask, int DetectInterval, string Model, string Provider, SwapSettings? Swap = null);

/// <summary>
/// <c>process --input IN --output OUT --mode pixelate|blur|solid|swap [--intensity 10..100] [--shape ellipse|box]
/// [--padding 0..100] [--detect-interval N] [--model ...] [--provider ...]</c>, and for <c>--mode swap</c>
/// <c>--identity IMAGE|FOLDER [--identity-name NAME|#N] [--face-mapping all|order|position|similarity] [--face-map TEXT]
/// [--swapper-model ID|PATH] [--embedder-model ID|PATH] [--colour-correction 0..100] [--opacity 0..100]</c>:
/// the live filter's pipeline offline. ffmpeg decodes IN to BGRA; BlazeFace detects every N frames, the face tracker
/// fills the frames between and keeps a lost face for its grace period (coasting faces stay masked: fail closed); every
/// tracked face is masked on the CPU, or in swap mode swapped (<see cref="SwapRenderer"/>: the swap library's engine,
/// patches pasted back as the shim composites them; a face the swap model fails on is pixelated); a second ffmpeg
/// encodes H.264 (yuv420p) and copies IN's audio unchanged. Frames are taken at IN's average frame rate (constant:
/// variable-rate input is resampled, so video stays in sync with the copied audio). Swap setup problems (a model
/// missing from the cache, an identity image without exactly one face, an unknown identity name) are errors before
/// the first frame. Nothing is left at OUT on failure.
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
        var mode = new Option<string>("--mode")
        {
            Description = "How faces are hidden: masked (pixelate, blur, solid) or swapped with --identity (swap; a face that cannot be swapped is "
                + "pixelated with --shape, --intensity and --padding).",
            HelpName = "pixelate|blur|solid|swap",
            Required = true,
        };
        mode.AcceptOnlyFromAmong("pixelate", "blur", "solid", "swap");
        var shape = new Option<string>("--shape") { Description = "Mask shape.", HelpName = "ellipse|box", DefaultValueFactory = _ => "ellipse" };
        shape.AcceptOnlyFromAmong("ellipse", "box");
        var intensity = RangeOption("--intensity", "Pixelate block size / blur strength, percent (10..100).", 100, MaskOptions.MinIntensity, MaskOptions.MaxIntensity);
        var padding = RangeOption("--padding", "Margin around each face box, percent of its size (0..100).", 20, 0, MaskOptions.MaxPadding);
        var interval = RangeOption("--detect-interval", $"Run the detector every N frames, 1..{MaxDetectInterval}; the tracker predicts in between.", 1, 1, MaxDetectInterval);
        var model = OfflineSupport.ModelOption();
        var provider = OfflineSupport.ProviderOption();
        var swap = new SwapOptionSet();
        var process = new Command("process", "Mask or swap every face in a video file, offline, with the plugin's detector, tracker and swap pipeline.");
        foreach (var option in new Option[] { input, output, mode, intensity, shape, padding, interval, model, provider })
        {
            process.Add(option);
        }

        swap.AddTo(process, mode);
        process.SetAction((parse, ct) =>
        {
            var modeName = parse.GetValue(mode);
            var settings = new ProcessSettings(
                parse.GetValue(input)!,
                parse.GetValue(output)!,
                new MaskOptions(
                    modeName switch { "blur" => MaskMode.Blur, "solid" => MaskMode.Solid, _ => MaskMode.Pixelate },
                    parse.GetValue(shape) == "box" ? MaskShape.Box : MaskShape.Ellipse,
                    parse.GetValue(intensity),
                    parse.GetValue(padding)),
                parse.GetValue(interval),
                parse.GetValue(model)!,
                parse.GetValue(provider)!,
                modeName == "swap" ? swap.Settings(parse) : null);
            return OfflineSupport.RunAsync(parse, globals, context, (store, token) => RunAsync(store, settings, context, token), ct);
        });
        root.Add(process);
    }

    /// <summary>The options of <c>--mode swap</c>, their validation and their <see cref="SwapSettings"/>.</summary>
    private sealed class SwapOptionSet
    {
        private static readonly string[] MappingNames = ["all", "order", "position", "similarity"];

        private readonly Option<string?> _identity = new("--identity")
        {
            Description = "Mode swap: the face to swap in. An image of one face, or a folder of identities (each image file, or sub-folder of "
                + "images of one person, is an identity named after it; the plugin's identity_folder).",
            HelpName = "IMAGE|FOLDER",
        };

        private readonly Option<string> _identityName = new("--identity-name")
        {
            Description = "Mode swap: which identity of the folder to swap in: its name, or #N, the N-th by name (from 1).",
            HelpName = "NAME|#N",
            DefaultValueFactory = _ => "#1",
        };

        private readonly Option<string> _mapping = new("--face-mapping")
        {
            Description = "Mode swap: which faces get which identity. all: every face gets --identity-name; order: the n-th face to appear gets "
                + "the n-th name of --face-map; position: the n-th face from the left; similarity: a face gets the identity of the "
                + "reference image it resembles (--face-map pairs). Faces mapped to no identity are left as they are.",
            HelpName = "all|order|position|similarity",
            DefaultValueFactory = _ => "all",
        };

        private readonly Option<string?> _faceMap = new("--face-map")
        {
            Description = "Mode swap, order and position: identity names separated by commas ('-' leaves that face alone), e.g. "
                + "\"alice,-,bob\"; similarity: reference-image=identity pairs separated by commas, e.g. \"ref/ann.jpg=alice\".",
            HelpName = "TEXT",
        };

        private readonly Option<string> _swapper = new("--swapper-model")
        {
            Description = "Mode swap: swap model, a manifest id (inswapper-128, inswapper-128-fp16) or the path of an .onnx file.",
            HelpName = "ID|PATH",
            DefaultValueFactory = _ => SwapOptions.DefaultSwapper,
        };

        private readonly Option<string> _embedder = new("--embedder-model")
        {
            Description = "Mode swap: face embedding model, a manifest id or the path of an .onnx file.",
            HelpName = "ID|PATH",
            DefaultValueFactory = _ => SwapOptions.DefaultEmbedder,
        };

        private readonly Option<int> _colour = RangeOption("--colour-correction", "Mode swap: how far the swapped face's colours move toward the original face's, percent (0..100).", 50, 0, 100);

        private readonly Option<int> _opacity = RangeOption("--opacity", "Mode swap: opacity of the swapped face, percent (0..100).", 100, 0, 100);

        private IEnumerable<Option> All => [_identity, _identityName, _mapping, _faceMap, _swapper, _embedder, _colour, _opacity];

        public void AddTo(Command command, Option<string> mode)
        {
            foreach (var option in All)
            {
                command.Add(option);
            }

            _mapping.Validators.Add(r =>
            {
                var value = r.GetValueOrDefault<string>();
                if (!MappingNames.Contains(value, StringComparer.Ordinal))
                {
                    r.AddError($"--face-mapping '{value}' is not a face mapping; expected all, order, position or similarity");
                }
            });
            command.Validators.Add(r =>
            {
                var modeName = r.GetValue(mode);
                if (modeName is null)
                {
                    return; // --mode is missing: that error is enough
                }

                if (modeName != "swap")
                {
                    // Swap options with a mask mode are a mistake, not something to ignore silently.
                    foreach (var option in All)
                    {
                        if (r.GetResult(option) is { Implicit: false })
                        {
                            r.AddError($"{option.Name} applies to --mode swap only (--mode is {modeName})");
                        }
                    }

                    return;
                }

                if (string.IsNullOrWhiteSpace(r.GetValue(_identity)))
                {
                    r.AddError("--mode swap needs --identity IMAGE|FOLDER: an image of the face to swap in, or a folder of identities");
                }

                var mapping = r.GetValue(_mapping) ?? "all"; // defaults are not applied yet while validating
                var faceMap = r.GetValue(_faceMap) ?? string.Empty;
                if (!MappingNames.Contains(mapping, StringComparer.Ordinal))
                {
                    return; // the option's own validator reports it
                }

                if (mapping == "all" && !string.IsNullOrWhiteSpace(faceMap))
                {
                    r.AddError("--face-map applies to --face-mapping order, position or similarity only");
                }
                else if (mapping is "order" or "position" && FaceMapper.ParseNames(faceMap).All(n => n is null))
                {
                    r.AddError($"--face-mapping {mapping} needs --face-map: identity names in {mapping}, separated by commas ('-' leaves a face alone), e.g. \"alice,-,bob\"");
                }
                else if (mapping == "similarity")
                {
                    try
                    {
                        if (FaceMapper.ParseReferences(faceMap).Count == 0)
                        {
                            r.AddError("--face-mapping similarity needs --face-map: reference-image=identity pairs separated by commas, e.g. \"ref/ann.jpg=alice\"");
                        }
                    }
                    catch (FormatException e)
                    {
                        r.AddError($"--face-map: {e.Message} (expected reference-image=identity pairs separated by commas)");
                    }
                }
            });
        }

        public SwapSettings Settings(ParseResult parse)
        {
            return new SwapSettings(
                parse.GetValue(_identity)!,
                parse.GetValue(_identityName)!,
                SwapOptions.TryParseMapping(parse.GetValue(_mapping), out var mapping) ? mapping : FaceMappingMode.All,
                parse.GetValue(_faceMap) ?? string.Empty,
                parse.GetValue(_swapper)!,
                parse.GetValue(_embedder)!,
                parse.GetValue(_colour),
                parse.GetValue(_opacity));
        }
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

        // Models and identities are set up before OUT.part exists, so a setup error leaves nothing behind.
        using var detector = OfflineSupport.OpenDetector(store, settings.Model, settings.Provider, context.Error);
        var tracker = new FaceTracker(new FaceTrackerOptions { DetectInterval = settings.DetectInterval });
        using var renderer = settings.Swap is null
            ? (IFaceRenderer)new MaskRenderer(new FaceMasker(settings.Mask))
            : SwapRenderer.Open(store, settings, new FaceMasker(settings.Mask with { Mode = MaskMode.Pixelate }), context.Error, cancellationToken);
        var part = output + ".part";
        CheckWritable(settings.Output, part);
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

            var frames = await PumpAsync(decoder, encoder, info, detector, tracker, renderer, bar, cancellationToken).ConfigureAwait(false);
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
                $"{settings.Output}: {frames.Written} frames, {renderer.Summary} ({frames.Detected} detector runs){(info.HasAudio ? ", audio copied" : string.Empty)}")).ConfigureAwait(false);
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

    private static async Task<FrameCounts> PumpAsync(
        Process decoder, Process encoder, MediaInfo info, BlazeFaceDetector detector, FaceTracker tracker, IFaceRenderer renderer, ProgressBar bar, CancellationToken cancellationToken)
    {
        var width = info.Width;
        var height = info.Height;
        var stride = width * 4;
        var frame = new byte[stride * height];
        var detections = new FaceDetection[16];
        var raw = new List<FaceDetection>(16);
        var untracked = new List<FaceDetection>(4);
        long written = 0, detected = 0;
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
                return new FrameCounts(-1, detected); // truncated frame: the decoder failed
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

            // Fail closed: a detection no track took (more faces than the tracker holds) is masked too.
            untracked.Clear();
            foreach (var d in raw)
            {
                if (!tracks.Any(tr => tr.Box.IoU(d.Box) >= 0.3f))
                {
                    untracked.Add(d);
                }
            }

            renderer.Render(frame, width, height, stride, tracks, untracked);
            await sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            written++;
            bar.Report(new TransferProgress("frames", written, info.FrameCount is { } total ? Math.Max(total, written) : null, false));
        }

        return new FrameCounts(written, detected);
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
