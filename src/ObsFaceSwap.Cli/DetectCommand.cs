using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Media;
using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Cli;

/// <summary>
/// <c>detect IMAGE [--json] [--model back-256|front-128] [--provider auto|cpu|cuda|tensorrt|directml|coreml]</c>: runs the plugin's BlazeFace detector on one image
/// (decoded by ffmpeg) and prints the faces. No face is not an error: exit 0, an empty list, a notice on stderr.
/// </summary>
public sealed class DetectCommand : ICliCommandModule
{
    /// <inheritdoc />
    public void Register(RootCommand root, CliGlobalOptions globals, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(globals);
        ArgumentNullException.ThrowIfNull(context);
        var image = new Argument<string>("IMAGE") { Description = "Image file (any format ffmpeg decodes: PNG, JPEG, ...)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var model = OfflineSupport.ModelOption();
        var provider = OfflineSupport.ProviderOption();
        var detect = new Command("detect", "Find faces in an image with the plugin's BlazeFace detector (the model must be in the cache: `models fetch` or `models import`).");
        detect.Add(image);
        detect.Add(json);
        detect.Add(model);
        detect.Add(provider);
        detect.SetAction((parse, ct) => OfflineSupport.RunAsync(parse, globals, context,
            (store, token) => DetectAsync(store, parse.GetValue(image)!, parse.GetValue(json), parse.GetValue(model)!, parse.GetValue(provider)!, context, token), ct));
        root.Add(detect);
    }

    private static async Task<int> DetectAsync(Models.ModelStore store, string image, bool json, string model, string provider, CliContext context, CancellationToken cancellationToken)
    {
        var (pixels, width, height) = await MediaTools.DecodeImageAsync(image, cancellationToken).ConfigureAwait(false);
        using var detector = OfflineSupport.OpenDetector(store, model, provider, context.Error);
        var faces = detector.Detect(pixels, width, height, width * 4).ToList();
        await context.Output.WriteAsync(json ? FormatJson(image, width, height, faces) : FormatTable(image, width, height, faces)).ConfigureAwait(false);
        if (faces.Count == 0)
        {
            await context.Error.WriteLineAsync($"obs-faceswap: no face found in '{image}'").ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static double R(float v, int digits = 1) => Math.Round((double)v, digits);

    /// <summary>The <c>--json</c> document.</summary>
    internal static string FormatJson(string image, int width, int height, IReadOnlyList<FaceDetection> faces)
    {
        static JsonArray P(PointF p) => [R(p.X), R(p.Y)];
        var list = new JsonArray();
        foreach (var f in faces)
        {
            list.Add(new JsonObject
            {
                ["score"] = R(f.Score, 4),
                ["box"] = new JsonObject { ["x"] = R(f.Box.X), ["y"] = R(f.Box.Y), ["width"] = R(f.Box.Width), ["height"] = R(f.Box.Height) },
                ["landmarks"] = new JsonObject
                {
                    ["rightEye"] = P(f.Landmarks.RightEye),
                    ["leftEye"] = P(f.Landmarks.LeftEye),
                    ["nose"] = P(f.Landmarks.Nose),
                    ["rightMouth"] = P(f.Landmarks.RightMouth),
                    ["leftMouth"] = P(f.Landmarks.LeftMouth),
                },
            });
        }

        var doc = new JsonObject { ["image"] = image, ["width"] = width, ["height"] = height, ["faces"] = list };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine;
    }

    /// <summary>The table: index, score, box, five landmarks.</summary>
    internal static string FormatTable(string image, int width, int height, IReadOnlyList<FaceDetection> faces)
    {
        static string P(PointF p) => string.Create(CultureInfo.InvariantCulture, $"{p.X:0},{p.Y:0}");
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{image}: {width}x{height}, {faces.Count} face{(faces.Count == 1 ? string.Empty : "s")}");
        if (faces.Count == 0)
        {
            return sb.ToString();
        }

        string[] header = ["#", "SCORE", "X", "Y", "W", "H", "RIGHT-EYE", "LEFT-EYE", "NOSE", "RIGHT-MOUTH", "LEFT-MOUTH"];
        var rows = faces.Select((f, i) => new[]
        {
            i.ToString(CultureInfo.InvariantCulture),
            f.Score.ToString("0.000", CultureInfo.InvariantCulture),
            f.Box.X.ToString("0", CultureInfo.InvariantCulture),
            f.Box.Y.ToString("0", CultureInfo.InvariantCulture),
            f.Box.Width.ToString("0", CultureInfo.InvariantCulture),
            f.Box.Height.ToString("0", CultureInfo.InvariantCulture),
            P(f.Landmarks.RightEye), P(f.Landmarks.LeftEye), P(f.Landmarks.Nose), P(f.Landmarks.RightMouth), P(f.Landmarks.LeftMouth),
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        void Line(string[] cells) => sb.AppendJoin("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).AppendLine();
        Line(header);
        foreach (var row in rows)
        {
            Line(row);
        }

        return sb.ToString();
    }
}
