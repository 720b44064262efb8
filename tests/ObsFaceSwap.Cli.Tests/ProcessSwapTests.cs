using ObsFaceSwap.Media;
using ObsFaceSwap.Models;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Testing.Onnx;
using static ObsFaceSwap.Cli.Tests.ClipFrames;

namespace ObsFaceSwap.Cli.Tests;

/// <summary>Synthetic swap models with the real contracts (tests/ObsFaceSwap.Testing.Onnx), written once per test class.</summary>
public sealed class SwapModelsFixture : IDisposable
{
    public SwapModelsFixture()
    {
        InswapperStandIn.Build().Save(Swapper);
        InswapperStandIn.Build(fault: InswapperFault.NaN).Save(NaNSwapper);
        ArcFaceStandIn.Build().Save(Embedder);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("ofs-swap-models-").FullName;

    /// <summary>output = 0.5 * target + sigmoid(latent[c]) for channel c (R, G, B).</summary>
    public string Swapper => Path.Combine(Root, "inswapper.onnx");

    /// <summary>Output NaN everywhere: a model fault.</summary>
    public string NaNSwapper => Path.Combine(Root, "inswapper-nan.onnx");

    /// <summary>Embedding = per-channel means x a fixed projection.</summary>
    public string Embedder => Path.Combine(Root, "arcface.onnx");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public class ProcessSwapTests(OfflineFixture fixture, SwapModelsFixture models) : IClassFixture<OfflineFixture>, IClassFixture<SwapModelsFixture>
{
    // The middle of the face, well inside the swap patch's fully opaque (un-feathered) mask.
    private const int InnerX = FaceX + 37;
    private const int InnerY = FaceY + 37;
    private const int InnerSide = 30;

    private Task<(int Code, string Out, string Err)> Process(CliHarness cli, params string[] args)
        => cli.RunAsync(["process", .. args, "--cache-dir", fixture.Cache]);

    private string[] Swap(string output, string identity, params string[] more) =>
        ["--input", fixture.Clip, "--output", output, "--mode", "swap", "--identity", identity,
         "--swapper-model", models.Swapper, "--embedder-model", models.Embedder, .. more];

    /// <summary>
    /// The stand-in's tint for <paramref name="identityImage"/>, B, G, R in 0..255: 255 · sigmoid(latent[c]) with
    /// the latent the swap library computes for that identity (same detector, embedder and emap as the run).
    /// </summary>
    private double[] Tint(string identityImage)
    {
        using var store = new ModelStore(ModelManifest.LoadEmbedded(), fixture.Cache);
        using var engine = new SwapEngine(
            store.Resolve,
            () => OfflineSupport.OpenDetector(store, "back-256", "cpu"),
            path => MediaTools.DecodeImageAsync(path, CancellationToken.None).GetAwaiter().GetResult());
        engine.Configure(new SwapOptions(
            Path.GetDirectoryName(identityImage)!, Path.GetFileNameWithoutExtension(identityImage), SwapperModel: models.Swapper, EmbedderModel: models.Embedder,
            Provider: Inference.ExecutionProvider.Cpu));
        Assert.True(engine.Problem is null, engine.Problem);
        var latent = engine.LiveIdentity!.Latent.Values;
        return [255 * Sigmoid(latent[2]), 255 * Sigmoid(latent[1]), 255 * Sigmoid(latent[0])];
    }

    private static double Sigmoid(float x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [InlineData(100, "out.mp4")]
    [InlineData(50, "out.mkv")]
    public async Task Every_face_is_swapped_toward_the_models_output_with_audio_kept_and_the_rest_of_the_frame_untouched(int opacity, string name)
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Root, name);
        var (code, stdout, err) = await Process(cli, Swap(output, fixture.GraceHopper,
            "--colour-correction", "0", "--opacity", opacity.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("30 frames, faces swapped in 30, masked in 0 (30 detector runs), audio copied", stdout, StringComparison.Ordinal);
        Assert.Contains("identity 'grace_hopper' loaded from 1 image(s)", err, StringComparison.Ordinal);
        Assert.False(File.Exists(output + ".part"));

        var outputStreams = await OfflineFixture.StreamsAsync(output);
        Assert.Contains("video,30", outputStreams);
        Assert.Contains(outputStreams, s => s.StartsWith("audio,", StringComparison.Ordinal));

        var before = await OfflineFixture.DecodeAsync(fixture.Clip);
        var after = await OfflineFixture.DecodeAsync(output);
        Assert.Equal(30 * Size * Size * 4, after.Length);
        var tint = Tint(fixture.GraceHopper);
        var o = opacity / 100.0;
        for (var i = 0; i < 30; i++)
        {
            // The stand-in returns 0.5 · face + tint, pasted with the opaque middle of its mask at the opacity:
            // out = (1 - o) · in + o · (0.5 · in + tint), in the mean over the middle of the face.
            for (var c = 0; c < 3; c++)
            {
                var input = Mean(before, i, InnerX, InnerY, InnerSide, c);
                var expected = ((1 - o) * input) + (o * ((0.5 * input) + tint[c]));
                var actual = Mean(after, i, InnerX, InnerY, InnerSide, c);
                Assert.True(Math.Abs(actual - expected) < 3, $"frame {i}, channel {c}: mean {actual:0.0}, expected {expected:0.0} (input {input:0.0}, tint {tint[c]:0.0})");
            }

            foreach (var (x, y) in new[] { (0, 0), (Size - 48, 0), (0, Size - 48), (Size - 48, Size - 48) })
            {
                var corner = Diff(before, after, i, x, y, 48);
                Assert.True(corner < 4, $"frame {i}: corner ({x},{y}) differs by {corner:0.0} per channel");
            }
        }
    }

    [Fact]
    public async Task A_face_the_swap_model_fails_on_is_pixelated_not_left_raw()
    {
        using var cli = new CliHarness();
        var swapped = Path.Combine(cli.Root, "swapped.mp4");
        var (code, stdout, err) = await Process(cli, ["--input", fixture.Clip, "--output", swapped, "--mode", "swap", "--identity", fixture.GraceHopper,
            "--swapper-model", models.NaNSwapper, "--embedder-model", models.Embedder]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("30 frames, faces swapped in 0, masked in 30 (30 faces the swap model failed on, masked)", stdout, StringComparison.Ordinal);

        var pixelated = Path.Combine(cli.Root, "pixelated.mp4");
        (code, _, err) = await Process(cli, "--input", fixture.Clip, "--output", pixelated, "--mode", "pixelate");
        Assert.True(code == ExitCodes.Ok, err);

        var before = await OfflineFixture.DecodeAsync(fixture.Clip);
        var after = await OfflineFixture.DecodeAsync(swapped);
        var reference = await OfflineFixture.DecodeAsync(pixelated);
        for (var i = 0; i < 30; i++)
        {
            var raw = Diff(before, after, i, FaceX + 22, FaceY + 22, FaceSide - 44);
            Assert.True(raw > 12, $"frame {i}: the face differs from the raw face by only {raw:0.0}: it was not masked");
            var mask = Diff(reference, after, i, FaceX, FaceY, FaceSide);
            Assert.True(mask < 2, $"frame {i}: the face differs from --mode pixelate's by {mask:0.0}");
        }
    }

    [Theory]
    [InlineData(new[] { "--face-mapping", "nearest" }, "--face-mapping 'nearest' is not a face mapping; expected all, order, position or similarity")]
    [InlineData(new[] { "--face-mapping", "order" }, "--face-mapping order needs --face-map")]
    [InlineData(new[] { "--face-mapping", "similarity", "--face-map", "ref.png" }, "--face-map: face_map entry 'ref.png' is not reference-image=identity")]
    [InlineData(new[] { "--face-map", "alice" }, "--face-map applies to --face-mapping order, position or similarity only")]
    [InlineData(new[] { "--colour-correction", "101" }, "--colour-correction must be within 0..100")]
    [InlineData(new[] { "--opacity", "-5" }, "--opacity must be within 0..100")]
    public async Task Bad_swap_options_are_usage_errors_naming_the_option_and_values(string[] options, string message)
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Root, "out.mp4");
        var (code, _, err) = await Process(cli, Swap(output, fixture.GraceHopper, options));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Swap_needs_an_identity_and_swap_options_need_mode_swap()
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Root, "out.mp4");
        var (code, _, err) = await Process(cli, "--input", fixture.Clip, "--output", output, "--mode", "swap");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--mode swap needs --identity IMAGE|FOLDER", err, StringComparison.Ordinal);

        (code, _, err) = await Process(cli, "--input", fixture.Clip, "--output", output, "--mode", "blur", "--identity", fixture.GraceHopper);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--identity applies to --mode swap only (--mode is blur)", err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task An_identity_image_without_a_face_is_a_clear_error_before_any_frame()
    {
        using var cli = new CliHarness();
        var blank = Path.Combine(cli.Root, "blank.png");
        await OfflineFixture.FfmpegAsync("-f", "lavfi", "-i", "color=gray:s=256x256", "-frames:v", "1", blank);
        var output = Path.Combine(cli.Root, "out.mp4");
        var (code, stdout, err) = await Process(cli, Swap(output, blank));
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains($"cannot swap with --identity '{blank}': identity 'blank': no face found in '{blank}'", err, StringComparison.Ordinal);
        Assert.DoesNotContain("frames", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("frames [", err, StringComparison.Ordinal); // setup failed before the first frame
        Assert.DoesNotContain("face swap cannot run", err, StringComparison.Ordinal); // one error line, not the engine's live message too
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".part"));
    }

    [Fact]
    public async Task An_identity_folder_and_the_face_mappings_work_like_the_filters_and_unknown_names_or_faceless_references_stop_the_run()
    {
        using var cli = new CliHarness();
        var folder = Directory.CreateDirectory(Path.Combine(cli.Root, "identities")).FullName;
        File.Copy(fixture.GraceHopper, Path.Combine(folder, "grace.jpg"));
        File.Copy(fixture.Astronaut, Path.Combine(folder, "astro.png"));
        var output = Path.Combine(cli.Root, "out.mp4");
        var (code, _, err) = await Process(cli, Swap(output, folder, "--identity-name", "zed"));
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains("no identity 'zed' in the folder; it has: astro, grace", err, StringComparison.Ordinal);

        // Order mapping naming an identity the folder lacks stops before processing too.
        (code, _, err) = await Process(cli, Swap(output, folder, "--face-mapping", "order", "--face-map", "grace,bob"));
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains("no identity 'bob' in the folder; it has: astro, grace", err, StringComparison.Ordinal);

        (code, var stdout, err) = await Process(cli, Swap(output, folder, "--identity-name", "#2", "--face-mapping", "order", "--face-map", "grace"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("30 frames, faces swapped in 30, masked in 0", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(output + ".part"));

        // Similarity: the clip's face is the reference image itself, so it gets that pair's identity.
        (code, stdout, err) = await Process(cli, Swap(output, folder, "--face-mapping", "similarity", "--face-map", $"{fixture.Astronaut}=grace"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("30 frames, faces swapped in 30, masked in 0", stdout, StringComparison.Ordinal);

        // ... and a reference image without a face stops the run before the first frame.
        var blank = Path.Combine(cli.Root, "blank.png");
        await OfflineFixture.FfmpegAsync("-f", "lavfi", "-i", "color=gray:s=256x256", "-frames:v", "1", blank);
        (code, _, err) = await Process(cli, Swap(output, folder, "--face-mapping", "similarity", "--face-map", $"{blank}=grace"));
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains($"no face found in '{blank}'", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_model_says_how_to_fetch_it()
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Root, "out.mp4");
        string[] args = ["--input", fixture.Clip, "--output", output, "--mode", "swap", "--identity", fixture.GraceHopper, "--embedder-model", models.Embedder];
        var (code, _, err) = await Process(cli, args);
        Assert.Equal(ExitCodes.Missing, code);
        Assert.Contains("model 'inswapper-128' is not in the model cache", err, StringComparison.Ordinal);
        Assert.Contains("To get it:", err, StringComparison.Ordinal);
        Assert.False(File.Exists(output + ".part"));

        (code, _, err) = await Process(cli, [.. args, "--swapper-model", Path.Combine(cli.Root, "nowhere.onnx")]);
        Assert.Equal(ExitCodes.ModelUnusable, code);
        Assert.Contains("no such model file (--swapper-model names it as a path)", err, StringComparison.Ordinal);

        (code, _, err) = await Process(cli, [.. args, "--swapper-model", "no-such-model"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("unknown model 'no-such-model'", err, StringComparison.Ordinal);

        // A file without the swap contract (the embedder) is named as unusable.
        (code, _, err) = await Process(cli, [.. args, "--swapper-model", models.Embedder]);
        Assert.Equal(ExitCodes.ModelUnusable, code);
        Assert.Contains("cannot swap: Cannot use ONNX model", err, StringComparison.Ordinal);
    }
}
