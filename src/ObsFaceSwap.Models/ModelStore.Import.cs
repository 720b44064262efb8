using System.Globalization;

namespace ObsFaceSwap.Models;

public sealed partial class ModelStore
{
    private const int CopyBufferSize = 1 << 16;
    private const long ProgressStep = 256 * 1024;

    /// <summary>
    /// Imports model <paramref name="id"/> from a local file, or from the file named like the entry inside a folder:
    /// copies it to <c>FILE.part</c> in the cache, verifies size and SHA-256, then moves it into place.
    /// A file already verified in the cache is not copied again.
    /// </summary>
    /// <exception cref="ModelNotPinnedException">The manifest pins no SHA-256 for the model.</exception>
    /// <exception cref="ModelStoreException">The source does not exist.</exception>
    /// <exception cref="ModelHashMismatchException">The source is not the manifest's file (nothing is placed).</exception>
    public async Task<ModelStatus> ImportAsync(string id, string source, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var entry = Manifest.Get(id);
        if (entry.Sha256 is null)
        {
            throw new ModelNotPinnedException(entry.DisplayId);
        }

        var file = Directory.Exists(source) ? Path.Combine(source, entry.File!) : source;
        if (!File.Exists(file))
        {
            throw new ModelStoreException($"cannot import model '{entry.DisplayId}': no file at {Path.GetFullPath(file)}");
        }

        var existing = await CheckAsync(entry, cancellationToken).ConfigureAwait(false);
        if (existing.State == ModelState.Verified)
        {
            return existing;
        }

        var target = PathOf(entry);
        if (string.Equals(Path.GetFullPath(file), target, StringComparison.Ordinal))
        {
            // The source is the cache file itself and it does not verify.
            ThrowUnlessVerified(existing);
        }

        Directory.CreateDirectory(CacheDirectory);
        var part = target + ".part";
        var total = new FileInfo(file).Length;
        var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (input.ConfigureAwait(false))
        {
            var output = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, CopyBufferSize, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                await CopyWithProgressAsync(entry, input, output, 0, total, resumed: false, progress, null, cancellationToken).ConfigureAwait(false);
            }
        }

        return await VerifyAndPlaceAsync(entry, part, file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Imports every manifest model whose file is in <paramref name="folder"/> (for the setup step:
    /// <c>.deps/models/blazeface</c>). Entries without a pinned SHA-256 are skipped.
    /// </summary>
    /// <exception cref="ModelStoreException">The folder is missing or holds no file of the manifest.</exception>
    /// <exception cref="ModelHashMismatchException">A file in the folder is not the manifest's.</exception>
    public async Task<IReadOnlyList<ModelStatus>> ImportFolderAsync(string folder, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new ModelStoreException($"cannot import: no folder at {Path.GetFullPath(folder)}");
        }

        var result = new List<ModelStatus>();
        foreach (var entry in Manifest.Entries)
        {
            if (entry.Sha256 is not null && File.Exists(Path.Combine(folder, entry.File!)))
            {
                result.Add(await ImportAsync(entry.DisplayId, folder, progress, cancellationToken).ConfigureAwait(false));
            }
        }

        return result.Count > 0
            ? result
            : throw new ModelStoreException($"no model file of the manifest in {Path.GetFullPath(folder)} (looked for {string.Join(", ", Manifest.Entries.Select(e => e.File))})");
    }

    /// <summary>Checks <paramref name="part"/> against the entry; moves it into place if it matches, deletes it and throws if not.</summary>
    private async Task<ModelStatus> VerifyAndPlaceAsync(ModelEntry entry, string part, string origin, CancellationToken cancellationToken)
    {
        var length = new FileInfo(part).Length;
        if (entry.Size is { } size && size != length)
        {
            File.Delete(part);
            throw new ModelHashMismatchException(entry.DisplayId, origin,
                size.ToString(CultureInfo.InvariantCulture) + " bytes", length.ToString(CultureInfo.InvariantCulture) + " bytes", "size");
        }

        var actual = await FileHash.Sha256Async(part, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(actual, entry.Sha256, StringComparison.Ordinal))
        {
            File.Delete(part);
            throw new ModelHashMismatchException(entry.DisplayId, origin, entry.Sha256 ?? "?", actual);
        }

        var target = PathOf(entry);
        Forget(entry);
        File.Move(part, target, overwrite: true);
        var info = new FileInfo(target);
        Remember(entry, info, ok: true);
        return new ModelStatus(entry, target, ModelState.Verified, actual, info.Length);
    }

    /// <summary>Copies until the end of <paramref name="input"/>, reporting progress every 256 KiB and at the end.</summary>
    /// <returns>The number of bytes in the output (<paramref name="already"/> plus those copied).</returns>
    private async Task<long> CopyWithProgressAsync(
        ModelEntry entry, Stream input, Stream output, long already, long? total, bool resumed,
        IProgress<TransferProgress>? progress, long? limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[CopyBufferSize];
        var done = already;
        var lastReport = already;
        progress?.Report(new TransferProgress(entry.DisplayId, done, total, resumed));
        while (true)
        {
            int read;
            using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                stall.CancelAfter(StallTimeout);
                try
                {
                    read = await input.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no data for {StallTimeout.TotalSeconds:0} s");
                }
            }

            if (read == 0)
            {
                break;
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            done += read;
            if (limit is { } max && done > max)
            {
                throw new ModelDownloadException($"model '{entry.DisplayId}': the source sent more than the expected {max} bytes");
            }

            if (done - lastReport >= ProgressStep)
            {
                lastReport = done;
                progress?.Report(new TransferProgress(entry.DisplayId, done, total, resumed));
            }
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report(new TransferProgress(entry.DisplayId, done, total, resumed));
        return done;
    }
}
