using ObsFaceSwap.Controller.Recording;

namespace ObsFaceSwap.Controller.Tests;

public sealed class RecordPlannerTests
{
    private static List<string> Writes(RecordPlan plan) => plan.Writes.Select(w => w.ToString()).ToList();

    [Theory]
    [InlineData("mkv", "[SimpleOutput] RecFormat=mkv")]
    [InlineData("mp4", "[SimpleOutput] RecFormat=mp4")]
    [InlineData("mov", "[SimpleOutput] RecFormat=mov")]
    [InlineData("flv", "[SimpleOutput] RecFormat=flv")]
    public void Simple_mode_sets_the_container(string container, string write)
    {
        var plan = RecordPlanner.Plan(new RecordConfiguration { Container = RecordContainers.Parse(container) }, "Simple", 29, null);

        Assert.Equal([write], Writes(plan));
    }

    [Fact]
    public void Fragmented_mp4_on_obs29_is_mp4_with_fragmenting_muxer_settings()
    {
        var simple = RecordPlanner.Plan(new RecordConfiguration { Container = RecordContainer.FragmentedMp4 }, "Simple", 29, "");
        var advanced = RecordPlanner.Plan(new RecordConfiguration { Container = RecordContainer.FragmentedMp4 }, "Advanced", 29, "");
        var obs30 = RecordPlanner.Plan(new RecordConfiguration { Container = RecordContainer.FragmentedMp4 }, "Simple", 30, "");

        Assert.Equal(["[SimpleOutput] RecFormat=mp4", $"[SimpleOutput] MuxerCustom={RecordContainers.FragmentedMp4MuxerSettings}"], Writes(simple));
        Assert.Equal(["[AdvOut] RecFormat=mp4", $"[AdvOut] RecMuxerCustom={RecordContainers.FragmentedMp4MuxerSettings}"], Writes(advanced));
        Assert.Equal(["[SimpleOutput] RecFormat2=fragmented_mp4"], Writes(obs30));
    }

    [Fact]
    public void Leaving_fragmented_mp4_clears_our_muxer_settings_only()
    {
        var ours = RecordPlanner.Plan(new RecordConfiguration { Container = RecordContainer.Mkv }, "Simple", 29, RecordContainers.FragmentedMp4MuxerSettings);
        var users = RecordPlanner.Plan(new RecordConfiguration { Container = RecordContainer.Mkv }, "Simple", 29, "movflags=faststart");

        Assert.Equal(["[SimpleOutput] RecFormat=mkv", "[SimpleOutput] MuxerCustom="], Writes(ours));
        Assert.Equal(["[SimpleOutput] RecFormat=mkv"], Writes(users));
    }

    [Fact]
    public void Crash_safe_records_mkv_and_remembers_the_final_container()
    {
        var plan = RecordPlanner.Plan(new RecordConfiguration { CrashSafe = true, Container = RecordContainer.Mov }, "Simple", 29, null);
        var defaultMp4 = RecordPlanner.Plan(new RecordConfiguration { CrashSafe = true }, "Simple", 29, null);
        var off = RecordPlanner.Plan(new RecordConfiguration { CrashSafe = false }, "Simple", 29, null);

        Assert.Equal(["[ObsFaceSwap] CrashSafe=true", "[ObsFaceSwap] CrashSafeRemuxTo=mov", "[SimpleOutput] RecFormat=mkv"], Writes(plan));
        Assert.Contains("[ObsFaceSwap] CrashSafeRemuxTo=mp4", Writes(defaultMp4));
        Assert.Equal(["[ObsFaceSwap] CrashSafe=false"], Writes(off));
        Assert.Throws<ArgumentException>(() => RecordPlanner.Plan(new RecordConfiguration { CrashSafe = true, Container = RecordContainer.Mkv }, "Simple", 29, null));
    }

    [Fact]
    public void Splitting_needs_advanced_mode()
    {
        var e = Assert.Throws<ArgumentException>(() => RecordPlanner.Plan(new RecordConfiguration { SplitMinutes = 30 }, "Simple", 29, null));
        var minutes = RecordPlanner.Plan(new RecordConfiguration { SplitMinutes = 30 }, "Advanced", 29, null);
        var size = RecordPlanner.Plan(new RecordConfiguration { SplitMegabytes = 2048 }, "Advanced", 29, null);

        Assert.Contains("Advanced", e.Message, StringComparison.Ordinal);
        Assert.Equal(["[AdvOut] RecSplitFile=true", "[AdvOut] RecSplitFileType=Time", "[AdvOut] RecSplitFileTime=30"], Writes(minutes));
        Assert.Equal(["[AdvOut] RecSplitFile=true", "[AdvOut] RecSplitFileType=Size", "[AdvOut] RecSplitFileSize=2048"], Writes(size));
    }

