using System.Text.Json;
using System.Text.Json.Serialization;

namespace ObsFaceSwap.Models;

/// <summary>
/// <c>models/manifest.json</c>: every model the project knows, as data (file, sources, SHA-256, size,
/// licence, tensors, layout, colour order, normalisation, alignment template). Load it with
/// <see cref="Load(string)"/> or <see cref="LoadEmbedded"/>; both validate it.
/// </summary>
public sealed class ModelManifest
{
    /// <summary>The only schema version this code reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Schema version; must be <see cref="CurrentSchemaVersion"/>.</summary>
    public int SchemaVersion { get; init; }

    /// <summary>The entries.</summary>
    public IReadOnlyList<ModelEntry>? Models { get; init; }

    /// <summary>The entries (empty when the manifest has none).</summary>
    [JsonIgnore]
    public IReadOnlyList<ModelEntry> Entries => Models ?? [];

    /// <summary>Finds an entry by id (ordinal), or null.</summary>
    /// <remarks>
    /// Besides the id, the model's file name with or without its extension is accepted
    /// (<c>inswapper_128</c>, <c>inswapper_128.fp16.onnx</c>), as users know the models by
    /// their file names.
    /// </remarks>
    public ModelEntry? Find(string id) =>
        Entries.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.Ordinal))
        ?? Entries.FirstOrDefault(e => e.File is { } file
            && (string.Equals(file, id, StringComparison.Ordinal) || string.Equals(Path.GetFileNameWithoutExtension(file), id, StringComparison.Ordinal)));

    /// <summary>Finds an entry by id, or throws <see cref="UnknownModelException"/> listing the known ids.</summary>
    public ModelEntry Get(string id) => Find(id) ?? throw new UnknownModelException(id, Entries.Select(e => e.Id ?? "?"));

    /// <summary>Reads and validates a manifest file.</summary>
    /// <exception cref="ManifestException">The file is not valid JSON or breaks a rule; the message names the entry and field.</exception>
    public static ModelManifest Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException(path, [$"cannot read the manifest: {e.Message}"], e);
        }

        return Parse(json, path);
    }

    /// <summary>The manifest built into this assembly (the repository's <c>models/manifest.json</c>).</summary>
    public static ModelManifest LoadEmbedded()
    {
        using var stream = typeof(ModelManifest).Assembly.GetManifestResourceStream("ObsFaceSwap.Models.manifest.json")
            ?? throw new InvalidOperationException("the embedded models manifest is missing from ObsFaceSwap.Models");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "(embedded manifest.json)");
    }

    /// <summary>Parses and validates manifest JSON; <paramref name="origin"/> names it in errors.</summary>
    /// <exception cref="ManifestException">Invalid JSON, an unknown field, or a broken rule.</exception>
    public static ModelManifest Parse(string json, string origin)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(origin);
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.ModelManifest);
        }
        catch (JsonException e)
        {
            throw new ManifestException(origin, [$"not a valid manifest ({e.Path ?? "$"}): {e.Message}"], e);
        }

        if (manifest is null)
        {
            throw new ManifestException(origin, ["the manifest is empty (null)"]);
        }

        var errors = ManifestValidator.Validate(manifest);
        return errors.Count > 0 ? throw new ManifestException(origin, errors) : manifest;
    }

    /// <summary>Serialises the manifest (indented, camelCase).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ManifestJsonContext.Default.ModelManifest);
}

/// <summary>One model of the manifest. Every property is nullable so that validation, not the parser, names what is missing.</summary>
public sealed class ModelEntry
{
    /// <summary>Stable id, lowercase letters, digits and dashes (<c>scrfd-det-10g</c>).</summary>
    public string? Id { get; init; }

    /// <summary>File name in the cache folder (no folders).</summary>
    public string? File { get; init; }

    /// <summary>HTTPS download URLs, tried in order. May be empty (see <see cref="Source"/> and <see cref="FetchHint"/>).</summary>
    public IReadOnlyList<string>? Urls { get; init; }

    /// <summary>Where the file comes from, for people (an npm package path, a release, a pack).</summary>
    public string? Source { get; init; }

    /// <summary>How to get the file when it cannot be downloaded by URL; shown in "missing" errors.</summary>
    public string? FetchHint { get; init; }

    /// <summary>SHA-256 of the file, 64 lowercase hex digits; null when not pinned yet (then the model has no URL and cannot be resolved).</summary>
    public string? Sha256 { get; init; }

    /// <summary>Size of the file in bytes, when known.</summary>
    public long? Size { get; init; }

    /// <summary>Licence of the weights.</summary>
    public string? Licence { get; init; }

    /// <summary>A notice the user must accept (a flag) before the file is downloaded; null when none.</summary>
    public string? LicenceNotice { get; init; }

