using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Processes;
using ObsFaceSwap.Testing.Rtmp;
using ObsFaceSwap.Testing.Scenario;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>
/// The OBS controller commands (record, scenes, status) run as the real <c>obs-faceswap</c> executable
/// against a real OBS: recordings in every container, a crash during a crash-safe recording, a scene file
/// applied twice, a malformed scene file, <c>status --json</c>.
/// </summary>
public sealed class ControllerTests(ITestOutputHelper output)
{
    /// <summary>The built CLI (scripts/build.sh builds the solution in Release); <c>OBS_FACESWAP_CLI</c> overrides it.</summary>
    private static string CliPath =>
        Environment.GetEnvironmentVariable("OBS_FACESWAP_CLI") is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.Combine(RepositoryLayout.Root, "src", "ObsFaceSwap.Cli", "bin", "Release", "net10.0", "obs-faceswap.dll");

    [Fact]
    public async Task Record_in_each_container_gives_files_ffprobe_reads()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.None);
        var files = new Dictionary<string, string>();

        foreach (var container in new[] { "mkv", "mp4", "mov", "flv", "fragmented-mp4" })
        {
            await RunOkAsync(obs, "record", "configure", "--container", container);
            var status = JsonNode.Parse((await RunOkAsync(obs, "record", "status", "--json")).Out)!;
            Assert.Equal(container, status["format"]!.GetValue<string>());
            await RecordForAsync(obs, client, TimeSpan.FromSeconds(1.5));
            var stop = await RunOkAsync(obs, "record", "stop");
            files[container] = stop.Out.Trim();
        }

        foreach (var (container, path) in files)
        {
            var probe = await ProbeAsync(path);
            E2eContext.Log(output, $"{container}: {path}: {probe["format"]?["format_name"]}, {probe["format"]?["duration"]} s");
            Assert.Equal("." + (container == "fragmented-mp4" ? "mp4" : container), Path.GetExtension(path));
            Assert.Contains(probe["streams"]!.AsArray(), s => s!["codec_type"]!.GetValue<string>() == "video" && s["codec_name"]!.GetValue<string>() == "h264");
            // At least the 1.5 s OBS reported; at most that plus `record stop` (a fresh dotnet process,
            // up to a few seconds on a loaded machine). A wrong time base would be off by far more.
            Assert.InRange(Duration(probe), 0.8, 6.0);
        }

        // Fragmented: movie fragments (moof) and an empty moov up front; the plain mp4 has none.
        Assert.True(HasBox(files["fragmented-mp4"], "moof"), "the fragmented mp4 has no moof box");
        Assert.False(HasBox(files["mp4"], "moof"), "the plain mp4 has a moof box");

        // A preset sets the output size, fps and bitrate.
        await RunOkAsync(obs, "record", "configure", "--preset", "720p30", "--filename-template", "rec %CCYY-%MM-%DD %hh-%mm-%ss");
        var video = (await client.RequestAsync("GetVideoSettings")).ResponseData!.Value;
        Assert.Equal((1280, 720, 30), (video.GetProperty("outputWidth").GetInt32(), video.GetProperty("outputHeight").GetInt32(), video.GetProperty("fpsNumerator").GetInt32()));
        Assert.Equal("5000", await ProfileAsync(client, "SimpleOutput", "VBitrate"));
        Assert.Equal("rec %CCYY-%MM-%DD %hh-%mm-%ss", await ProfileAsync(client, "Output", "FilenameFormatting"));
        // OBS 29's Simple mode cannot split files: a clear refusal, nothing written.
        var split = await RunAsync(obs, "record", "configure", "--split-minutes", "10");
        Assert.Equal(2, split.Code);
        Assert.Contains("Advanced", split.Err, StringComparison.Ordinal);

        // Retention: two old files go, the fresh recordings stay.
        var old1 = Path.Combine(obs.RecordingDirectory, "old-1.mkv");
        var old2 = Path.Combine(obs.RecordingDirectory, "old-2.mp4");
        foreach (var old in new[] { old1, old2 })
        {
            await File.WriteAllBytesAsync(old, new byte[1000]);
            File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-10));
        }

        var dry = await RunOkAsync(obs, "record", "prune", "--keep-days", "3", "--dry-run");
        Assert.Equal(2, dry.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(File.Exists(old1) && File.Exists(old2));
        var pruned = await RunOkAsync(obs, "record", "prune", "--keep-days", "3");
        Assert.Contains("deleted " + old1, pruned.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(old1) || File.Exists(old2));
        Assert.All(files.Values, f => Assert.True(File.Exists(f), f));

        // The wrong password is exit 20, and the password never shows.
        var wrong = await RunAsync(obs, ["status"], password: "not-the-password");
        Assert.Equal(20, wrong.Code);
        Assert.DoesNotContain("not-the-password", wrong.Err + wrong.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Split_by_size_in_advanced_output_mode_gives_several_playable_parts()
    {
        // OBS 29 splits only in Advanced output mode; the profile records with the stream encoder,
        // x264 CBR at 4000 kbps (about 0.5 MB/s with filler), so 1 MB parts last about 2 s.
        var options = E2eContext.Options(output, module: false) with { AdvancedOutput = true };
        await using var obs = await HeadlessObs.StartAsync(options);
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.None);

        await RunOkAsync(obs, "record", "configure", "--split-mb", "1");
        Assert.Equal("true", await ProfileAsync(client, "AdvOut", "RecSplitFile"));
        Assert.Equal("Size", await ProfileAsync(client, "AdvOut", "RecSplitFileType"));
        Assert.Equal("1", await ProfileAsync(client, "AdvOut", "RecSplitFileSize"));
        var status = JsonNode.Parse((await RunOkAsync(obs, "record", "status", "--json")).Out)!;
        E2eContext.Log(output, "status: " + status.ToJsonString());

        var started = DateTime.UtcNow.AddSeconds(-1);
        await RecordForAsync(obs, client, TimeSpan.FromSeconds(7));
        var stop = await RunOkAsync(obs, "record", "stop");
        var last = stop.Out.Trim();

        var parts = new DirectoryInfo(obs.RecordingDirectory).GetFiles("*.mkv")
            .Where(f => f.LastWriteTimeUtc >= started)
            .OrderBy(f => f.LastWriteTimeUtc)
            .ToList();
        var durations = new List<double>();
        foreach (var part in parts)
        {
            var probe = await ProbeAsync(part.FullName);
            var duration = Duration(probe);
            durations.Add(duration);
            E2eContext.Log(output, $"{part.Name}: {part.Length} bytes, {duration:0.00} s, {probe["format"]?["format_name"]}");
            Assert.Contains(probe["streams"]!.AsArray(), s => s!["codec_type"]!.GetValue<string>() == "video" && s["codec_name"]!.GetValue<string>() == "h264");
        }

        Assert.True(parts.Count >= 2, $"expected at least 2 parts, got {parts.Count}");
        // OBS 29's StopRecord names the first part of a split recording, not the last.
        Assert.Contains(last, parts.Select(p => p.FullName));
        // OBS cuts at the first keyframe (every second here) once a part reaches 1 MiB: every part
        // but the last holds 1 MiB plus at most about a second of data and lasts more than a second.
        foreach (var (part, duration) in parts.Zip(durations).SkipLast(1))
        {
            Assert.InRange(part.Length, 1_000_000, 1_800_000);
            Assert.InRange(duration, 1.0, 5.0);
        }

        // OBS reported 7 s before `record stop` ran; the stop (a fresh dotnet process) adds up to a few
        // seconds on a loaded machine. A part counted twice or missing still falls outside.
        Assert.InRange(durations.Sum(), 5.5, 11.0);

        // Crash-safe and split together: record stop remuxes every part to mp4, not only the first.
        await RunOkAsync(obs, "record", "configure", "--crash-safe");
        var safeStarted = DateTime.UtcNow; // no slack: the parts of the recording above were closed before this
        await RecordForAsync(obs, client, TimeSpan.FromSeconds(7));
        var safeStop = await RunOkAsync(obs, "record", "stop");
        E2eContext.Log(output, "crash-safe split stop: " + safeStop.Out.Trim());
        var dir = new DirectoryInfo(obs.RecordingDirectory);
        var leftMkv = dir.GetFiles("*.mkv").Where(f => f.LastWriteTimeUtc >= safeStarted).ToList();
        var mp4Parts = dir.GetFiles("*.mp4").Where(f => f.LastWriteTimeUtc >= safeStarted).ToList();
        Assert.True(leftMkv.Count == 0, $"mkv parts left after a crash-safe stop: {string.Join(", ", leftMkv.Select(f => f.Name))}");
        Assert.True(mp4Parts.Count >= 2, $"expected at least 2 remuxed mp4 parts, got {mp4Parts.Count}");
        foreach (var part in mp4Parts)
        {
            Assert.InRange(Duration(await ProbeAsync(part.FullName)), 0.5, 5.0);
        }
    }

    [Fact]
    public async Task Crash_safe_recording_survives_sigkill_and_a_clean_stop_remuxes_to_mp4()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.None);

        await RunOkAsync(obs, "record", "configure", "--crash-safe");
        await RecordForAsync(obs, client, TimeSpan.FromSeconds(2));
        var stop = await RunOkAsync(obs, "record", "stop");
        var mp4 = stop.Out.Trim();
        Assert.EndsWith(".mp4", mp4, StringComparison.Ordinal);
        // 2 s reported by OBS, plus what `record stop` (a fresh dotnet process) takes on a loaded machine.
        Assert.InRange(Duration(await ProbeAsync(mp4)), 1.2, 6);
        // The mkv went once the mp4 verified.
        Assert.False(File.Exists(Path.ChangeExtension(mp4, ".mkv")), "the mkv was kept after the mp4 verified");

        // A schedule: start now, stop 2 s later, in the foreground; crash-safe applies too.
        var clock = Stopwatch.StartNew();
        var scheduled = await RunOkAsync(obs, "record", "schedule", "--start", "now", "--stop", "+2s");
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 20);
        Assert.EndsWith(".mp4", scheduled.Out.Trim(), StringComparison.Ordinal);
        // "+2s" counts from when the CLI parsed it; connecting and OBS starting the output come off
        // those 2 s (more on a loaded machine). A schedule that stopped at once would give about 0.
        Assert.InRange(Duration(await ProbeAsync(scheduled.Out.Trim())), 1.0, 4);

        // Now a crash: SIGKILL OBS 2.5 s into a recording.
        await RecordForAsync(obs, client, TimeSpan.FromSeconds(2.5));
        var children = ProcessTree.Descendants(obs.Pid);
        Assert.True(Posix.Signal(obs.Pid, Posix.SigKill));
        await E2eContext.WaitAsync(() => obs.HasExited, TimeSpan.FromSeconds(10));
        // obs-ffmpeg-mux outlives OBS; let it go first (by PID), as a crashed OBS would leave it.
        foreach (var child in children.Where(c => c.IsAlive))
        {
            await E2eContext.WaitAsync(() => !child.IsAlive, TimeSpan.FromSeconds(5), throwOnTimeout: false);
            if (child.IsAlive)
            {
                Posix.Signal(child.Pid, Posix.SigKill);
            }
        }

        var mkv = new DirectoryInfo(obs.RecordingDirectory).GetFiles("*.mkv").OrderByDescending(f => f.LastWriteTimeUtc).First().FullName;
        var crashed = await ProbeAsync(mkv);
        E2eContext.Log(output, $"after SIGKILL: {mkv}: {crashed["format"]?["duration"]} s");
        Assert.Contains(crashed["streams"]!.AsArray(), s => s!["codec_type"]!.GetValue<string>() == "video");
        Assert.InRange(Duration(crashed), 1.0, 5);
        // And the offline remux turns it into a verified mp4.
        var remux = await RunOkAsync(obs, "record", "remux", mkv);
        Assert.InRange(Duration(await ProbeAsync(remux.Out.Trim())), 1.0, 5);
    }

    [Fact]
    public async Task Scene_file_applies_once_and_a_second_apply_changes_nothing()
    {
        var (clip, _) = await E2eContext.ClipAsync();
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: false));
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.None);
        var yaml = $$"""
            # A show: a clip with a colour grade, a logo-like colour block, a caption, a nested scene.
            sources:
              Clip:
                kind: media
                file: "{{clip.Path}}"
                loop: true
                filters:
                  - { name: Grade, kind: color_filter_v2, settings: { brightness: 0.1, saturation: 0.2 } }
              Block: { kind: color, color: "#3366FF", width: 160, height: 90 }
              Caption: { kind: text, text: "obs-faceswap", settings: { font: { face: Sans, size: 32 } } }
            scenes:
              - name: Main
                items:
                  - { source: Clip, position: [0, 0], scale: 0.5, crop: { left: 8, right: 8 } }
                  - { source: Block, position: [460, 250], rotation: 10, visible: true }
                  - { source: Caption, position: [20, 300], visible: false }
              - name: Wrapper
                items:
                  - { source: Main, scale: [0.5, 0.5] }
                  - { source: Block, position: [0, 0] }
            transition: { name: Fade, durationMs: 450 }
            program: Main
            """;
        var file = Path.Combine(obs.ArtifactDirectory, "show.yaml");
        await File.WriteAllTextAsync(file, yaml);
        var before = await SnapshotAsync(client);

        var dry = await RunOkAsync(obs, "scenes", "apply", file, "--dry-run");
        Assert.Equal(before, await SnapshotAsync(client));
        Assert.All(dry.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("would ", line, StringComparison.Ordinal));
        var first = await RunOkAsync(obs, "scenes", "apply", file);
        // The program scene the file names may take effect after the request's answer (a 450 ms Fade):
        // wait (bounded) for it before reading OBS's state, so the second apply sees the settled state.
        await E2eContext.WaitAsync(async () => (await client.RequestAsync("GetSceneList")).ResponseData!.Value.GetProperty("currentProgramSceneName").GetString() == "Main", TimeSpan.FromSeconds(5));
        var afterFirst = await SnapshotAsync(client);
        var second = await RunOkAsync(obs, "scenes", "apply", file);
        var afterSecond = await SnapshotAsync(client);
        await File.WriteAllTextAsync(Path.Combine(obs.ArtifactDirectory, "snapshot.json"), afterSecond);

        E2eContext.Log(output, "first apply:\n" + first.Out);
        Assert.Equal(dry.Out.Replace("would ", "", StringComparison.Ordinal), first.Out);
        Assert.Contains("create input 'Clip' (ffmpeg_source) in scene 'Main'", first.Out, StringComparison.Ordinal);
        Assert.Contains("create filter 'Grade' (color_filter_v2) on 'Clip'", first.Out, StringComparison.Ordinal);
        Assert.NotEqual(before, afterFirst);
        Assert.Equal("", second.Out);
        Assert.Contains("no change", second.Err, StringComparison.Ordinal);
        Assert.Equal(afterFirst, afterSecond);
        // What the file says is what OBS has.
        var items = (await client.RequestAsync("GetSceneItemList", new JsonObject { ["sceneName"] = "Main" })).ResponseData!.Value.GetProperty("sceneItems");
        var clipItem = items.EnumerateArray().Single(i => i.GetProperty("sourceName").GetString() == "Clip");
        Assert.Equal(0.5, clipItem.GetProperty("sceneItemTransform").GetProperty("scaleX").GetDouble(), 3);
        Assert.Equal(8, clipItem.GetProperty("sceneItemTransform").GetProperty("cropLeft").GetInt32());
        Assert.False(items.EnumerateArray().Single(i => i.GetProperty("sourceName").GetString() == "Caption").GetProperty("sceneItemEnabled").GetBoolean());
        var scenes = JsonNode.Parse((await RunOkAsync(obs, "scenes", "list", "--json")).Out)!;
        Assert.Equal("Main", scenes["programScene"]!.GetValue<string>());

        // A change in the file changes only that.
        await File.WriteAllTextAsync(file, yaml.Replace("brightness: 0.1", "brightness: 0.3", StringComparison.Ordinal));
        var third = await RunOkAsync(obs, "scenes", "apply", file);
        Assert.Equal("set filter 'Grade' on 'Clip' settings brightness=0.3\n", third.Out);

        // Malformed YAML: an error with the file and line, exit 22, no change in OBS.
        var snapshot = await SnapshotAsync(client);
        var broken = Path.Combine(obs.ArtifactDirectory, "broken.yaml");
        await File.WriteAllTextAsync(broken, "sources:\n  Block: { kind: color }\nscenes:\n  - name: Main\n    items:\n      - source: Block\n        position: [0, 0\n");
        var malformed = await RunAsync(obs, "scenes", "apply", broken);
        var typo = Path.Combine(obs.ArtifactDirectory, "typo.yaml");
        await File.WriteAllTextAsync(typo, "sources:\n  Block: { kind: color }\nscenes:\n  - name: Main\n    items:\n      - { source: Block, postion: [0, 0] }\n");
        var unknown = await RunAsync(obs, "scenes", "apply", typo);

        E2eContext.Log(output, malformed.Err + unknown.Err);
        Assert.Equal(22, malformed.Code);
        Assert.Matches($@"^obs-faceswap: {System.Text.RegularExpressions.Regex.Escape(broken)}:[78]: malformed YAML", malformed.Err);
        Assert.Equal(22, unknown.Code);
        Assert.Contains($"{typo}:6: unknown field 'postion'", unknown.Err, StringComparison.Ordinal);
        Assert.Equal(snapshot, await SnapshotAsync(client));

        // Switch with a transition.
        await RunOkAsync(obs, "scenes", "switch", "Wrapper", "--transition", "Cut");
        await E2eContext.WaitAsync(async () => (await client.RequestAsync("GetSceneList")).ResponseData!.Value.GetProperty("currentProgramSceneName").GetString() == "Wrapper", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Status_json_has_obs_stats_outputs_the_module_part_and_stream_targets()
    {
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true));
        await using (var client = await obs.ConnectAsync(ObsEventSubscriptions.None))
        {
            // OBS measures its fps over a second: wait until it has, rather than a fixed time that a loaded machine may not meet.
            await E2eContext.WaitAsync(
                async () => (await client.RequestAsync("GetStats")).ResponseData!.Value.GetProperty("activeFps").GetDouble() >= 20,
                TimeSpan.FromSeconds(20),
                throwOnTimeout: false);
        }

        var status = JsonNode.Parse((await RunOkAsync(obs, "status", "--json")).Out)!;
        var watch = await RunOkAsync(obs, "status", "--watch", "--count", "2", "--interval", "250", "--json");
        var text = await RunOkAsync(obs, "status");

        E2eContext.Log(output, status.ToJsonString());
        var stats = status["obs"]!;
        Assert.InRange(stats["activeFps"]!.GetValue<double>(), 20, 40);
        foreach (var field in new[] { "renderSkippedFrames", "renderTotalFrames", "outputSkippedFrames", "outputTotalFrames", "cpuUsage", "averageFrameRenderTimeMs" })
        {
            Assert.NotNull(stats[field]);
        }

        Assert.True(stats["renderTotalFrames"]!.GetValue<long>() > 0);
        Assert.False(status["stream"]!["active"]!.GetValue<bool>());
        Assert.False(status["record"]!["active"]!.GetValue<bool>());
        Assert.Equal("Scene", status["programScene"]!.GetValue<string>());
        // The module answers its vendor GetStats (no filter yet: an empty list, no host).
        var faceswap = status["faceswap"]!;
        Assert.Empty(faceswap["filters"]!.AsArray());
        Assert.False(faceswap["hostConnected"]!.GetValue<bool>());
        // Stream targets: a list when the module has them, else null and a note saying so.
        Assert.True(
            status["streamTargets"] is JsonArray
            || status["notes"]!.AsArray().Any(n => n!.GetValue<string>().Contains("ListStreamTargets", StringComparison.Ordinal)),
            status.ToJsonString());
        Assert.Equal(2, watch.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("fps", text.Out, StringComparison.Ordinal);
        Assert.Contains("faceswap   host not connected", text.Out, StringComparison.Ordinal);

        // Stream targets over the module's vendor requests; the key comes from a file and never shows.
        const string key = "live_e2e_secret_key_1234";
        var keyFile = Path.Combine(obs.ArtifactDirectory, "stream.key");
        await File.WriteAllTextAsync(keyFile, key + "\n");
        var add = await RunOkAsync(obs, "stream", "targets", "add", "backup", "--platform", "custom", "--server", "rtmp://127.0.0.1:1935/live",
            "--key-file", keyFile, "--encoder", "640x360@30:800", "--keyint", "1", "--no-auto-start");
        var own = await RunOkAsync(obs, "stream", "targets", "list", "--json");
        // Adding a name again replaces the target (here: the shared encoder, auto start).
        var update = await RunOkAsync(obs, "stream", "targets", "add", "backup", "--platform", "custom", "--server", "rtmp://127.0.0.1:1935/live", "--key-file", keyFile);
        var shared = await RunOkAsync(obs, "stream", "targets", "list", "--json");
        var withTargets = await RunOkAsync(obs, "status", "--json");
        await RunOkAsync(obs, "stream", "targets", "remove", "backup");
        var after = await RunOkAsync(obs, "stream", "targets", "list", "--json");
        var missing = await RunAsync(obs, "stream", "targets", "remove", "backup");

        E2eContext.Log(output, $"targets: {own.Out}");
        var target = Assert.Single(JsonNode.Parse(own.Out)!.AsArray())!;
        Assert.Equal(("backup", "custom", false), (target["name"]!.GetValue<string>(), target["platform"]!.GetValue<string>(), target["autoStart"]!.GetValue<bool>()));
        Assert.Equal(800, target["encoder"]!["bitrateKbps"]!.GetValue<int>());
        Assert.Equal("shared", Assert.Single(JsonNode.Parse(shared.Out)!.AsArray())!["encoder"]!.GetValue<string>());
        Assert.Equal("backup", JsonNode.Parse(withTargets.Out)!["streamTargets"]![0]!["name"]!.GetValue<string>());
        Assert.Empty(JsonNode.Parse(after.Out)!.AsArray());
        Assert.Equal(21, missing.Code);
        foreach (var run in new[] { add, own, update, shared, withTargets, after, missing })
        {
            Assert.DoesNotContain(key, run.Out + run.Err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Status_shows_the_hosts_stage_latency_and_the_face_count_of_a_running_filter()
    {
        BuildOutputs.EnsureModuleBuilt();
        BuildOutputs.EnsureHostBuilt();
        var (clip, _) = await E2eContext.ClipAsync();
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true));
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.None);
        await DiagnosticScene.SetUpAsync(client, clip, PrivacyScene.Settings());

        // The module fetches the host's stats every 2 s; the clip shows two faces in every frame.
        JsonNode? status = null;
        await E2eContext.WaitAsync(
            async () =>
            {
                status = JsonNode.Parse((await RunOkAsync(obs, "status", "--json")).Out)!;
                return status["faceswap"]?["filters"]?[0]?["faces"]?.GetValue<int>() == 2
                    && (status["faceswap"]?["host"]?["channels"]?[0]?["stages"] as JsonArray ?? [])
                        .Any(st => st!["name"]!.GetValue<string>() == "detect" && st["count"]!.GetValue<long>() > 0);
            },
            TimeSpan.FromSeconds(45),
            throwOnTimeout: false);
        var text = await RunOkAsync(obs, "status");

        E2eContext.Log(output, status!.ToJsonString());
        Assert.Equal(2, status["faceswap"]!["filters"]![0]!["faces"]!.GetValue<int>());
        E2eContext.Log(output, text.Out);
        var filter = status["faceswap"]!["filters"]![0]!;
        var channel = status["faceswap"]!["host"]!["channels"]!.AsArray().Single(c => c!["channelId"]!.GetValue<long>() == filter["channelId"]!.GetValue<long>())!;
        var detect = channel["stages"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "detect")!;
        Assert.True(detect["count"]!.GetValue<long>() > 0, channel.ToJsonString());
        Assert.InRange(detect["meanMs"]!.GetValue<double>(), 0.01, 1000);
        Assert.Equal(status["faceswap"]!["hostPid"]!.GetValue<int>(), status["faceswap"]!["host"]!["hostPid"]!.GetValue<int>());
        Assert.Contains(": 2 face(s);", text.Out, StringComparison.Ordinal);
        Assert.Matches(@"\n    stages .*detect \d+\.\d/\d+\.\d ms", text.Out);
        Assert.DoesNotMatch(@"stages .*swap", text.Out); // privacy mode runs no swap stage: not listed
    }

    [Fact]
    public async Task Stream_commands_drive_the_main_stream_two_targets_and_the_backup_recording()
    {
        BuildOutputs.EnsureModuleBuilt();
        var (clip, _) = await E2eContext.ClipAsync();
        await using var obs = await HeadlessObs.StartAsync(E2eContext.Options(output, module: true));
        await using var nginx = await NginxRtmpServer.StartAsync(Path.Combine(obs.ArtifactDirectory, "nginx"), ["main", "t1", "t2"], line => E2eContext.Log(output, line));
        await using var client = await obs.ConnectAsync(ObsEventSubscriptions.None);
        await DiagnosticScene.SetUpAsync(client, clip, filterSettings: null);
        var runs = new List<(string Command, int Code, string Out, string Err)>();
        async Task<(int Code, string Out, string Err)> Cli(params string[] args)
        {
            var r = await RunOkAsync(obs, args);
            runs.Add((string.Join(' ', args), r.Code, r.Out, r.Err));
            return r;
        }

        static string NewKey() => "live_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).ToLowerInvariant() + "_SeCrEt";
        var keys = new[] { NewKey(), NewKey() };
        var keyFiles = new List<string>();
        for (var i = 0; i < keys.Length; i++)
        {
            keyFiles.Add(Path.Combine(obs.ArtifactDirectory, $"t{i + 1}.key"));
            await File.WriteAllTextAsync(keyFiles[i], keys[i] + "\n");
        }

        // The main stream goes to nginx's "main" (no CLI command sets the stream service).
        await client.RequestAsync("SetStreamServiceSettings", new JsonObject
        {
            ["streamServiceType"] = "rtmp_custom",
            ["streamServiceSettings"] = new JsonObject { ["server"] = nginx.Url("main"), ["key"] = "main" },
        });
        await Cli("record", "configure", "--backup-while-streaming");
        await Cli("stream", "targets", "add", "T1", "--platform", "custom", "--server", nginx.Url("t1"), "--key-file", keyFiles[0]);
        await Cli("stream", "targets", "add", "T2", "--platform", "custom", "--server", nginx.Url("t2"), "--key-file", keyFiles[1]);

        async Task<bool> Recording() => (await client.RequestAsync("GetRecordStatus")).ResponseData!.Value.GetProperty("outputActive").GetBoolean();
        Assert.False(await Recording());
        var clock = Stopwatch.StartNew();
        var start = await Cli("stream", "start");
        Assert.Equal("stream started, backup recording started", start.Out.Trim());

        // status --json: the main stream and both (autoStart) targets active.
        JsonNode status = null!;
        string? State(JsonNode s, string name) => s["streamTargets"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == name)!["state"]!.GetValue<string>();
        await E2eContext.WaitAsync(async () =>
        {
            status = JsonNode.Parse((await Cli("status", "--json")).Out)!;
            return status["stream"]!["active"]!.GetValue<bool>() && State(status, "T1") == "active" && State(status, "T2") == "active";
        }, TimeSpan.FromSeconds(20));
        E2eContext.Log(output, $"stream and both targets active {clock.ElapsedMilliseconds} ms after `stream start`: {status.ToJsonString()}");
        // StartRecord answers before the output runs: wait (bounded) for it.
        await E2eContext.WaitAsync(Recording, TimeSpan.FromSeconds(10), throwOnTimeout: false);
        Assert.True(await Recording(), "`stream start` with --backup-while-streaming did not start a recording");

        // Every ingest receives data.
        await E2eContext.WaitAsync(() => nginx.Applications.All(a => nginx.RecordedBytes(a) > 300_000), TimeSpan.FromSeconds(15));
        var text = await Cli("status");
        Assert.Contains("T1 (custom): active", text.Out, StringComparison.Ordinal);
        Assert.Contains("T2 (custom): active", text.Out, StringComparison.Ordinal);

        // Stop only T1: it stops, T2 and the main stream keep flowing.
        var stopT1 = await Cli("stream", "stop", "--target", "T1");
        Assert.Equal("stream target 'T1' stopped", stopT1.Out.Trim());
        await E2eContext.WaitAsync(async () => State(JsonNode.Parse((await Cli("status", "--json")).Out)!, "T1") == "stopped", TimeSpan.FromSeconds(10));
        await Task.Delay(1000);
        var t1AtStop = nginx.RecordedBytes("t1");
        var t2AtStop = nginx.RecordedBytes("t2");
        var mainAtStop = nginx.RecordedBytes("main");
        await Task.Delay(3000);
        status = JsonNode.Parse((await Cli("status", "--json")).Out)!;
        E2eContext.Log(output, $"3 s after T1 stopped: t1 +{nginx.RecordedBytes("t1") - t1AtStop}, t2 +{nginx.RecordedBytes("t2") - t2AtStop}, main +{nginx.RecordedBytes("main") - mainAtStop} bytes");
        Assert.Equal(t1AtStop, nginx.RecordedBytes("t1"));
        Assert.True(nginx.RecordedBytes("t2") - t2AtStop > 100_000, "T2 stopped flowing when T1 was stopped");
        Assert.True(nginx.RecordedBytes("main") - mainAtStop > 100_000, "the main stream stopped flowing when T1 was stopped");
        Assert.Equal(("stopped", "active"), (State(status, "T1"), State(status, "T2")));
        Assert.True(status["stream"]!["active"]!.GetValue<bool>());
        Assert.True(await Recording());

        // Stop the rest: the main stream, T2 with it, and the backup recording.
        var stop = await Cli("stream", "stop");
        Assert.StartsWith("stream stopped, backup recording ", stop.Out, StringComparison.Ordinal);
        var backup = stop.Out.Trim()["stream stopped, backup recording ".Length..];
        await E2eContext.WaitAsync(async () =>
        {
            status = JsonNode.Parse((await Cli("status", "--json")).Out)!;
            return !status["stream"]!["active"]!.GetValue<bool>() && State(status, "T2") == "stopped";
        }, TimeSpan.FromSeconds(20));
        Assert.False(await Recording(), "`stream stop` left the backup recording running");
        Assert.Equal("stopped", State(status, "T1"));
        var backupProbe = await ProbeAsync(backup);
        E2eContext.Log(output, $"backup recording {backup}: {backupProbe["format"]?["duration"]} s");
        Assert.Contains(backupProbe["streams"]!.AsArray(), s => s!["codec_type"]!.GetValue<string>() == "video" && s["codec_name"]!.GetValue<string>() == "h264");
        Assert.InRange(Duration(backupProbe), 4, 60);
        await Task.Delay(1000);
        var t2AtEnd = nginx.RecordedBytes("t2");
        await Task.Delay(1500);
        Assert.Equal(t2AtEnd, nginx.RecordedBytes("t2"));

        foreach (var application in nginx.Applications)
        {
            var files = nginx.Recordings(application);
            var file = Assert.Single(files);
            var probe = await ProbeAsync(file.FullName);
            var codecs = probe["streams"]!.AsArray().Select(s => $"{s!["codec_type"]}:{s["codec_name"]}").ToList();
            E2eContext.Log(output, $"{application}: {file.Name} {file.Length} bytes, {probe["format"]?["duration"]} s, {string.Join(", ", codecs)}");
            Assert.Contains("video:h264", codecs);
            Assert.Contains("audio:aac", codecs);
        }

        // T1's file is the shorter: it stopped about 4 s before T2.
        Assert.True(Duration(await ProbeAsync(nginx.Recordings("t1")[0].FullName)) + 2 < Duration(await ProbeAsync(nginx.Recordings("t2")[0].FullName)));
        // Each target's key reached its ingest (nginx names the file by it) and never showed in any CLI output.
        Assert.StartsWith(keys[0] + "-", nginx.Recordings("t1")[0].Name, StringComparison.Ordinal);
        Assert.StartsWith(keys[1] + "-", nginx.Recordings("t2")[0].Name, StringComparison.Ordinal);
        E2eContext.Log(output, $"{runs.Count} CLI runs checked for the keys");
        foreach (var run in runs)
        {
            foreach (var key in keys)
            {
                Assert.False((run.Out + run.Err).Contains(key[5..^7], StringComparison.OrdinalIgnoreCase), $"a stream key appears in the output of obs-faceswap {run.Command}");
            }
        }
    }

    /// <summary>
    /// <c>record start</c>, then waits (bounded) until OBS reports <paramref name="length"/> recorded
    /// (GetRecordStatus outputDuration): StartRecord answers before the output runs, and a loaded
    /// machine starts it later, so a fixed delay would record less.
    /// </summary>
    private async Task RecordForAsync(HeadlessObs obs, ObsWebSocketClient client, TimeSpan length)
    {
        await RunOkAsync(obs, "record", "start");
        await E2eContext.WaitAsync(
            async () =>
            {
                var status = (await client.RequestAsync("GetRecordStatus")).ResponseData!.Value;
                return status.GetProperty("outputActive").GetBoolean() && status.GetProperty("outputDuration").GetDouble() >= length.TotalMilliseconds;
            },
            length + TimeSpan.FromSeconds(20));
    }

    private async Task<(int Code, string Out, string Err)> RunOkAsync(HeadlessObs obs, params string[] args)
    {
        var result = await RunAsync(obs, args);
        Assert.True(result.Code == 0, $"obs-faceswap {string.Join(' ', args)} exited {result.Code}: {result.Err}");
        return result;
    }

    private Task<(int Code, string Out, string Err)> RunAsync(HeadlessObs obs, params string[] args) => RunAsync(obs, args, null);

    /// <summary>Runs the CLI against <paramref name="obs"/>: the URL on the command line, the password in the environment.</summary>
    private async Task<(int Code, string Out, string Err)> RunAsync(HeadlessObs obs, string[] args, string? password)
    {
        if (!File.Exists(CliPath))
        {
            throw new FileNotFoundException($"The CLI {CliPath} does not exist: build it (bash scripts/build.sh) or set OBS_FACESWAP_CLI.", CliPath);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliPath);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // Offline commands (record remux) take no --url.
        if (args is not ["record", "remux", ..])
        {
            info.ArgumentList.Add("--url");
            info.ArgumentList.Add($"ws://127.0.0.1:{obs.Port}");
        }

        info.Environment["OBS_WEBSOCKET_PASSWORD"] = password ?? obs.Password;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"obs-faceswap {string.Join(' ', args)} did not finish within 60 s");
        }

        var result = (process.ExitCode, await stdout, await stderr);
        E2eContext.Log(output, $"obs-faceswap {string.Join(' ', args)} -> {result.ExitCode}{(result.Item3.Length > 0 ? $" ({result.Item3.Trim()})" : "")}");
        return result;
    }

    /// <summary>What a scene file touches, as one JSON text: scenes, items with transforms, inputs with settings and filters, the transition.</summary>
    private static async Task<string> SnapshotAsync(ObsWebSocketClient client)
    {
        async Task<JsonNode?> Get(string request, JsonObject? data = null) =>
            JsonNode.Parse((await client.RequestAsync(request, data)).ResponseData!.Value.GetRawText());
        var snapshot = new JsonObject { ["scenes"] = await Get("GetSceneList") };
        var items = new JsonObject();
        foreach (var scene in snapshot["scenes"]!["scenes"]!.AsArray())
        {
            var name = scene!["sceneName"]!.GetValue<string>();
            var list = await Get("GetSceneItemList", new JsonObject { ["sceneName"] = name });
            // width/height/sourceWidth/sourceHeight are what OBS derives from the source's current size:
            // a media source reports 0 until its first frame decodes, which may happen between two snapshots.
            // They are not something a scene file sets, so they stay out of the comparison.
            foreach (var item in list!["sceneItems"]!.AsArray())
            {
                var transform = item!["sceneItemTransform"]!.AsObject();
                foreach (var derived in new[] { "width", "height", "sourceWidth", "sourceHeight" })
                {
                    transform.Remove(derived);
                }
            }

            items[name] = list;
        }

        snapshot["items"] = items;
        var inputs = new JsonObject();
        foreach (var input in (await Get("GetInputList"))!["inputs"]!.AsArray())
        {
            var name = input!["inputName"]!.GetValue<string>();
            inputs[name] = new JsonObject
            {
                ["settings"] = await Get("GetInputSettings", new JsonObject { ["inputName"] = name }),
                ["filters"] = await Get("GetSourceFilterList", new JsonObject { ["sourceName"] = name }),
            };
        }

        snapshot["inputs"] = inputs;
        snapshot["transition"] = await Get("GetCurrentSceneTransition");
        return snapshot.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static async Task<string?> ProfileAsync(ObsWebSocketClient client, string category, string name) =>
        (await client.RequestAsync("GetProfileParameter", new JsonObject { ["parameterCategory"] = category, ["parameterName"] = name }))
            .ResponseData!.Value.GetProperty("parameterValue").GetString();

    private static async Task<JsonNode> ProbeAsync(string path)
    {
        Assert.True(File.Exists(path), $"{path} does not exist");
        var json = await ExternalTool.RunAsync(
            "ffprobe",
            ["-v", "error", "-show_entries", "format=duration,format_name:stream=codec_type,codec_name", "-of", "json", path],
            TimeSpan.FromSeconds(20));
        return JsonNode.Parse(json)!;
    }

    private static double Duration(JsonNode probe) =>
        double.Parse(probe["format"]!["duration"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    /// <summary>Whether an ISO BMFF file has a top-level box of this type.</summary>
    private static bool HasBox(string path, string type)
    {
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        while (stream.Position + 8 <= stream.Length)
        {
            stream.ReadExactly(header[..8]);
            long size = (uint)(header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3]);
            var name = System.Text.Encoding.ASCII.GetString(header[4..8]);
            if (name == type)
            {
                return true;
            }

            if (size == 1)
            {
                stream.ReadExactly(header[8..16]);
                size = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(header[8..16]);
                stream.Seek(size - 16, SeekOrigin.Current);
            }
            else if (size < 8)
            {
                return false;
            }
            else
            {
                stream.Seek(size - 8, SeekOrigin.Current);
            }
        }

        return false;
    }
}
