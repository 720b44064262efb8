using System.Text.Json;
using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>GetSourceFilter's answer.</summary>
/// <param name="FilterEnabled">Whether the filter is enabled.</param>
/// <param name="FilterIndex">The filter's position in the source's filter list.</param>
/// <param name="FilterKind">The filter kind, e.g. <c>obs_faceswap_filter</c>.</param>
/// <param name="FilterSettings">The filter's settings object (values that differ from defaults).</param>
public sealed record ObsSourceFilter(bool FilterEnabled, int FilterIndex, string FilterKind, JsonElement FilterSettings);

/// <summary>One entry of GetSourceFilterList.</summary>
/// <param name="FilterName">The filter's name.</param>
/// <param name="FilterEnabled">Whether it is enabled.</param>
/// <param name="FilterIndex">Its position in the source's filter list.</param>
/// <param name="FilterKind">Its kind.</param>
/// <param name="FilterSettings">Its settings object.</param>
public sealed record ObsSourceFilterEntry(string FilterName, bool FilterEnabled, int FilterIndex, string FilterKind, JsonElement FilterSettings);

/// <summary>GetSourceFilterList's answer.</summary>
/// <param name="Filters">The filters, in order.</param>
internal sealed record ObsSourceFilterList(IReadOnlyList<ObsSourceFilterEntry> Filters);

/// <content>Requests of the Filters category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>CreateSourceFilter: adds a filter to a source.</summary>
    /// <param name="sourceName">The source (input or scene) to add it to.</param>
    /// <param name="filterName">The new filter's name.</param>
    /// <param name="filterKind">The filter kind, e.g. <c>obs_faceswap_filter</c> (status 607 if unknown).</param>
    /// <param name="filterSettings">The filter's settings (copied), or null for its defaults.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the filter exists.</returns>
    public Task CreateSourceFilterAsync(
        string sourceName,
        string filterName,
        string filterKind,
        JsonObject? filterSettings = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        ArgumentException.ThrowIfNullOrEmpty(filterName);
        ArgumentException.ThrowIfNullOrEmpty(filterKind);
        var data = new JsonObject
        {
            ["sourceName"] = sourceName,
            ["filterName"] = filterName,
            ["filterKind"] = filterKind,
        };
        if (filterSettings is not null)
        {
            data["filterSettings"] = filterSettings.DeepClone();
        }

        return RequestAsync("CreateSourceFilter", data, cancellationToken: cancellationToken);
    }

    /// <summary>SetSourceFilterSettings: changes a filter's settings.</summary>
    /// <param name="sourceName">The source the filter is on.</param>
    /// <param name="filterName">The filter's name.</param>
    /// <param name="filterSettings">The settings to apply (copied).</param>
    /// <param name="overlay">True (the protocol's default) merges them into the current settings;
    /// false replaces the settings, resetting every other key to its default.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the settings are applied.</returns>
    public Task SetSourceFilterSettingsAsync(
        string sourceName,
        string filterName,
        JsonObject filterSettings,
        bool overlay = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        ArgumentException.ThrowIfNullOrEmpty(filterName);
        ArgumentNullException.ThrowIfNull(filterSettings);
        var data = new JsonObject
        {
            ["sourceName"] = sourceName,
            ["filterName"] = filterName,
            ["filterSettings"] = filterSettings.DeepClone(),
            ["overlay"] = overlay,
        };
        return RequestAsync("SetSourceFilterSettings", data, cancellationToken: cancellationToken);
    }

    /// <summary>GetSourceFilter: a filter's kind, position, state and settings.</summary>
    /// <param name="sourceName">The source the filter is on.</param>
    /// <param name="filterName">The filter's name.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The filter.</returns>
    public async Task<ObsSourceFilter> GetSourceFilterAsync(
        string sourceName,
        string filterName,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        ArgumentException.ThrowIfNullOrEmpty(filterName);
        var data = new JsonObject { ["sourceName"] = sourceName, ["filterName"] = filterName };
        return (await RequestAsync("GetSourceFilter", data, cancellationToken: cancellationToken).ConfigureAwait(false))
            .Read(ObsJsonContext.Default.ObsSourceFilter);
    }

    /// <summary>GetSourceFilterList: a source's filters, in order.</summary>
    /// <param name="sourceName">The source (input or scene).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The filters.</returns>
    public async Task<IReadOnlyList<ObsSourceFilterEntry>> GetSourceFilterListAsync(string sourceName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        var data = new JsonObject { ["sourceName"] = sourceName };
        return (await RequestAsync("GetSourceFilterList", data, ObsJsonContext.Default.ObsSourceFilterList, cancellationToken).ConfigureAwait(false))
            .Filters;
    }

    /// <summary>RemoveSourceFilter: removes a filter from a source.</summary>
    /// <param name="sourceName">The source the filter is on.</param>
    /// <param name="filterName">The filter's name.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the filter is gone.</returns>
    public Task RemoveSourceFilterAsync(string sourceName, string filterName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        ArgumentException.ThrowIfNullOrEmpty(filterName);
        var data = new JsonObject { ["sourceName"] = sourceName, ["filterName"] = filterName };
        return RequestAsync("RemoveSourceFilter", data, cancellationToken: cancellationToken);
    }
}