    /// <summary>What the model does: one of <see cref="ModelPurposes.All"/>.</summary>
    public string? Purpose { get; init; }

    /// <summary>The graph's inputs.</summary>
    public IReadOnlyList<TensorSpec>? Inputs { get; init; }

    /// <summary>The graph's outputs.</summary>
    public IReadOnlyList<TensorSpec>? Outputs { get; init; }

    /// <summary>Image tensor layout: <c>NHWC</c> or <c>NCHW</c>.</summary>
    public string? Layout { get; init; }

    /// <summary>Channel order of the image input: <c>RGB</c> or <c>BGR</c>.</summary>
    public string? ColourOrder { get; init; }

    /// <summary>Per-channel mean in 8-bit pixel units: <c>value = (pixel - mean) / std</c>.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviation in 8-bit pixel units.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>Typical square input size for models with dynamic height and width (SCRFD: 640).</summary>
    public int? InputSize { get; init; }

    /// <summary>Alignment template of the face crop (embedding and swap models): <c>arcface-5pt</c>.</summary>
    public string? Template { get; init; }

    /// <summary>Side of the aligned square crop in pixels (ArcFace 112, inswapper 128).</summary>
    public int? CropSize { get; init; }

    /// <summary>Free-text notes for implementers.</summary>
    public string? Notes { get; init; }

    /// <summary>The id, or "?" (for messages).</summary>
    [JsonIgnore]
    public string DisplayId => Id ?? "?";

    /// <summary>True when the licence carries a notice that must be accepted before download.</summary>
    [JsonIgnore]
    public bool RequiresLicenceAcceptance => !string.IsNullOrEmpty(LicenceNotice);
}

/// <summary>One input or output tensor.</summary>
public sealed class TensorSpec
{
    /// <summary>Name in the graph.</summary>
    public string? Name { get; init; }

    /// <summary>Shape; dimensions are sizes, -1, or symbolic names.</summary>
    public IReadOnlyList<TensorDim>? Shape { get; init; }

    /// <summary>Element type (<see cref="ElementTypes.All"/>), or null when not pinned.</summary>
    public string? ElementType { get; init; }
}

/// <summary>Values of <see cref="ModelEntry.Purpose"/>.</summary>
public static class ModelPurposes
{
    /// <summary>Face detector.</summary>
    public const string FaceDetection = "face-detection";

    /// <summary>Identity embedding.</summary>
    public const string FaceEmbedding = "face-embedding";

    /// <summary>Face swapper.</summary>
    public const string FaceSwap = "face-swap";

    /// <summary>Landmarks.</summary>
    public const string FaceLandmarks = "face-landmarks";

    /// <summary>Face restoration.</summary>
    public const string FaceEnhancement = "face-enhancement";

    /// <summary>Face parsing / masks.</summary>
    public const string FaceParsing = "face-parsing";

    /// <summary>Every purpose.</summary>
    public static IReadOnlyList<string> All { get; } = [FaceDetection, FaceEmbedding, FaceSwap, FaceLandmarks, FaceEnhancement, FaceParsing];

    /// <summary>Purposes whose input is an aligned crop (template and crop size required).</summary>
    public static IReadOnlyList<string> Aligned { get; } = [FaceEmbedding, FaceSwap];
}

/// <summary>Tensor element types the manifest names, and the spellings other tools use for them.</summary>
public static class ElementTypes
{
    /// <summary>Every canonical element type.</summary>
    public static IReadOnlyList<string> All { get; } =
        ["float32", "float16", "bfloat16", "float64", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool", "string"];

    /// <summary>Maps ONNX Runtime / .NET spellings (Float, Single, Half, Double, Int64, ...) to the canonical one; unknown names are lower-cased.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var n = name.Trim().ToUpperInvariant();
        return n switch
        {
            "FLOAT" or "SINGLE" or "FLOAT32" or "TENSOR(FLOAT)" => "float32",
            "HALF" or "FLOAT16" or "TENSOR(FLOAT16)" => "float16",
            "BFLOAT16" => "bfloat16",
            "DOUBLE" or "FLOAT64" or "TENSOR(DOUBLE)" => "float64",
            "INT8" or "SBYTE" => "int8",
            "UINT8" or "BYTE" => "uint8",
            "INT16" or "SHORT" => "int16",
            "UINT16" or "USHORT" => "uint16",
            "INT32" or "INT" => "int32",
            "UINT32" or "UINT" => "uint32",
            "INT64" or "LONG" or "TENSOR(INT64)" => "int64",
            "UINT64" or "ULONG" => "uint64",
            "BOOL" or "BOOLEAN" => "bool",
            "STRING" => "string",
            _ => name.Trim().ToLowerInvariant(),
        };
    }
}

/// <summary>Source-generated JSON metadata for the manifest (camelCase, comments and trailing commas allowed, unknown fields rejected).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
