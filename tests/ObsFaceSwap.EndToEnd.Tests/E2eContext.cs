using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ObsFaceSwap.Obs;
using ObsFaceSwap.Testing;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Obs;
using ObsFaceSwap.Testing.Processes;
using ObsFaceSwap.Testing.Scenario;
using ObsFaceSwap.Testing.Video;
using Xunit.Abstractions;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>What every end-to-end test shares: the clip (made once), options, logging.</summary>
internal static class E2eContext
{
    private static readonly Lazy<Task<(TestClip Clip, IReadOnlyList<VideoFrame> Frames)>> SharedClip = new(async () =>
    {
        var clip = await TestClip.EnsureAsync();
        return (clip, await clip.DecodeFramesAsync());
    });

    /// <summary>Warm-up left out of the shares (the media source and the pipeline settle).</summary>
    public const double WarmUpSeconds = 1.0;

    public static Task<(TestClip Clip, IReadOnlyList<VideoFrame> Frames)> ClipAsync() => SharedClip.Value;

    public static async Task<DiagnosticAnalyzer> AnalyzerAsync()
    {
        var (clip, frames) = await ClipAsync();
        return new DiagnosticAnalyzer(frames, clip.Spec);
    }

    public static HeadlessObsOptions Options(ITestOutputHelper output, bool module, string? hostPath = null, [CallerMemberName] string name = "") => new()
    {
        Name = name,
        LoadFaceSwapModule = module,
        HostPath = hostPath,
        Log = line => Log(output, line),
    };

    /// <summary>
    /// Starts OBS with the module (and the built host), connects, sets up the clip scene with the
    /// filter and <paramref name="filterSettings"/>, and waits (bounded) until the module consumed
    /// its first result. Dispose the run to stop the client and OBS.
    /// </summary>
    public static async Task<FilterRun> StartFilterAsync(
        ITestOutputHelper output, JsonObject filterSettings, TimeSpan firstResultBound, [CallerMemberName] string name = "")
    {
        BuildOutputs.EnsureModuleBuilt();
        BuildOutputs.EnsureHostBuilt();
        var (clip, _) = await ClipAsync();
        var obs = await HeadlessObs.StartAsync(Options(output, module: true, name: name));
        ObsWebSocketClient? client = null;
        try
        {
            client = await obs.ConnectAsync();
            await DiagnosticScene.SetUpAsync(client, clip, filterSettings);
            var (_, firstResult) = await FaceSwapStats.WaitForVendorCounterAsync(client, "resultsConsumed", 0, firstResultBound);
            return new FilterRun(obs, client, firstResult);
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            await obs.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls a condition every 100 ms until it holds; throws <see cref="TimeoutException"/> after <paramref name="timeout"/> unless told not to.</summary>
    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, bool throwOnTimeout = true) =>
        WaitAsync(() => Task.FromResult(condition()), timeout, throwOnTimeout);

    /// <inheritdoc cref="WaitAsync(Func{bool}, TimeSpan, bool)"/>
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, bool throwOnTimeout = true)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                if (throwOnTimeout)
                {
                    throw new TimeoutException($"condition not met within {timeout.TotalSeconds:0} s");
                }

                return;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// A 30 fps recording holds about 30 frames a second of the time it can have run: at least
    /// 85 % of <see cref="TimedRecording.AtLeast"/> (frames OBS skips when the encoder lags) and
    /// at most 110 % of <see cref="TimedRecording.AtMost"/>. Both come from this machine's clock,
    /// so a slow StartRecord or StopRecord on a loaded machine moves the bounds with it, while a
    /// recording with missing or doubled stretches still fails.
    /// </summary>
    public static void AssertFrameCount(int frames, TimedRecording recording, double fps = 30) =>
        Assert.InRange(frames, 0.85 * fps * recording.AtLeast.TotalSeconds, 1.1 * fps * recording.AtMost.TotalSeconds);

    public static void Log(ITestOutputHelper output, string line)
    {
        try
        {
            output.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished (a late line from a background task).
        }
    }

    /// <summary>
    /// SIGKILLs the host mid-recording and waits (bounded) until a new host process exists and
    /// the module consumes new results again; asserts that the old host died, a new one came and
    /// results came back. Returns when the kill happened (a Stopwatch timestamp), the new host
    /// and the wall-clock recovery time.
    /// </summary>
    public static async Task<(long Killed, ProcessIdentity NewHost, double RecoveryWallMs)> KillHostAsync(
        ITestOutputHelper output, HeadlessObs obs, ObsWebSocketClient client, ProcessIdentity oldHost, double consumedAtKill, long recordingStarted, TimeSpan bound)
    {
        Assert.True(oldHost.IsAlive, "the host died before the test killed it");
        var killed = Stopwatch.GetTimestamp();
        Posix.Signal(oldHost.Pid, Posix.SigKill);
        Log(output, $"SIGKILL host pid {oldHost.Pid} at {Stopwatch.GetElapsedTime(recordingStarted, killed).TotalSeconds:0.000} s into the recording");

        ProcessIdentity? newHost = null;
        var recoveryWallMs = double.NaN;
        while (Stopwatch.GetElapsedTime(killed) < bound)
        {
            obs.EnsureRunning();
            newHost ??= obs.FindHostProcesses().Where(p => p.Pid != oldHost.Pid).Select(p => (ProcessIdentity?)p).FirstOrDefault();
            var consumed = JsonCounters.Sum(await FaceSwapStats.GetVendorStatsAsync(client), "resultsConsumed");
            // A result the old host left READY may still be consumed once; ask for a few more.
            if (newHost is not null && consumed > consumedAtKill + 3)
            {
                recoveryWallMs = Stopwatch.GetElapsedTime(killed).TotalMilliseconds;
                break;
            }

            await Task.Delay(50);
        }

        Assert.False(oldHost.IsAlive, $"host pid {oldHost.Pid} survived SIGKILL");
        Assert.True(newHost is not null, $"no new host process within {bound.TotalSeconds:0} s of the kill");
        Assert.False(double.IsNaN(recoveryWallMs), $"no new results within {bound.TotalSeconds:0} s of the kill (new host pid {newHost?.Pid})");
        Log(output, $"new host pid {newHost!.Value.Pid}; results back {recoveryWallMs:0} ms after the kill (vendor GetStats, polled)");
        return (killed, newHost.Value, recoveryWallMs);
    }
}

/// <summary>One test's OBS playing the clip through the filter, and its client (<see cref="E2eContext.StartFilterAsync"/>).</summary>
/// <param name="Obs">The OBS.</param>
/// <param name="Client">A client subscribed to all events.</param>
/// <param name="FirstResult">How long after set-up the module consumed its first result.</param>
internal sealed record FilterRun(HeadlessObs Obs, ObsWebSocketClient Client, TimeSpan FirstResult) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Obs.DisposeAsync();
    }
}
