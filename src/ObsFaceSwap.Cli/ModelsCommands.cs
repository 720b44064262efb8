using System.CommandLine;
using System.Globalization;
using System.Text;
using ObsFaceSwap.Models;

namespace ObsFaceSwap.Cli;

/// <summary><c>models list | fetch | import | verify</c>.</summary>
public sealed class ModelsCommands : ICliCommandModule
{
    /// <inheritdoc />
    public void Register(RootCommand root, CliGlobalOptions globals, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(globals);
        ArgumentNullException.ThrowIfNull(context);
        var models = new Command("models", "List, fetch, import and verify the face models of the manifest.");

        var list = new Command("list", "Show every model: id, purpose, size, licence, and its state in the cache (verified / missing / hash mismatch).");
        list.SetAction((parse, ct) => RunAsync(parse, globals, context, (store, token) => ListAsync(store, context, token), ct));
        models.Add(list);

        var fetchId = new Argument<string>("ID") { Description = "Model id (see `models list`)." };
        var accept = new Option<bool>("--accept-licence")
        {
            Description = "Accept the model's licence notice (required for models that carry one, e.g. InsightFace's non-commercial models).",
        };
        var from = new Option<string?>("--from")
        {
            Description = "Import from this local file (or from the model's file inside this folder) instead of downloading.",
            HelpName = "PATH",
        };
        var fetch = new Command("fetch", "Download a model over HTTPS (resumable, verified before use), or import it with --from.");
        fetch.Add(fetchId);
        fetch.Add(accept);
        fetch.Add(from);
        fetch.SetAction((parse, ct) => RunAsync(parse, globals, context,
            (store, token) => FetchAsync(store, parse.GetValue(fetchId)!, parse.GetValue(accept), parse.GetValue(from), context, token), ct));
        models.Add(fetch);

        var folder = new Argument<string>("FOLDER") { Description = "Folder holding model files named as in the manifest (setup: .deps/models/blazeface)." };
        var import = new Command("import", "Copy every manifest model found in a folder into the cache, verifying each.");
        import.Add(folder);
        import.SetAction((parse, ct) => RunAsync(parse, globals, context, (store, token) => ImportAsync(store, parse.GetValue(folder)!, context, token), ct));
        models.Add(import);

        var verifyId = new Argument<string?>("ID") { Description = "Model id; all models when left out.", Arity = ArgumentArity.ZeroOrOne };
        var verify = new Command("verify", "Check cached files against the manifest's SHA-256. Exit 1 on any mismatch; with an ID, exit 3 when it is missing.");
        verify.Add(verifyId);
        verify.SetAction((parse, ct) => RunAsync(parse, globals, context, (store, token) => VerifyAsync(store, parse.GetValue(verifyId), context, token), ct));
        models.Add(verify);

        root.Add(models);
    }

