using static ObsFaceSwap.Cli.Tests.ClipFrames;

namespace ObsFaceSwap.Cli.Tests;

public class ProcessCommandTests(OfflineFixture fixture) : IClassFixture<OfflineFixture>
{
    private Task<(int Code, string Out, string Err)> Process(CliHarness cli, params string[] args)
        => cli.RunAsync(["process", .. args, "--cache-dir", fixture.Cache]);

    [Theory]
    [InlineData("pixelate", "ellipse", "1", "out.mp4")]
    [InlineData("blur", "box", "4", "out.mkv")]
    [InlineData("solid", "ellipse", "3", "out.mov")]
    public async Task Every_frame_has_its_face_masked_with_audio_and_frame_count_kept(string mode, string shape, string interval, string name)
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Root, name);
        var (code, stdout, err) = await Process(cli, "--input", fixture.Clip, "--output", output, "--mode", mode, "--shape", shape, "--detect-interval", interval);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("30 frames, faces masked in 30", stdout, StringComparison.Ordinal);
        Assert.Contains("frames [", err, StringComparison.Ordinal); // progress
        Assert.False(File.Exists(output + ".part"));

        var inputStreams = await OfflineFixture.StreamsAsync(fixture.Clip);
        var outputStreams = await OfflineFixture.StreamsAsync(output);
        Assert.Contains("video,30", inputStreams);
        Assert.Contains("video,30", outputStreams);
        Assert.Contains(outputStreams, s => s.StartsWith("audio,", StringComparison.Ordinal));

        var before = await OfflineFixture.DecodeAsync(fixture.Clip);
        var after = await OfflineFixture.DecodeAsync(output);
        Assert.Equal(30 * Size * Size * 4, before.Length);
        Assert.Equal(before.Length, after.Length);
        for (var i = 0; i < 30; i++)
        {
            // The inner part of the face box (eyes, nose, mouth) differs strongly ...
            var face = Diff(before, after, i, FaceX + 22, FaceY + 22, FaceSide - 44);
            Assert.True(face > 12, $"frame {i}: face region differs by only {face:0.0} per channel");

            // ... while the corners only carry re-encoding noise.
            foreach (var (x, y) in new[] { (0, 0), (Size - 48, 0), (0, Size - 48), (Size - 48, Size - 48) })
            {
                var corner = Diff(before, after, i, x, y, 48);
                Assert.True(corner < 4, $"frame {i}: corner ({x},{y}) differs by {corner:0.0} per channel");
            }
        }
    }

    [Fact]
    public async Task A_gpu_provider_that_cannot_run_here_falls_back_to_the_cpu_and_masks_every_frame()
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Root, "out.mp4");
        var (code, stdout, err) = await Process(cli, "--input", fixture.Clip, "--output", output, "--mode", "solid", "--provider", "cuda");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("30 frames, faces masked in 30", stdout, StringComparison.Ordinal);
        Assert.Single(err.Split('\n'), l => l.Contains("requested CUDA, running CPU for face_detection_back_256x256_barracuda.onnx, because ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_face_the_detector_loses_stays_masked_for_the_grace_period()
    {
        // 1 s of the face, then 1 s with moving noise over it: the detector finds nothing there, the tracker
        // coasts for its 0.5 s grace period (frames 15..21 at 15 fps) and the region must stay masked (fail closed).
        using var cli = new CliHarness();
        var occluded = Path.Combine(cli.Root, "occluded.mp4");
        await OfflineFixture.FfmpegAsync("-loop", "1", "-framerate", "15", "-i", fixture.Astronaut,
            "-f", "lavfi", "-i", "color=gray:s=140x140:r=15,noise=alls=100:allf=t",
            "-filter_complex", "[0:v][1:v]overlay=155:56:enable='gte(t,1)':shortest=1,format=yuv420p",
            "-t", "2", "-r", "15", "-c:v", "libx264", occluded);
        var output = Path.Combine(cli.Root, "out.mp4");
        var (code, stdout, err) = await Process(cli, "--input", occluded, "--output", output, "--mode", "blur", "--shape", "box");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("30 frames", stdout, StringComparison.Ordinal);

        var before = await OfflineFixture.DecodeAsync(occluded);
        var after = await OfflineFixture.DecodeAsync(output);
        Assert.Equal(before.Length, after.Length);
        for (var i = 15; i <= 21; i++)
        {
            var region = Diff(before, after, i, FaceX + 22, FaceY + 22, FaceSide - 44);
            Assert.True(region > 45, $"frame {i} (coasting): region differs by only {region:0.0}; the lost face was not masked");
        }

        for (var i = 24; i < 30; i++)
        {
            var region = Diff(before, after, i, FaceX + 22, FaceY + 22, FaceSide - 44);
            Assert.True(region < 30, $"frame {i}: region differs by {region:0.0} after the grace period ended");
        }
    }

    [Fact]
    public async Task An_encoder_failure_is_a_clear_error_and_leaves_no_output()
    {
        // PCM audio cannot be copied into MP4: the encoder quits while frames are being written.
        using var cli = new CliHarness();
        var pcm = Path.Combine(cli.Root, "pcm.mkv");
        await OfflineFixture.FfmpegAsync("-i", fixture.Clip, "-c:v", "copy", "-c:a", "pcm_s16le", pcm);
        var output = Path.Combine(cli.Root, "out.mp4");
        var (code, _, err) = await Process(cli, "--input", pcm, "--output", output, "--mode", "pixelate");
        Assert.Equal(ExitCodes.OutputFailed, code);
        Assert.Contains($"cannot write --output '{output}'", err, StringComparison.Ordinal);
        Assert.Contains("e.g. .mkv", err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".part"));

        var mkv = Path.Combine(cli.Root, "out.mkv");
        (code, _, err) = await Process(cli, "--input", pcm, "--output", mkv, "--mode", "pixelate");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains(await OfflineFixture.StreamsAsync(mkv), s => s.StartsWith("audio,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreadable_video_is_a_clear_error_and_leaves_no_output()
    {
        using var cli = new CliHarness();
        var corrupt = cli.Write("corrupt.mp4", CliHarness.RandomBytes(20000, 3));
        var output = Path.Combine(cli.Root, "out.mp4");
        var (code, _, err) = await Process(cli, "--input", corrupt, "--output", output, "--mode", "blur");
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains($"cannot read video '{corrupt}'", err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".part"));

        // A truncated file: ffprobe may accept it, then decoding fails part way.
        var bytes = await File.ReadAllBytesAsync(fixture.Clip);
        var truncated = cli.Write("truncated.mp4", bytes[..(bytes.Length / 3)]);
        (code, _, err) = await Process(cli, "--input", truncated, "--output", output, "--mode", "pixelate");
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains("truncated.mp4", err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".part"));

        var missing = Path.Combine(cli.Root, "missing.mp4");
        (code, _, err) = await Process(cli, "--input", missing, "--output", output, "--mode", "solid");
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains("no such file", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_output_that_cannot_be_written_is_a_clear_error()
    {
        using var cli = new CliHarness();
        var output = Path.Combine(cli.Root, "no-such-folder", "out.mp4");
        var (code, _, err) = await Process(cli, "--input", fixture.Clip, "--output", output, "--mode", "blur");
        Assert.Equal(ExitCodes.OutputFailed, code);
        Assert.Contains($"cannot write --output '{output}'", err, StringComparison.Ordinal);

        (code, _, err) = await Process(cli, "--input", fixture.Clip, "--output", Path.Combine(cli.Root, "out.avi2"), "--mode", "blur");
        Assert.Equal(ExitCodes.OutputFailed, code);
        Assert.Contains("unsupported extension", err, StringComparison.Ordinal);

        (code, _, err) = await Process(cli, "--input", fixture.Clip, "--output", fixture.Clip, "--mode", "blur");
        Assert.Equal(ExitCodes.OutputFailed, code);
        Assert.Contains("is the input file", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--intensity", "5", "--intensity must be within 10..100")]
    [InlineData("--intensity", "101", "--intensity must be within 10..100")]
    [InlineData("--padding", "-1", "--padding must be within 0..100")]
    [InlineData("--padding", "150", "--padding must be within 0..100")]
    [InlineData("--detect-interval", "0", "--detect-interval must be within 1..300")]
    [InlineData("--mode", "smudge", "smudge")]
    [InlineData("--shape", "star", "star")]
    [InlineData("--provider", "gpu", "--provider 'gpu' is not an execution provider; expected auto, cpu, cuda, tensorrt, directml or coreml")]
    public async Task Bad_options_are_usage_errors_naming_the_option_and_range(string option, string value, string message)
    {
        using var cli = new CliHarness();
        string[] mode = option == "--mode" ? [] : ["--mode", "blur"];
        string[] args = ["--input", fixture.Clip, "--output", Path.Combine(cli.Root, "out.mp4"), .. mode, option, value];
        var (code, _, err) = await Process(cli, args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.Root, "out.mp4")));
    }
}
