namespace ObsFaceSwap.Testing.Scenario;

/// <summary>A finished recording and how long it can have run.</summary>
/// <param name="Path">The recording's path.</param>
/// <param name="AtLeast">From RecordStateChanged STARTED (OBS started before it said so) to the StopRecord request (OBS stops after it).</param>
/// <param name="AtMost">From the StartRecord request to RecordStateChanged STOPPED.</param>
public sealed record TimedRecording(string Path, TimeSpan AtLeast, TimeSpan AtMost);
