using System.Text.Json;
using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Cli;
using ObsFaceSwap.Host.Stats;
using ObsFaceSwap.Host.Tests.Pipeline;

namespace ObsFaceSwap.Host.Tests.Cli;

public sealed class StatsCommandTests
{
    [Fact]
    public async Task Stats_prints_a_table_or_the_JSON_of_a_running_host()
    {
        await using var server = TestServer.Start();
        await using var shim = await server.ConnectWithHelloAsync();
        var channel = await shim.OpenChannelAsync(FakeShim.BgraChannel(5, 64, 48));
        await FakeShim.RoundTripAsync(channel, FrameSpec.Bgra(64, 48), Images.GradientBgra(64, 48));

        using var json = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await StatsCommand.RunAsync(server.Endpoint.Address, json: true, json, error, CancellationToken.None));
        var reply = JsonSerializer.Deserialize(json.ToString(), StatsJsonContext.Default.StatsReply);
        Assert.NotNull(reply);
        Assert.Equal(5UL, Assert.Single(reply.Channels).ChannelId);
        Assert.Equal(string.Empty, error.ToString());

        using var table = new StringWriter();
        Assert.Equal(0, await StatsCommand.RunAsync(server.Endpoint.Address, json: false, table, error, CancellationToken.None));
        var text = table.ToString();
        Assert.Contains($"pid {Environment.ProcessId}", text, StringComparison.Ordinal);
        Assert.Contains("1 channel(s)", text, StringComparison.Ordinal);
        Assert.Contains("stage diagnostic", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_without_a_host_fails_with_a_clear_message_and_exit_code_4()
    {
        var dir = Directory.CreateTempSubdirectory("ofs-stats-");
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await StatsCommand.RunAsync(Path.Combine(dir.FullName, "none.sock"), json: true, output, error, CancellationToken.None);
            Assert.Equal(4, code);
            Assert.Contains("no host answers at", error.ToString(), StringComparison.Ordinal);
            Assert.Equal(string.Empty, output.ToString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_table_of_a_host_without_channels_says_so()
    {
        var text = StatsCommand.FormatTable(new StatsReply(12, 3.5, []));
        Assert.Contains("pid 12, up 3.5 s, 0 channel(s)", text, StringComparison.Ordinal);
    }
}
