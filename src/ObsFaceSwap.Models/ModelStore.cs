using System.Collections.Concurrent;
using System.Globalization;

namespace ObsFaceSwap.Models;

/// <summary>
/// The model cache: one folder holding each manifest entry's file under its own name. Resolves ids to
/// verified paths, reports each model's state, imports local files and downloads over HTTPS
/// (see ModelStore.Download.cs). Thread-safe for concurrent reads; concurrent writes of one model are not supported.
/// </summary>
public sealed partial class ModelStore : IDisposable
{
    private readonly ConcurrentDictionary<string, (long Length, DateTime WriteTimeUtc)> _verified = new(StringComparer.Ordinal);
    private readonly HttpClient? _ownedHttp;
    private readonly HttpClient? _http;

    /// <summary>Creates a store over <paramref name="manifest"/>.</summary>
    /// <param name="manifest">The validated manifest.</param>
    /// <param name="cacheDirectory">The cache folder; null for <see cref="ModelCache.DefaultDirectory()"/>.</param>
    /// <param name="httpClient">Client for downloads; null to create one on first download (owned by the store).</param>
    public ModelStore(ModelManifest manifest, string? cacheDirectory = null, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Manifest = manifest;
        CacheDirectory = Path.GetFullPath(string.IsNullOrEmpty(cacheDirectory) ? ModelCache.DefaultDirectory() : cacheDirectory);
        if (httpClient is null)
        {
            _ownedHttp = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) })
            {
                Timeout = Timeout.InfiniteTimeSpan,
            };
            _http = _ownedHttp;
        }
        else
        {
            _http = httpClient;
        }
    }

    /// <summary>The manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The cache folder (absolute).</summary>
    public string CacheDirectory { get; }

    /// <summary>Allow plain http:// URLs whose host is a loopback address (tests); https is required otherwise.</summary>
    public bool AllowHttpLoopback { get; init; }

    /// <summary>A download that receives no byte for this long fails (and can be resumed).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where the file of model <paramref name="id"/> lives in the cache.</summary>
    public string PathOf(string id) => PathOf(Manifest.Get(id));

    /// <summary>Where the file of <paramref name="entry"/> lives in the cache.</summary>
    public string PathOf(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Path.Combine(CacheDirectory, entry.File ?? throw new ArgumentException($"model '{entry.DisplayId}' has no file", nameof(entry)));
    }

    /// <summary>Checks one model's file (streamed SHA-256; skipped when the size already differs).</summary>
    public async Task<ModelStatus> CheckAsync(ModelEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = PathOf(entry);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return new ModelStatus(entry, path, ModelState.Missing, null, null);
        }

        if (entry.Sha256 is null)
        {
            return new ModelStatus(entry, path, ModelState.Unpinned, null, info.Length);
        }

        if (entry.Size is { } size && size != info.Length)
        {
            return new ModelStatus(entry, path, ModelState.HashMismatch, null, info.Length);
        }

        var actual = await FileHash.Sha256Async(path, cancellationToken).ConfigureAwait(false);
        var ok = string.Equals(actual, entry.Sha256, StringComparison.Ordinal);
        Remember(entry, info, ok);
        return new ModelStatus(entry, path, ok ? ModelState.Verified : ModelState.HashMismatch, actual, info.Length);
    }

    /// <summary>Checks the model <paramref name="id"/>.</summary>
    public Task<ModelStatus> CheckAsync(string id, CancellationToken cancellationToken = default) => CheckAsync(Manifest.Get(id), cancellationToken);

    /// <summary>Checks every model of the manifest, in manifest order.</summary>
    public async Task<IReadOnlyList<ModelStatus>> CheckAllAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<ModelStatus>(Manifest.Entries.Count);
        foreach (var entry in Manifest.Entries)
        {
            result.Add(await CheckAsync(entry, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    /// <summary>
    /// The verified path of model <paramref name="id"/>. A file verified earlier by this store and unchanged since
    /// (same length and write time) is not hashed again.
    /// </summary>
    /// <exception cref="UnknownModelException">No such id.</exception>
    /// <exception cref="ModelMissingException">The file is not in the cache (the message says how to fetch it).</exception>
    /// <exception cref="ModelHashMismatchException">The file's size or SHA-256 differs (the message names expected and actual).</exception>
    /// <exception cref="ModelNotPinnedException">The manifest pins no SHA-256 for the model.</exception>
    public string Resolve(string id)
    {
        var entry = Manifest.Get(id);
        var path = PathOf(entry);
        var info = new FileInfo(path);
        if (info.Exists && entry.Sha256 is not null && IsRemembered(entry, info))
        {
            return path;
        }

        ModelStatus status;
        if (!info.Exists || entry.Sha256 is null || (entry.Size is { } size && size != info.Length))
        {
            status = new ModelStatus(entry, path, !info.Exists ? ModelState.Missing : entry.Sha256 is null ? ModelState.Unpinned : ModelState.HashMismatch, null, info.Exists ? info.Length : null);
        }
        else
        {
            var actual = FileHash.Sha256(path);
            var ok = string.Equals(actual, entry.Sha256, StringComparison.Ordinal);
            Remember(entry, info, ok);
            status = new ModelStatus(entry, path, ok ? ModelState.Verified : ModelState.HashMismatch, actual, info.Length);
        }

        return ThrowUnlessVerified(status);
    }

    /// <summary>Async form of <see cref="Resolve(string)"/>.</summary>
    public async Task<string> ResolveAsync(string id, CancellationToken cancellationToken = default)
    {
        var entry = Manifest.Get(id);
        var info = new FileInfo(PathOf(entry));
        if (info.Exists && entry.Sha256 is not null && IsRemembered(entry, info))
        {
            return info.FullName;
        }

        return ThrowUnlessVerified(await CheckAsync(entry, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Returns the status's path when verified; otherwise throws the matching exception.</summary>
    public static string ThrowUnlessVerified(ModelStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var entry = status.Entry;
        switch (status.State)
        {
            case ModelState.Verified:
                return status.Path;
            case ModelState.Missing:
                throw new ModelMissingException(entry.DisplayId, status.Path, HowToFetch(entry));
            case ModelState.Unpinned:
                throw new ModelNotPinnedException(entry.DisplayId);
            default:
                if (status.ActualSize is { } actualSize && entry.Size is { } size && actualSize != size)
                {
                    throw new ModelHashMismatchException(entry.DisplayId, status.Path,
                        size.ToString(CultureInfo.InvariantCulture) + " bytes", actualSize.ToString(CultureInfo.InvariantCulture) + " bytes", "size");
                }

                throw new ModelHashMismatchException(entry.DisplayId, status.Path, entry.Sha256 ?? "?", status.ActualSha256 ?? "?");
        }
    }

    /// <summary>What a user can do to get the model's file (shown in errors).</summary>
    public static string HowToFetch(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var id = entry.DisplayId;
        if (entry.Urls is { Count: > 0 })
        {
            var fetch = $"run: obs-faceswap models fetch {id}{(entry.RequiresLicenceAcceptance ? " --accept-licence" : string.Empty)}";
            return string.IsNullOrEmpty(entry.FetchHint) ? fetch : $"{fetch} ({entry.FetchHint})";
        }

        if (!string.IsNullOrEmpty(entry.FetchHint))
        {
            return entry.FetchHint;
        }

        return $"obtain {entry.File}{(entry.Source is null ? string.Empty : $" ({entry.Source})")}, then run: obs-faceswap models fetch {id} --from PATH";
    }

    /// <inheritdoc />
    public void Dispose() => _ownedHttp?.Dispose();

    private void Remember(ModelEntry entry, FileInfo info, bool ok)
    {
        if (ok)
        {
            info.Refresh();
            _verified[entry.DisplayId] = (info.Length, info.LastWriteTimeUtc);
        }
        else
        {
            _verified.TryRemove(entry.DisplayId, out _);
        }
    }

    private bool IsRemembered(ModelEntry entry, FileInfo info)
        => _verified.TryGetValue(entry.DisplayId, out var seen) && seen.Length == info.Length && seen.WriteTimeUtc == info.LastWriteTimeUtc;

    private void Forget(ModelEntry entry) => _verified.TryRemove(entry.DisplayId, out _);
}
