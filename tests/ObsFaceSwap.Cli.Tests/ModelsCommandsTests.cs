using System.CommandLine;
using ObsFaceSwap.Models;

namespace ObsFaceSwap.Cli.Tests;

public sealed class ModelsCommandsTests
{
    private static readonly byte[] Content = CliHarness.RandomBytes(700_000, seed: 21);
    private const string Url = "https://models.test/m1.onnx";

    [Fact]
    public async Task List_shows_every_built_in_model_with_its_status()
    {
        using var cli = new CliHarness();
        var (code, output, error) = await cli.RunAsync("models", "list");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, error);
        var lines = output.Split('\n');
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.Contains("STATUS", lines[0], StringComparison.Ordinal);
        foreach (var id in new[] { "blazeface-front-128", "blazeface-back-256", "scrfd-det-10g", "arcface-w600k-r50", "inswapper-128", "inswapper-128-fp16" })
        {
            Assert.Contains(lines, l => l.StartsWith(id + " ", StringComparison.Ordinal) && l.TrimEnd().EndsWith("missing", StringComparison.Ordinal));
        }

        Assert.Contains("432 KiB", output, StringComparison.Ordinal);
        Assert.Contains("InsightFace non-commercial research use only", output, StringComparison.Ordinal);
        Assert.Contains($"cache: {cli.Cache}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_from_a_local_file_then_list_and_verify_succeed()
    {
        using var cli = new CliHarness();
        var manifest = cli.WriteManifest("m1", Content, [Url]);
        var source = cli.Write("downloads/whatever.bin", Content);

        var fetch = await cli.RunAsync("models", "fetch", "m1", "--from", source, "--manifest", manifest);
        Assert.Equal(ExitCodes.Ok, fetch.Code);
        Assert.Contains($"m1: verified {Path.Combine(cli.Cache, "m1.onnx")}", fetch.Out, StringComparison.Ordinal);
        Assert.Empty(cli.Http.Requests);

        var list = await cli.RunAsync("--manifest", manifest, "models", "list");
        Assert.Equal(ExitCodes.Ok, list.Code);
        Assert.Contains("verified", list.Out, StringComparison.Ordinal);

        var verify = await cli.RunAsync("models", "verify", "--manifest", manifest);
        Assert.Equal(ExitCodes.Ok, verify.Code);
        var one = await cli.RunAsync("models", "verify", "m1", "--manifest", manifest);
        Assert.Equal(ExitCodes.Ok, one.Code);
        Assert.Contains("verified", one.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_exits_1_on_a_mismatch_and_names_expected_and_actual()
    {
        using var cli = new CliHarness();
        var manifest = cli.WriteManifest("m1", Content, [Url]);
        var wrong = CliHarness.RandomBytes(Content.Length, seed: 22);
        cli.Write("cache/m1.onnx", wrong);

        var all = await cli.RunAsync("models", "verify", "--manifest", manifest);
        Assert.Equal(ExitCodes.VerificationFailed, all.Code);
        Assert.Contains("hash mismatch", all.Out, StringComparison.Ordinal);
        Assert.Contains("expected " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Content)), all.Err, StringComparison.Ordinal);
        Assert.Contains("actual " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(wrong)), all.Err, StringComparison.Ordinal);

        var one = await cli.RunAsync("models", "verify", "m1", "--manifest", manifest);
        Assert.Equal(ExitCodes.VerificationFailed, one.Code);

        var list = await cli.RunAsync("models", "list", "--manifest", manifest);
        Assert.Equal(ExitCodes.Ok, list.Code);
        Assert.Contains("hash mismatch", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_a_missing_model_exits_3_and_says_how_to_fetch_it()
    {
        using var cli = new CliHarness();
        var (code, output, error) = await cli.RunAsync("models", "verify", "scrfd-det-10g");
        Assert.Equal(ExitCodes.Missing, code);
        Assert.Contains("missing", output, StringComparison.Ordinal);
        Assert.Contains("obs-faceswap models fetch scrfd-det-10g --accept-licence", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(cli.Cache, "det_10g.onnx"), error, StringComparison.Ordinal);

        // Missing models do not fail `verify` of everything.
        Assert.Equal(ExitCodes.Ok, (await cli.RunAsync("models", "verify")).Code);
    }

    [Fact]
    public async Task Fetch_downloads_with_a_progress_bar_on_stderr()
    {
        using var cli = new CliHarness();
        var manifest = cli.WriteManifest("m1", Content, [Url]);
        cli.Http.Serve(Url, Content);

        var (code, output, error) = await cli.RunAsync("models", "fetch", "m1", "--manifest", manifest);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal([Url], cli.Http.Requests);
        Assert.Contains("m1: verified", output, StringComparison.Ordinal);
        Assert.Contains("100%", error, StringComparison.Ordinal);
        Assert.Contains("[" + new string('#', 30) + "]", error, StringComparison.Ordinal);
        Assert.Equal(Content, File.ReadAllBytes(Path.Combine(cli.Cache, "m1.onnx")));
    }

    [Fact]
    public async Task Fetch_of_a_licensed_model_needs_accept_licence_exit_5()
    {
        using var cli = new CliHarness();
        var manifest = cli.WriteManifest("m1", Content, [Url], licenceNotice: "For research only.");
        cli.Http.Serve(Url, Content);

        var refused = await cli.RunAsync("models", "fetch", "m1", "--manifest", manifest);
        Assert.Equal(ExitCodes.LicenceNotAccepted, refused.Code);
        Assert.Contains("For research only.", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--accept-licence", refused.Err, StringComparison.Ordinal);
        Assert.Empty(cli.Http.Requests);

        var accepted = await cli.RunAsync("models", "fetch", "m1", "--accept-licence", "--manifest", manifest);
        Assert.Equal(ExitCodes.Ok, accepted.Code);
        Assert.Contains("licence of 'm1' accepted", accepted.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_without_network_fails_clearly_exit_4()
    {
        using var cli = new CliHarness();
        var (code, output, error) = await cli.RunAsync("models", "fetch", "scrfd-det-10g", "--accept-licence");
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("could not download model 'scrfd-det-10g'", error, StringComparison.Ordinal);
        Assert.Contains("https://github.com/visomaster/visomaster-assets/releases/download/v0.1.0/det_10g.onnx", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_of_a_model_without_urls_points_to_the_setup_step_exit_4()
    {
        using var cli = new CliHarness();
        var (code, _, error) = await cli.RunAsync("models", "fetch", "blazeface-front-128");
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Contains("obs-faceswap models import .deps/models/blazeface", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_takes_the_manifest_files_of_a_folder()
    {
        using var cli = new CliHarness();
        var manifest = cli.WriteManifest("m1", Content, [Url]);
        cli.Write("deps/m1.onnx", Content);
        cli.Write("deps/LICENSE", [1]);
        var (code, output, _) = await cli.RunAsync("models", "import", Path.Combine(cli.Root, "deps"), "--manifest", manifest);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("m1: verified", output, StringComparison.Ordinal);

        var empty = await cli.RunAsync("models", "import", Path.Combine(cli.Root, "nothing"), "--manifest", manifest);
        Assert.Equal(ExitCodes.FetchFailed, empty.Code);
        Assert.Contains("no folder at", empty.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_the_real_BlazeFace_files_verifies_them_when_present()
    {
        string? folder = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && folder is null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".deps", "models", "blazeface");
            folder = File.Exists(Path.Combine(candidate, "face_detection_back_256x256_barracuda.onnx")) ? candidate : null;
        }

        if (folder is null)
        {
            return; // scripts/fetch-deps.sh has not run here.
        }

        using var cli = new CliHarness();
        var (code, output, _) = await cli.RunAsync("models", "import", folder);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("blazeface-front-128: verified", output, StringComparison.Ordinal);
        Assert.Contains("blazeface-back-256: verified", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, (await cli.RunAsync("models", "verify", "blazeface-back-256")).Code);
    }

    [Fact]
    public async Task Fetch_from_a_wrong_file_exits_1()
    {
        using var cli = new CliHarness();
        var manifest = cli.WriteManifest("m1", Content, [Url]);
        var wrong = cli.Write("wrong.onnx", CliHarness.RandomBytes(100, seed: 3));
        var (code, _, error) = await cli.RunAsync("models", "fetch", "m1", "--from", wrong, "--manifest", manifest);
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains("size mismatch", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.Cache, "m1.onnx")));
    }

    [Fact]
    public async Task An_invalid_manifest_exits_6_naming_entry_and_field()
    {
        using var cli = new CliHarness();
        var manifest = cli.WriteManifest("m1", Content, [Url], change: e => e["layout"] = "CHW");
        var (code, _, error) = await cli.RunAsync("models", "list", "--manifest", manifest);
        Assert.Equal(ExitCodes.ManifestInvalid, code);
        Assert.Contains("models[0] 'm1': layout: 'CHW' is not NHWC or NCHW", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "models", "fetch", "no-such-model" }, "unknown model 'no-such-model'")]
    [InlineData(new[] { "models", "verify", "no-such-model" }, "unknown model 'no-such-model'")]
    [InlineData(new[] { "models", "frobnicate" }, "frobnicate")]
    [InlineData(new[] { "models", "fetch" }, "")]
    [InlineData(new[] { "models" }, "")]
    public async Task Bad_command_lines_and_unknown_ids_exit_2(string[] args, string message)
    {
        using var cli = new CliHarness();
        var (code, _, error) = await cli.RunAsync(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_models_commands()
    {
        using var cli = new CliHarness();
        var (code, output, _) = await cli.RunAsync("models", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var command in new[] { "list", "fetch", "import", "verify", "--cache-dir", "--manifest" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Further_command_modules_plug_into_the_root()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error);
        var code = await CliApp.RunAsync(["detect", "--cache-dir", "/tmp/x"], context, [new ModelsCommands(), new FakeDetectModule()]);
        Assert.Equal(42, code);
        Assert.Equal("detect ran with cache /tmp/x" + Environment.NewLine, output.ToString());

        var root = CliApp.Build(context);
        Assert.Contains(root.Subcommands, c => c.Name == "models");
        Assert.Contains(root.Subcommands, c => c.Name == "detect");
        Assert.Contains(root.Subcommands, c => c.Name == "process");
    }

    private sealed class FakeDetectModule : ICliCommandModule
    {
        public void Register(RootCommand root, CliGlobalOptions globals, CliContext context)
        {
            var detect = new Command("detect", "test");
            detect.SetAction(parse =>
            {
                context.Output.WriteLine($"detect ran with cache {parse.GetValue(globals.CacheDir)}");
                return 42;
            });
            root.Add(detect);
        }
    }

    [Fact]
    public void Sizes_format_in_binary_units()
    {
        Assert.Equal("?", ModelsCommands.FormatSize(null));
        Assert.Equal("512 B", ModelsCommands.FormatSize(512));
        Assert.Equal("432 KiB", ModelsCommands.FormatSize(442_005));
        Assert.Equal("16.1 MiB", ModelsCommands.FormatSize(16_923_827));
        Assert.Equal("1.50 GiB", ModelsCommands.FormatSize(1_610_612_736));
    }

    [Fact]
    public void Expected_failures_map_to_documented_exit_codes()
    {
        Assert.Equal(ExitCodes.Missing, ModelsCommands.MapException(new ModelMissingException("a", "/p", "hint")));
        Assert.Equal(ExitCodes.VerificationFailed, ModelsCommands.MapException(new ModelHashMismatchException("a", "/p", "x", "y")));
        Assert.Equal(ExitCodes.LicenceNotAccepted, ModelsCommands.MapException(new LicenceNotAcceptedException("a", "l", "n")));
        Assert.Equal(ExitCodes.FetchFailed, ModelsCommands.MapException(new ModelDownloadException("d")));
        Assert.Equal(ExitCodes.FetchFailed, ModelsCommands.MapException(new ModelNotPinnedException("a")));
        Assert.Equal(ExitCodes.Cancelled, ModelsCommands.MapException(new OperationCanceledException()));
        Assert.Null(ModelsCommands.MapException(new InvalidOperationException("bug")));
    }
}