    /// <summary>Opens the store and maps the model store's exceptions to exit codes and one stderr line.</summary>
    internal static async Task<int> RunAsync(ParseResult parse, CliGlobalOptions globals, CliContext context, Func<ModelStore, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        var error = context.Error;
        try
        {
            using var store = globals.OpenStore(parse, context);
            return await action(store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (MapException(e) is { } code)
        {
            await error.WriteLineAsync($"obs-faceswap: {e.Message}").ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>The exit code of an expected failure, or null for a bug (which then propagates).</summary>
    internal static int? MapException(Exception e) => e switch
    {
        OperationCanceledException => ExitCodes.Cancelled,
        ManifestException => ExitCodes.ManifestInvalid,
        UnknownModelException => ExitCodes.Usage,
        LicenceNotAcceptedException => ExitCodes.LicenceNotAccepted,
        ModelHashMismatchException or ModelSignatureException => ExitCodes.VerificationFailed,
        ModelMissingException => ExitCodes.Missing,
        ModelStoreException or IOException or UnauthorizedAccessException or HttpRequestException or TimeoutException => ExitCodes.FetchFailed,
        _ => null,
    };

    private static async Task<int> ListAsync(ModelStore store, CliContext context, CancellationToken cancellationToken)
    {
        var statuses = await store.CheckAllAsync(cancellationToken).ConfigureAwait(false);
        await context.Output.WriteAsync(FormatTable(statuses, store.CacheDirectory)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<int> FetchAsync(ModelStore store, string id, bool acceptLicence, string? from, CliContext context, CancellationToken cancellationToken)
    {
        var entry = store.Manifest.Get(id);
        var bar = new ProgressBar(context.Error, context.InteractiveError);
        ModelStatus status;
        if (!string.IsNullOrEmpty(from))
        {
            status = await store.ImportAsync(id, from, bar, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (entry.RequiresLicenceAcceptance && acceptLicence)
            {
                await context.Error.WriteLineAsync($"obs-faceswap: licence of '{id}' accepted: {entry.Licence}. {entry.LicenceNotice}").ConfigureAwait(false);
            }

            try
            {
                status = await store.DownloadAsync(id, acceptLicence, bar, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                bar.Finish();
            }
        }

        bar.Finish();
        await context.Output.WriteLineAsync($"{id}: verified {status.Path}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<int> ImportAsync(ModelStore store, string folder, CliContext context, CancellationToken cancellationToken)
    {
        var statuses = await store.ImportFolderAsync(folder, null, cancellationToken).ConfigureAwait(false);
        foreach (var status in statuses)
        {
            await context.Output.WriteLineAsync($"{status.Entry.DisplayId}: verified {status.Path}").ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> VerifyAsync(ModelStore store, string? id, CliContext context, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(id))
        {
            var status = await store.CheckAsync(id, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(FormatStatusLine(status)).ConfigureAwait(false);
            switch (status.State)
            {
                case ModelState.Verified:
                    return ExitCodes.Ok;
                case ModelState.Unpinned:
                    await context.Error.WriteLineAsync($"obs-faceswap: model '{id}' cannot be verified: the manifest pins no SHA-256 for it").ConfigureAwait(false);
                    return ExitCodes.VerificationFailed;
                default:
                    ModelStore.ThrowUnlessVerified(status); // throws: missing (3) or mismatch (1), with the full message
                    return ExitCodes.VerificationFailed;
            }
        }

        var statuses = await store.CheckAllAsync(cancellationToken).ConfigureAwait(false);
        foreach (var status in statuses)
        {
            await context.Output.WriteLineAsync(FormatStatusLine(status)).ConfigureAwait(false);
        }

        var bad = statuses.Where(s => s.State == ModelState.HashMismatch).ToList();
        foreach (var status in bad)
        {
            try
            {
                ModelStore.ThrowUnlessVerified(status);
            }
            catch (ModelHashMismatchException e)
            {
                await context.Error.WriteLineAsync($"obs-faceswap: {e.Message}").ConfigureAwait(false);
            }
        }

        return bad.Count > 0 ? ExitCodes.VerificationFailed : ExitCodes.Ok;
    }

    /// <summary><c>ID  STATE  PATH</c>.</summary>
    internal static string FormatStatusLine(ModelStatus status) => $"{status.Entry.DisplayId,-22} {status.Label,-14} {status.Path}";

    /// <summary>The <c>models list</c> table.</summary>
    internal static string FormatTable(IReadOnlyList<ModelStatus> statuses, string cacheDirectory)
    {
        string[] header = ["ID", "PURPOSE", "SIZE", "LICENCE", "STATUS"];
        var rows = statuses.Select(s => new[] { s.Entry.DisplayId, s.Entry.Purpose ?? "?", FormatSize(s.Entry.Size), s.Entry.Licence ?? "?", s.Label }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) => sb.AppendJoin("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).AppendLine();
        Line(header);
        foreach (var row in rows)
        {
            Line(row);
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"cache: {cacheDirectory}");
        if (statuses.Any(s => s.Entry.RequiresLicenceAcceptance))
        {
            sb.AppendLine("models under a non-commercial licence need --accept-licence to be fetched.");
        }

        return sb.ToString();
    }

    /// <summary>442005 → "432 KiB", 16923827 → "16.1 MiB"; "?" when unknown.</summary>
    internal static string FormatSize(long? bytes) => bytes switch
    {
        null => "?",
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value / 1024.0:0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value / (1024.0 * 1024 * 1024):0.00} GiB"),
    };
}
