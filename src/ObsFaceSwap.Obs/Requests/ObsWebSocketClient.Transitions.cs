using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>One entry of GetSceneTransitionList.</summary>
/// <param name="TransitionName">The transition's name, e.g. <c>Fade</c>.</param>
/// <param name="TransitionKind">Its kind, e.g. <c>fade_transition</c>.</param>
/// <param name="TransitionFixed">Whether its duration is fixed.</param>
/// <param name="TransitionConfigurable">Whether it has properties.</param>
public sealed record ObsSceneTransition(string TransitionName, string TransitionKind, bool TransitionFixed, bool TransitionConfigurable);

/// <summary>GetSceneTransitionList's answer.</summary>
/// <param name="CurrentSceneTransitionName">The current transition, or null.</param>
/// <param name="CurrentSceneTransitionKind">Its kind, or null.</param>
/// <param name="Transitions">Every transition.</param>
public sealed record ObsSceneTransitionList(
    string? CurrentSceneTransitionName,
    string? CurrentSceneTransitionKind,
    IReadOnlyList<ObsSceneTransition> Transitions);

/// <content>Requests of the Transitions category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>GetSceneTransitionList: the transitions and the current one.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The list.</returns>
    public Task<ObsSceneTransitionList> GetSceneTransitionListAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("GetSceneTransitionList", null, ObsJsonContext.Default.ObsSceneTransitionList, cancellationToken);

    /// <summary>SetCurrentSceneTransition: picks the transition for scene switches.</summary>
    /// <param name="transitionName">The transition, e.g. <c>Cut</c>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when it is set.</returns>
    public Task SetCurrentSceneTransitionAsync(string transitionName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(transitionName);
        return RequestAsync("SetCurrentSceneTransition", new JsonObject { ["transitionName"] = transitionName }, cancellationToken: cancellationToken);
    }

    /// <summary>SetCurrentSceneTransitionDuration: the current transition's duration (50 ms to 20 s).</summary>
    /// <param name="transitionDuration">The duration; sent as whole milliseconds.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when it is set.</returns>
    public Task SetCurrentSceneTransitionDurationAsync(TimeSpan transitionDuration, CancellationToken cancellationToken = default) =>
        RequestAsync(
            "SetCurrentSceneTransitionDuration",
            new JsonObject { ["transitionDuration"] = (long)transitionDuration.TotalMilliseconds },
            cancellationToken: cancellationToken);

    /// <summary>TriggerStudioModeTransition: transitions preview to program (status 506 unless studio mode is on).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the transition was started.</returns>
    public Task TriggerStudioModeTransitionAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("TriggerStudioModeTransition", cancellationToken: cancellationToken);
}
