using System.Text.Json;
using ObsFaceSwap.Media;

namespace ObsFaceSwap.Cli.Tests;

public class DetectCommandTests(OfflineFixture fixture) : IClassFixture<OfflineFixture>
{
    private Task<(int Code, string Out, string Err)> Detect(CliHarness cli, params string[] args)
        => cli.RunAsync(["detect", .. args, "--cache-dir", fixture.Cache]);

    [Theory]
    [InlineData("back-256")]
    [InlineData("front-128")]
    public async Task Astronaut_has_one_face_near_the_expected_centre(string model)
    {
        using var cli = new CliHarness();
        var (code, output, err) = await Detect(cli, fixture.Astronaut, "--json", "--model", model);
        Assert.True(code == ExitCodes.Ok, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(fixture.Astronaut, root.GetProperty("image").GetString());
        var width = root.GetProperty("width").GetDouble();
        var height = root.GetProperty("height").GetDouble();
        Assert.Equal(512, width);
        var faces = root.GetProperty("faces");
        Assert.Equal(1, faces.GetArrayLength());
        var face = faces[0];
        var box = face.GetProperty("box");
        var cx = (box.GetProperty("x").GetDouble() + (box.GetProperty("width").GetDouble() / 2)) / width;
        var cy = (box.GetProperty("y").GetDouble() + (box.GetProperty("height").GetDouble() / 2)) / height;
        Assert.InRange(cx, 0.40, 0.48);
        Assert.InRange(cy, 0.21, 0.29);
        Assert.InRange(face.GetProperty("score").GetDouble(), 0.5, 1.0);
        var landmarks = face.GetProperty("landmarks");
        foreach (var name in new[] { "rightEye", "leftEye", "nose", "rightMouth", "leftMouth" })
        {
            Assert.Equal(2, landmarks.GetProperty(name).GetArrayLength());
        }

        // The subject's right eye is on the image's left.
        Assert.True(landmarks.GetProperty("rightEye")[0].GetDouble() < landmarks.GetProperty("leftEye")[0].GetDouble());
    }

    [Fact]
    public async Task Grace_Hopper_has_one_face_and_the_table_shows_it()
    {
        using var cli = new CliHarness();
        var json = await Detect(cli, fixture.GraceHopper, "--json");
        Assert.True(json.Code == ExitCodes.Ok, json.Err);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("faces").GetArrayLength());

        var table = await Detect(cli, fixture.GraceHopper);
        Assert.Equal(ExitCodes.Ok, table.Code);
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("512x600, 1 face", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("#  SCORE", lines[1], StringComparison.Ordinal);
        Assert.Contains("RIGHT-EYE", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("0  0.", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flat_image_has_no_face_which_is_not_an_error()
    {
        using var cli = new CliHarness();
        var flat = Path.Combine(cli.Root, "flat.png");
        await OfflineFixture.FfmpegAsync("-f", "lavfi", "-i", "color=c=0x808080:s=320x240", "-frames:v", "1", flat);
        var (code, output, err) = await Detect(cli, flat, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(0, doc.RootElement.GetProperty("faces").GetArrayLength());
        Assert.Equal(320, doc.RootElement.GetProperty("width").GetInt32());
        Assert.Contains("no face found in", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_or_missing_image_is_a_clear_error_naming_the_file()
    {
        using var cli = new CliHarness();
        var corrupt = cli.Write("corrupt.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, .. CliHarness.RandomBytes(3000, 7)]);
        var (code, output, err) = await Detect(cli, corrupt);
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"cannot read image '{corrupt}'", err, StringComparison.Ordinal);

        var missing = Path.Combine(cli.Root, "missing.jpg");
        (code, _, err) = await Detect(cli, missing);
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains($"'{missing}': no such file", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_model_and_bad_model_name_map_to_their_exit_codes()
    {
        using var cli = new CliHarness();
        var (code, _, err) = await cli.RunAsync("detect", fixture.Astronaut, "--cache-dir", Path.Combine(cli.Root, "empty-cache"));
        Assert.Equal(ExitCodes.Missing, code);
        Assert.Contains("blazeface-back-256", err, StringComparison.Ordinal);

        (code, _, _) = await Detect(cli, fixture.Astronaut, "--model", "huge-1024");
        Assert.Equal(ExitCodes.Usage, code);
    }

    [Theory]
    [InlineData("cuda", "CUDA")]
    [InlineData("TensorRT", "TensorRT")]
    [InlineData("directml", "DirectML")]
    [InlineData("coreml", "CoreML")]
    public async Task A_provider_that_cannot_run_here_falls_back_to_the_cpu_with_one_line_on_stderr(string provider, string name)
    {
        // This machine has no GPU provider library: every GPU provider falls back.
        using var cli = new CliHarness();
        var (code, output, err) = await Detect(cli, fixture.Astronaut, "--json", "--provider", provider);
        Assert.True(code == ExitCodes.Ok, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(1, doc.RootElement.GetProperty("faces").GetArrayLength());
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("obs-faceswap: ONNX Runtime ", line, StringComparison.Ordinal);
        Assert.Contains($"requested {name}, running CPU for face_detection_back_256x256_barracuda.onnx, because ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_says_which_provider_runs_and_cpu_says_nothing()
    {
        using var cli = new CliHarness();
        var (code, _, err) = await Detect(cli, fixture.Astronaut, "--provider", "auto");
        Assert.True(code == ExitCodes.Ok, err);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("runs face_detection_back_256x256_barracuda.onnx (requested auto; ", line, StringComparison.Ordinal);

        (code, _, err) = await Detect(cli, fixture.Astronaut, "--provider", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(string.Empty, err);
    }

    [Fact]
    public async Task An_unknown_provider_is_a_usage_error_listing_the_accepted_ones()
    {
        using var cli = new CliHarness();
        var (code, _, err) = await Detect(cli, fixture.Astronaut, "--provider", "gpu");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--provider 'gpu' is not an execution provider; expected auto, cpu, cuda, tensorrt, directml or coreml", err, StringComparison.Ordinal);
    }
}

public class OfflineExitCodeTests
{
    [Fact]
    public void Offline_failures_map_to_documented_exit_codes()
    {
        Assert.Equal(ExitCodes.InputUnreadable, OfflineSupport.MapException(new MediaInputException("x")));
        Assert.Equal(ExitCodes.OutputFailed, OfflineSupport.MapException(new MediaOutputException("x")));
        Assert.Equal(ExitCodes.ToolMissing, OfflineSupport.MapException(new MediaToolMissingException("x")));
        Assert.Equal(ExitCodes.ModelUnusable, OfflineSupport.MapException(new ObsFaceSwap.Inference.ModelLoadException("/m.onnx", "bad")));
        Assert.Null(OfflineSupport.MapException(new InvalidOperationException("bug")));
    }

    [Theory]
    [InlineData("a/b.mp4", "mp4")]
    [InlineData("B.MKV", "matroska")]
    [InlineData("c.mov", "mov")]
    [InlineData("d.m4v", "mp4")]
    [InlineData("e.avi", null)]
    [InlineData("noext", null)]
    public void Output_extensions_pick_the_muxer(string path, string? muxer) => Assert.Equal(muxer, ProcessCommand.MuxerFor(path));

    [Theory]
    [InlineData("30000/1001", 29.97)]
    [InlineData("15/1", 15.0)]
    [InlineData("0/0", null)]
    [InlineData("", null)]
    public void Frame_rates_parse(string rate, double? fps)
    {
        var parsed = MediaTools.ParseRate(rate);
        if (fps is null)
        {
            Assert.Null(parsed);
        }
        else
        {
            Assert.Equal(fps.Value, parsed!.Value, 2);
        }
    }
}
