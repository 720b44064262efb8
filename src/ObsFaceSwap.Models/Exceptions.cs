namespace ObsFaceSwap.Models;

/// <summary>Base of every model-store error; its message is meant for the user as is.</summary>
public class ModelStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelStoreException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ModelStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ModelStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The manifest is unreadable or breaks a rule. <see cref="Errors"/> lists every problem.</summary>
public sealed class ManifestException : ModelStoreException
{
    /// <summary>Creates the exception.</summary>
    public ManifestException(string origin, IReadOnlyList<string> errors, Exception? innerException = null)
        : base(Format(origin, errors), innerException ?? new InvalidDataException(string.Join("; ", errors ?? [])))
    {
        Origin = origin;
        Errors = errors ?? [];
    }

    /// <summary>The file (or description) the manifest came from.</summary>
    public string Origin { get; }

    /// <summary>Every problem found, each naming its entry and field.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Format(string origin, IReadOnlyList<string>? errors)
        => $"invalid models manifest {origin}:" + string.Concat((errors ?? []).Select(e => Environment.NewLine + "  " + e));
}

/// <summary>No manifest entry has the id.</summary>
public sealed class UnknownModelException : ModelStoreException
{
    /// <summary>Creates the exception.</summary>
    public UnknownModelException(string id, IEnumerable<string> knownIds)
        : base($"unknown model '{id}'; known models: {string.Join(", ", knownIds ?? [])}")
    {
        Id = id;
    }

    /// <summary>The id asked for.</summary>
    public string Id { get; }
}

/// <summary>The model's file is not in the cache.</summary>
public sealed class ModelMissingException : ModelStoreException
{
    /// <summary>Creates the exception.</summary>
    public ModelMissingException(string id, string expectedPath, string howToFetch)
        : base($"model '{id}' is not in the model cache: expected {expectedPath}. To get it: {howToFetch}")
    {
        Id = id;
        ExpectedPath = expectedPath;
        HowToFetch = howToFetch;
    }

    /// <summary>The model id.</summary>
    public string Id { get; }

    /// <summary>Where the file should be.</summary>
    public string ExpectedPath { get; }

    /// <summary>What the user can do.</summary>
    public string HowToFetch { get; }
}

/// <summary>A file's SHA-256 (or size) differs from the manifest's.</summary>
public sealed class ModelHashMismatchException : ModelStoreException
{
    /// <summary>Creates the exception.</summary>
    public ModelHashMismatchException(string id, string path, string expected, string actual, string? what = null)
        : base($"model '{id}': {what ?? "SHA-256"} mismatch for {path}: expected {expected}, actual {actual}")
    {
        Id = id;
        Path = path;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The model id.</summary>
    public string Id { get; }

    /// <summary>The file checked.</summary>
    public string Path { get; }

    /// <summary>The manifest's value.</summary>
    public string Expected { get; }

    /// <summary>The file's value.</summary>
    public string Actual { get; }
}

/// <summary>The manifest pins no SHA-256 for the model, so its file cannot be trusted or downloaded.</summary>
public sealed class ModelNotPinnedException : ModelStoreException
{
    /// <summary>Creates the exception.</summary>
    public ModelNotPinnedException(string id)
        : base($"model '{id}' has no pinned SHA-256 in the models manifest; pin its sha256 before using it")
    {
        Id = id;
    }

    /// <summary>The model id.</summary>
    public string Id { get; }
}

/// <summary>The model's licence carries a notice that was not accepted.</summary>
public sealed class LicenceNotAcceptedException : ModelStoreException
{
    /// <summary>Creates the exception.</summary>
    public LicenceNotAcceptedException(string id, string licence, string notice)
        : base($"model '{id}' is licensed as \"{licence}\": {notice} Accept it explicitly to download (obs-faceswap models fetch {id} --accept-licence).")
    {
        Id = id;
        Notice = notice;
    }

    /// <summary>The model id.</summary>
    public string Id { get; }

    /// <summary>The notice to accept.</summary>
    public string Notice { get; }
}

/// <summary>Every download source failed (network, HTTP status, not HTTPS).</summary>
public sealed class ModelDownloadException : ModelStoreException
{
    /// <summary>Creates the exception.</summary>
    public ModelDownloadException(string message, Exception? innerException = null)
        : base(message, innerException ?? new IOException(message))
    {
    }
}
