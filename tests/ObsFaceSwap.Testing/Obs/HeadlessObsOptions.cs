namespace ObsFaceSwap.Testing.Obs;

/// <summary>How <see cref="HeadlessObs"/> starts OBS.</summary>
public sealed record HeadlessObsOptions
{
    /// <summary>The run's name: its artifacts go to <c>.e2e/NAME/</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The artifact folder (emptied first); null for <c>.e2e/NAME/</c>.</summary>
    public string? ArtifactDirectory { get; init; }

    /// <summary>Load obs-faceswap.so from <see cref="BuildOutputs.ModuleDirectory"/> (OBS_PLUGINS_PATH).</summary>
    public bool LoadFaceSwapModule { get; init; }

    /// <summary>The host executable OBS's module starts (OBS_FACESWAP_HOST); null uses <see cref="BuildOutputs.HostPath"/>.</summary>
    public string? HostPath { get; init; }

    /// <summary>Canvas and output width.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Canvas and output height.</summary>
    public int Height { get; init; } = 360;

    /// <summary>Frames per second.</summary>
    public int Fps { get; init; } = 30;

    /// <summary>x264 bitrate of recordings; high enough that pixel comparisons stay tight.</summary>
    public int VideoBitrateKbps { get; init; } = 4000;

    /// <summary>Recording container: <c>mkv</c> or <c>mp4</c>.</summary>
    public string RecordingFormat { get; init; } = "mkv";

    /// <summary>
    /// Write the profile in OBS's Advanced output mode (<c>[Output] Mode=Advanced</c>, standard
    /// recording with the stream encoder, x264 CBR at <see cref="VideoBitrateKbps"/>) instead of Simple.
    /// </summary>
    public bool AdvancedOutput { get; init; }

    /// <summary>Bound on Xvfb and OBS starting and obs-websocket answering.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long OBS may take to exit after SIGINT before it gets SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Receives progress lines (e.g. a test's output); null discards them.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for values out of range.</summary>
    public void Validate()
    {
        if (Width is < 64 or > 4096 || Height is < 64 or > 4096 || Width % 2 != 0 || Height % 2 != 0)
        {
            throw new ArgumentException("Width and Height must be even and within 64..4096.");
        }

        if (Fps is < 1 or > 120)
        {
            throw new ArgumentException("Fps must be within 1..120.", nameof(Fps));
        }

        if (RecordingFormat is not ("mkv" or "mp4"))
        {
            throw new ArgumentException("RecordingFormat must be mkv or mp4.", nameof(RecordingFormat));
        }
    }
}
