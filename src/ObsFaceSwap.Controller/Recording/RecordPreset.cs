namespace ObsFaceSwap.Controller.Recording;

/// <summary>
/// A recording preset: output resolution, frame rate and video bitrate. The bitrates are YouTube's
/// recommended H.264 upload bitrates for SDR (1080p60 12 Mbps, 1080p30 10 Mbps, 720p60 7.5 Mbps, 720p30 5 Mbps).
/// </summary>
/// <param name="Name">The name on the command line, e.g. <c>1080p60</c>.</param>
/// <param name="Width">Output width.</param>
/// <param name="Height">Output height.</param>
/// <param name="Fps">Frames per second (integer).</param>
/// <param name="VideoBitrateKbps">Video bitrate.</param>
public sealed record RecordPreset(string Name, int Width, int Height, int Fps, int VideoBitrateKbps)
{
    /// <summary>Every preset.</summary>
    public static IReadOnlyList<RecordPreset> All { get; } =
    [
        new("1080p60", 1920, 1080, 60, 12000),
        new("1080p30", 1920, 1080, 30, 10000),
        new("720p60", 1280, 720, 60, 7500),
        new("720p30", 1280, 720, 30, 5000),
    ];

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such preset.</exception>
    public static RecordPreset Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown preset '{name}' (one of {string.Join(", ", All.Select(p => p.Name))})", nameof(name));
}

/// <summary>Recording containers of <c>record configure --container</c>.</summary>
public enum RecordContainer
{
    /// <summary>Matroska: survives a crash (everything written so far stays readable).</summary>
    Mkv,

    /// <summary>MP4: unreadable if OBS dies before it finishes the file.</summary>
    Mp4,

    /// <summary>QuickTime MOV: as MP4.</summary>
    Mov,

    /// <summary>FLV.</summary>
    Flv,

    /// <summary>Fragmented MP4: readable after a crash up to the last fragment. OBS 30+ natively; on OBS 29 an MP4 with <c>movflags=frag_keyframe+empty_moov</c> muxer settings.</summary>
    FragmentedMp4,
}

/// <summary>Names of <see cref="RecordContainer"/> on the command line and in OBS.</summary>
public static class RecordContainers
{
    /// <summary>The muxer settings that make OBS 29's MP4 muxer write fragments.</summary>
    public const string FragmentedMp4MuxerSettings = "movflags=frag_keyframe+empty_moov+default_base_moof";

    /// <summary>Parses <c>mkv|mp4|mov|flv|fragmented-mp4</c>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static RecordContainer Parse(string text) => text.ToLowerInvariant() switch
    {
        "mkv" => RecordContainer.Mkv,
        "mp4" => RecordContainer.Mp4,
        "mov" => RecordContainer.Mov,
        "flv" => RecordContainer.Flv,
        "fragmented-mp4" or "fragmented_mp4" or "fmp4" => RecordContainer.FragmentedMp4,
        _ => throw new ArgumentException($"unknown container '{text}' (one of mkv, mp4, mov, flv, fragmented-mp4)", nameof(text)),
    };

    /// <summary>The command-line name.</summary>
    public static string Name(this RecordContainer container) => container switch
    {
        RecordContainer.FragmentedMp4 => "fragmented-mp4",
        _ => container.ToString().ToLowerInvariant(),
    };

    /// <summary>The file extension (without dot).</summary>
    public static string Extension(this RecordContainer container) => container switch
    {
        RecordContainer.FragmentedMp4 => "mp4",
        _ => container.ToString().ToLowerInvariant(),
    };
}