    [Theory]
    [InlineData(30, 100, null)]
    [InlineData(0, null, null)]
    [InlineData(null, 0, null)]
    [InlineData(null, null, "a/b")]
    [InlineData(null, null, "")]
    public void Invalid_options_are_refused(int? minutes, int? mb, string? template)
    {
        Assert.Throws<ArgumentException>(() => RecordPlanner.Plan(
            new RecordConfiguration { SplitMinutes = minutes, SplitMegabytes = mb, FilenameTemplate = template }, "Advanced", 29, null));
    }

    [Fact]
    public void Filename_template_and_backup_go_to_their_sections()
    {
        var plan = RecordPlanner.Plan(new RecordConfiguration { FilenameTemplate = "%CCYY-%MM-%DD %hh-%mm-%ss", BackupWhileStreaming = true }, "Simple", 29, null);

        Assert.Equal(["[Output] FilenameFormatting=%CCYY-%MM-%DD %hh-%mm-%ss", "[ObsFaceSwap] BackupWhileStreaming=true"], Writes(plan));
        Assert.Single(plan.Notes);
    }

    [Theory]
    [InlineData("1080p60", 1920, 1080, 60, 12000)]
    [InlineData("1080p30", 1920, 1080, 30, 10000)]
    [InlineData("720p60", 1280, 720, 60, 7500)]
    [InlineData("720P30", 1280, 720, 30, 5000)]
    public void Presets_set_output_size_fps_and_bitrate(string name, int width, int height, int fps, int kbps)
    {
        var preset = RecordPreset.Get(name);
        var simple = RecordPlanner.Plan(new RecordConfiguration { Preset = preset }, "Simple", 29, null);
        var advanced = RecordPlanner.Plan(new RecordConfiguration { Preset = preset }, "Advanced", 29, null);

        Assert.Equal(new VideoSettings(width, height, fps, 1), simple.Video);
        Assert.Equal([$"[SimpleOutput] VBitrate={kbps}"], Writes(simple));
        // Advanced mode's bitrate lives in recordEncoder.json: a note, no write.
        Assert.Equal(new VideoSettings(width, height, fps, 1), advanced.Video);
        Assert.Empty(advanced.Writes);
        Assert.Contains(advanced.Notes, n => n.Contains(kbps.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_preset_and_container_name_the_choices()
    {
        Assert.Contains("720p30", Assert.Throws<ArgumentException>(() => RecordPreset.Get("4k")).Message, StringComparison.Ordinal);
        Assert.Contains("fragmented-mp4", Assert.Throws<ArgumentException>(() => RecordContainers.Parse("avi")).Message, StringComparison.Ordinal);
        Assert.Equal(4, RecordPreset.All.Count);
    }

    [Fact]
    public async Task Configure_sends_video_settings_then_the_profile_parameters()
    {
        var obs = new FakeObs()
            .On("GetVersion", """{"obsVersion":"29.0.2"}""")
            .On("GetProfileParameter", d => d!["parameterName"]!.GetValue<string>() == "Mode" ? System.Text.Json.Nodes.JsonNode.Parse("""{"parameterValue":"Simple"}""") : null)
            .On("GetRecordStatus", """{"outputActive":false}""");

        await new RecordController(obs).ConfigureAsync(new RecordConfiguration { Preset = RecordPreset.Get("720p30"), Container = RecordContainer.Mp4 });

        var sent = obs.Requests.Where(r => r.Type.StartsWith("Set", StringComparison.Ordinal)).ToList();
        Assert.Equal(["SetVideoSettings", "SetProfileParameter", "SetProfileParameter"], sent.Select(r => r.Type));
        Assert.Equal(1280, sent[0].Data!["outputWidth"]!.GetValue<int>());
        Assert.Equal(30, sent[0].Data!["fpsNumerator"]!.GetValue<int>());
        Assert.Equal(("SimpleOutput", "RecFormat", "mp4"), (sent[1].Data!["parameterCategory"]!.GetValue<string>(), sent[1].Data!["parameterName"]!.GetValue<string>(), sent[1].Data!["parameterValue"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_preset_is_refused_while_recording()
    {
        var obs = new FakeObs().On("GetVersion", """{"obsVersion":"29.0.2"}""").On("GetRecordStatus", """{"outputActive":true}""");

        await Assert.ThrowsAsync<ControllerException>(() => new RecordController(obs).ConfigureAsync(new RecordConfiguration { Preset = RecordPreset.Get("720p30") }));
        Assert.DoesNotContain("SetVideoSettings", obs.Types);
    }
}
