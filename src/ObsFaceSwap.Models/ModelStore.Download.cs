using System.Net;
using System.Net.Http.Headers;

namespace ObsFaceSwap.Models;

public sealed partial class ModelStore
{
    /// <summary>
    /// Downloads model <paramref name="id"/> from its URLs in order: to <c>FILE.part</c> in the cache, resuming an
    /// existing .part file with an HTTP Range request, then verifies size and SHA-256 before moving it into place.
    /// A model already verified in the cache is returned at once (no licence check, no network).
    /// </summary>
    /// <param name="id">The model id.</param>
    /// <param name="acceptLicence">The user accepted the licence notice (required when the entry has one).</param>
    /// <param name="progress">Receives progress (bytes done, total when known).</param>
    /// <param name="cancellationToken">Cancels the download; the .part file stays for a later resume.</param>
    /// <exception cref="LicenceNotAcceptedException">The entry has a licence notice and <paramref name="acceptLicence"/> is false.</exception>
    /// <exception cref="ModelNotPinnedException">The manifest pins no SHA-256.</exception>
    /// <exception cref="ModelDownloadException">No URL, or every URL failed (the message lists each failure).</exception>
    /// <exception cref="ModelHashMismatchException">The downloaded file is not the manifest's (it is deleted).</exception>
    public async Task<ModelStatus> DownloadAsync(string id, bool acceptLicence, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var entry = Manifest.Get(id);
        if (entry.Sha256 is null)
        {
            throw new ModelNotPinnedException(entry.DisplayId);
        }

        var existing = await CheckAsync(entry, cancellationToken).ConfigureAwait(false);
        if (existing.State == ModelState.Verified)
        {
            return existing;
        }

        if (entry.RequiresLicenceAcceptance && !acceptLicence)
        {
            throw new LicenceNotAcceptedException(entry.DisplayId, entry.Licence ?? "?", entry.LicenceNotice!);
        }

        if (entry.Urls is not { Count: > 0 } urls)
        {
            throw new ModelDownloadException($"model '{entry.DisplayId}' has no download URL. To get it: {HowToFetch(entry)}");
        }

        Directory.CreateDirectory(CacheDirectory);
        var part = PathOf(entry) + ".part";
        var failures = new List<string>();
        ModelHashMismatchException? mismatch = null;
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsAllowed(uri))
            {
                failures.Add($"{url}: only https:// URLs are downloaded");
                continue;
            }

            try
            {
                await DownloadToPartAsync(entry, uri, part, progress, cancellationToken).ConfigureAwait(false);
                return await VerifyAndPlaceAsync(entry, part, url, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelHashMismatchException e)
            {
                mismatch = e;
                failures.Add($"{url}: {e.Message}");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested
                && e is HttpRequestException or IOException or TimeoutException or ModelDownloadException or OperationCanceledException)
            {
                failures.Add($"{url}: {Describe(e)}");
            }
        }

        if (mismatch is not null && failures.Count == 1)
        {
            throw mismatch;
        }

        throw new ModelDownloadException(
            $"could not download model '{entry.DisplayId}'" + string.Concat(failures.Select(f => Environment.NewLine + "  " + f))
            + (File.Exists(part) ? Environment.NewLine + $"  the partial file {part} is kept; fetching again resumes it" : string.Empty),
            mismatch);
    }

    private bool IsAllowed(Uri uri) => uri.Scheme == Uri.UriSchemeHttps || (AllowHttpLoopback && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);

    private async Task DownloadToPartAsync(ModelEntry entry, Uri uri, string part, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (entry.Size is { } size && have > size)
        {
            File.Delete(part);
            have = 0;
        }

        if (entry.Size is { } complete && have == complete)
        {
            // An earlier attempt got every byte; verification decides.
            progress?.Report(new TransferProgress(entry.DisplayId, have, complete, Resumed: true));
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using var response = await _http!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
        {
            // The server has nothing past our bytes: the .part file is complete (or wrong, which verification finds).
            return;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ModelDownloadException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var range = response.Content.Headers.ContentRange;
        var resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent && range?.From == have;
        if (!resumed)
        {
            have = 0;
        }

        var length = response.Content.Headers.ContentLength;
        long? total = resumed ? range?.Length ?? (length is { } rest ? have + rest : entry.Size) : length ?? entry.Size;
        if (entry.Size is { } expected && total is { } announced && announced != expected)
        {
            throw new ModelDownloadException($"the server announces {announced} bytes, the manifest expects {expected}");
        }

        var input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            var output = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, CopyBufferSize, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                await CopyWithProgressAsync(entry, input, output, have, total, resumed, progress, entry.Size, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Describe(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message += " (" + inner.Message + ")";
        }

        return message;
    }
}
