namespace ObsFaceSwap.Obs;

/// <summary>
/// The <c>eventSubscriptions</c> bitmask of Identify and Reidentify: which event categories the
/// server sends to this session. High-volume categories are outside <see cref="All"/> and must
/// be asked for explicitly.
/// </summary>
[Flags]
public enum ObsEventSubscriptions
{
    /// <summary>No events.</summary>
    None = 0,

    /// <summary>General events (ExitStarted, VendorEvent is under <see cref="Vendors"/>).</summary>
    General = 1 << 0,

    /// <summary>Config events (profile and scene collection changes).</summary>
    Config = 1 << 1,

    /// <summary>Scene events.</summary>
    Scenes = 1 << 2,

    /// <summary>Input events.</summary>
    Inputs = 1 << 3,

    /// <summary>Transition events.</summary>
    Transitions = 1 << 4,

    /// <summary>Filter events.</summary>
    Filters = 1 << 5,

    /// <summary>Output events (StreamStateChanged, RecordStateChanged, ...).</summary>
    Outputs = 1 << 6,

    /// <summary>Scene item events.</summary>
    SceneItems = 1 << 7,

    /// <summary>Media input events.</summary>
    MediaInputs = 1 << 8,

    /// <summary>VendorEvent: events that third-party plugins emit.</summary>
    Vendors = 1 << 9,

    /// <summary>UI events (studio mode).</summary>
    Ui = 1 << 10,

    /// <summary>Every low-volume category (the server's default).</summary>
    All = General | Config | Scenes | Inputs | Transitions | Filters | Outputs | SceneItems | MediaInputs | Vendors | Ui,

    /// <summary>InputVolumeMeters, every 50 ms: high volume.</summary>
    InputVolumeMeters = 1 << 16,

    /// <summary>InputActiveStateChanged: high volume.</summary>
    InputActiveStateChanged = 1 << 17,

    /// <summary>InputShowStateChanged: high volume.</summary>
    InputShowStateChanged = 1 << 18,

    /// <summary>SceneItemTransformChanged: high volume.</summary>
    SceneItemTransformChanged = 1 << 19,
}
