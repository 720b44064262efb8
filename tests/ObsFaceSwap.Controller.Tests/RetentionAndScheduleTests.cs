using ObsFaceSwap.Controller.Recording;

namespace ObsFaceSwap.Controller.Tests;

public sealed class RetentionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static RecordingFile F(string name, double gb, double daysAgo) => new($"/rec/{name}", (long)(gb * 1e9), Now - TimeSpan.FromDays(daysAgo));

    private static readonly RecordingFile[] Files = [F("a.mkv", 4, 10), F("b.mp4", 3, 5), F("c.mp4", 2, 2), F("d.mkv", 1, 1)];

    [Fact]
    public void Keep_gb_keeps_the_newest_files_within_the_size()
    {
        var selected = RetentionPolicy.Select(Files, (long)3.5e9, null, Now, recording: false);

        // d (1) + c (2) = 3 GB fit; b would make 6; a too. Oldest first.
        Assert.Equal(["/rec/a.mkv", "/rec/b.mp4"], selected.Select(f => f.Path));
    }

    [Fact]
    public void Keep_days_deletes_older_files()
    {
        var selected = RetentionPolicy.Select(Files, null, TimeSpan.FromDays(3), Now, recording: false);

        Assert.Equal(["/rec/a.mkv", "/rec/b.mp4"], selected.Select(f => f.Path));
    }

    [Fact]
    public void Either_rule_selects_a_file()
    {
        var selected = RetentionPolicy.Select(Files, (long)1.5e9, TimeSpan.FromDays(7), Now, recording: false);

        Assert.Equal(["/rec/a.mkv", "/rec/b.mp4", "/rec/c.mp4"], selected.Select(f => f.Path));
    }

    [Fact]
    public void The_file_being_written_is_never_selected()
    {
        RecordingFile[] files = [.. Files, new("/rec/live.mkv", (long)50e9, Now - TimeSpan.FromSeconds(5))];
        // While recording, the newest file is kept even when it was last written long ago (a paused recording).
        RecordingFile[] paused = [F("old.mp4", 1, 30), F("paused.mkv", 9, 20)];

        var selected = RetentionPolicy.Select(files, 0, null, Now, recording: true);
        var whilePaused = RetentionPolicy.Select(paused, 0, TimeSpan.FromDays(1), Now, recording: true);
        var stopped = RetentionPolicy.Select(paused, 0, TimeSpan.FromDays(1), Now, recording: false);

        Assert.DoesNotContain(selected, f => f.Path == "/rec/live.mkv");
        Assert.Equal(4, selected.Count);
        Assert.Equal(["/rec/old.mp4"], whilePaused.Select(f => f.Path));
        Assert.Equal(2, stopped.Count);
    }

    [Fact]
    public void A_rule_is_required()
    {
        Assert.Throws<ArgumentException>(() => RetentionPolicy.Select(Files, null, null, Now, false));
        Assert.Throws<ArgumentException>(() => RetentionPolicy.Select(Files, -1, null, Now, false));
    }

    [Fact]
    public void Lists_only_recordings()
    {
        var dir = Directory.CreateTempSubdirectory("ofs-retention-").FullName;
        try
        {
            foreach (var name in new[] { "a.mkv", "b.MP4", "notes.txt", "c.flv" })
            {
                File.WriteAllText(Path.Combine(dir, name), "x");
            }

            Assert.Equal(["a.mkv", "b.MP4", "c.flv"], RetentionPolicy.List(dir).Select(f => Path.GetFileName(f.Path)).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

public sealed class RecordScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 20, 30, 0, TimeSpan.FromHours(1));

    [Fact]
    public void Relative_times_count_from_now_and_from_the_start()
    {
        var s = RecordSchedule.Parse("+90s", "+15m", Now);

        Assert.Equal(Now.AddSeconds(90), s.Start);
        Assert.Equal(Now.AddSeconds(90).AddMinutes(15), s.Stop);
        Assert.Equal(Now, RecordSchedule.Parse("now", "+1h", Now).Start);
        Assert.Equal(Now.AddHours(1.5), RecordSchedule.Parse("now", "+1.5h", Now).Stop);
    }

    [Fact]
    public void Times_of_day_are_the_next_such_moment()
    {
        var later = RecordSchedule.Parse("21:00", "22:15:30", Now);
        var tomorrow = RecordSchedule.Parse("08:00", "09:00", Now);
        var overMidnight = RecordSchedule.Parse("23:30", "00:30", Now);

        Assert.Equal(new DateTimeOffset(2026, 11, 21, 21, 0, 0, Now.Offset), later.Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 22, 15, 30, Now.Offset), later.Stop);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 8, 0, 0, Now.Offset), tomorrow.Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 30, 0, Now.Offset), overMidnight.Stop);
    }

    [Fact]
    public void Iso_date_times_are_accepted()
    {
        var s = RecordSchedule.Parse("2026-11-21T21:00:00+01:00", "2026-11-21T21:30:00+01:00", Now);

        Assert.Equal(TimeSpan.FromMinutes(30), s.Stop - s.Start);
    }

    [Theory]
    [InlineData("+10m", "+0s", "not after")]
    [InlineData("2026-11-21T19:00:00+01:00", "+1h", "in the past")]
    [InlineData("now", "+25h", "at most 24 h")]
    [InlineData("tomorrow", "+1h", "is not now")]
    [InlineData("now", "25:00", "is not now")]
    [InlineData("now", "+5x", "is not now")]
    public void Bad_schedules_are_refused(string start, string stop, string problem)
    {
        var e = Assert.Throws<FormatException>(() => RecordSchedule.Parse(start, stop, Now));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scheduler_starts_waits_and_stops()
    {
        var recording = false;
        var obs = new FakeObs()
            .On("StartRecord", _ => { recording = true; return null; })
            .On("StopRecord", _ => { recording = false; return System.Text.Json.Nodes.JsonNode.Parse("""{"outputPath":"/rec/x.mkv"}"""); })
            .On("GetRecordStatus", _ => new System.Text.Json.Nodes.JsonObject { ["outputActive"] = recording });
        var now = DateTimeOffset.UtcNow;
        var schedule = new RecordSchedule(now.AddMilliseconds(200), now.AddMilliseconds(600));
        var lines = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await RecordScheduler.RunAsync(new RecordController(obs), schedule, TimeProvider.System, lines.Add, CancellationToken.None);

        Assert.InRange(clock.ElapsedMilliseconds, 550, 5000);
        Assert.Equal("/rec/x.mkv", result.Path);
        Assert.Equal("StartRecord", obs.Types.First());
        Assert.Contains("StopRecord", obs.Types);
        Assert.Equal(2, lines.Count);
    }

    [Fact]
    public async Task Cancelling_the_scheduler_stops_the_recording()
    {
        var obs = new FakeObs().On("StopRecord", """{"outputPath":"/rec/x.mkv"}""");
        var now = DateTimeOffset.UtcNow;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            RecordScheduler.RunAsync(new RecordController(obs), new RecordSchedule(now, now.AddHours(1)), TimeProvider.System, _ => { }, cts.Token));

        Assert.Equal(["StartRecord", "StopRecord"], obs.Types.Where(t => t.EndsWith("Record", StringComparison.Ordinal)));
    }
}
