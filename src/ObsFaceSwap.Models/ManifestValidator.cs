using System.Globalization;
using System.Text.RegularExpressions;

namespace ObsFaceSwap.Models;

/// <summary>
/// Rules of the manifest itself. Each error names the entry (index and id) and the field:
/// <c>models[2] 'scrfd-det-10g': sha256: expected 64 lowercase hex digits, got 'xyz'</c>.
/// </summary>
public static partial class ManifestValidator
{
    /// <summary>Returns every broken rule; empty when the manifest is valid.</summary>
    public static IReadOnlyList<string> Validate(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var errors = new List<string>();
        if (manifest.SchemaVersion != ModelManifest.CurrentSchemaVersion)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"schemaVersion: expected {ModelManifest.CurrentSchemaVersion}, got {manifest.SchemaVersion}"));
        }

        if (manifest.Models is null)
        {
            errors.Add("models: missing (use [] for none)");
            return errors;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < manifest.Models.Count; i++)
        {
            var entry = manifest.Models[i];
            var where = entry is null ? $"models[{i}]" : $"models[{i}] '{entry.DisplayId}'";
            if (entry is null)
            {
                errors.Add($"{where}: the entry is null");
                continue;
            }

            void Error(string field, string message) => errors.Add($"{where}: {field}: {message}");

            if (string.IsNullOrEmpty(entry.Id))
            {
                Error("id", "missing");
            }
            else if (!IdPattern().IsMatch(entry.Id))
            {
                Error("id", $"'{entry.Id}' must be lowercase letters, digits and dashes, starting with a letter or digit");
            }
            else if (!ids.Add(entry.Id))
            {
                Error("id", $"'{entry.Id}' is used by an earlier entry");
            }

            if (string.IsNullOrEmpty(entry.File))
            {
                Error("file", "missing");
            }
            else if (entry.File.IndexOfAny(['/', '\\', ':']) >= 0 || entry.File is "." or ".." || entry.File.StartsWith('.'))
            {
                Error("file", $"'{entry.File}' must be a plain file name (no folders, not starting with '.')");
            }
            else if (!files.Add(entry.File))
            {
                Error("file", $"'{entry.File}' is used by an earlier entry");
            }

            if (entry.Urls is null)
            {
                Error("urls", "missing (use [] when the file cannot be downloaded by URL)");
            }
            else
            {
                for (var u = 0; u < entry.Urls.Count; u++)
                {
                    var url = entry.Urls[u];
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
                    {
                        Error($"urls[{u}]", $"'{url}' is not an absolute https:// URL");
                    }
                }

                if (entry.Urls.Count > 0 && entry.Sha256 is null)
                {
                    Error("sha256", "a model with download URLs must pin its SHA-256");
                }
            }

            if (entry.Sha256 is not null && !Sha256Pattern().IsMatch(entry.Sha256))
            {
                Error("sha256", $"expected 64 lowercase hex digits, got '{entry.Sha256}'");
            }

            if (entry.Size is { } size && size <= 0)
            {
                Error("size", string.Create(CultureInfo.InvariantCulture, $"must be a positive byte count, got {size}"));
            }

            if (string.IsNullOrWhiteSpace(entry.Licence))
            {
                Error("licence", "missing");
            }

            if (entry.LicenceNotice is not null && string.IsNullOrWhiteSpace(entry.LicenceNotice))
            {
                Error("licenceNotice", "empty (leave it out when there is no notice)");
            }

            if (string.IsNullOrEmpty(entry.Purpose))
            {
                Error("purpose", "missing");
            }
            else if (!ModelPurposes.All.Contains(entry.Purpose))
            {
                Error("purpose", $"'{entry.Purpose}' is not one of {string.Join(", ", ModelPurposes.All)}");
            }

            ValidateTensors(entry.Inputs, "inputs", Error);
            ValidateTensors(entry.Outputs, "outputs", Error);

            if (entry.Layout is not ("NHWC" or "NCHW"))
            {
                Error("layout", entry.Layout is null ? "missing (NHWC or NCHW)" : $"'{entry.Layout}' is not NHWC or NCHW");
            }

            if (entry.ColourOrder is not ("RGB" or "BGR"))
            {
                Error("colourOrder", entry.ColourOrder is null ? "missing (RGB or BGR)" : $"'{entry.ColourOrder}' is not RGB or BGR");
            }

            ValidateNormalisation(entry, Error);

            if (entry.InputSize is { } inputSize && inputSize <= 0)
            {
                Error("inputSize", "must be positive");
            }

            if (entry.Purpose is not null && ModelPurposes.Aligned.Contains(entry.Purpose))
            {
                if (string.IsNullOrWhiteSpace(entry.Template))
                {
                    Error("template", $"missing (required for {entry.Purpose} models, e.g. arcface-5pt)");
                }

                if (entry.CropSize is null)
                {
                    Error("cropSize", $"missing (required for {entry.Purpose} models)");
                }
            }

            if (entry.CropSize is { } crop && crop <= 0)
            {
                Error("cropSize", "must be positive");
            }
        }

        return errors;
    }

    private static void ValidateTensors(IReadOnlyList<TensorSpec>? tensors, string field, Action<string, string> error)
    {
        if (tensors is null || tensors.Count == 0)
        {
            error(field, "missing or empty (at least one tensor)");
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var t = 0; t < tensors.Count; t++)
        {
            var tensor = tensors[t];
            var at = $"{field}[{t}]";
            if (tensor is null)
            {
                error(at, "null");
                continue;
            }

            if (string.IsNullOrEmpty(tensor.Name))
            {
                error($"{at}.name", "missing");
            }
            else if (!names.Add(tensor.Name))
            {
                error($"{at}.name", $"'{tensor.Name}' appears twice");
            }

            if (tensor.Shape is null || tensor.Shape.Count == 0)
            {
                error($"{at}.shape", "missing or empty");
            }
            else
            {
                for (var d = 0; d < tensor.Shape.Count; d++)
                {
                    if (!tensor.Shape[d].IsWellFormed)
                    {
                        error($"{at}.shape[{d}]", $"'{tensor.Shape[d]}' must be a positive size, -1, or a symbolic name");
                    }
                }
            }

            if (tensor.ElementType is not null && !ElementTypes.All.Contains(tensor.ElementType))
            {
                error($"{at}.elementType", $"'{tensor.ElementType}' is not one of {string.Join(", ", ElementTypes.All)}");
            }
        }
    }

    private static void ValidateNormalisation(ModelEntry entry, Action<string, string> error)
    {
        if (entry.Mean is null && entry.Std is null)
        {
            error("mean", "missing (mean and std, in 8-bit pixel units: value = (pixel - mean) / std)");
            return;
        }

        if (entry.Mean is null || entry.Std is null)
        {
            error(entry.Mean is null ? "mean" : "std", "missing (mean and std go together)");
            return;
        }

        if (entry.Mean.Count is not (1 or 3))
        {
            error("mean", string.Create(CultureInfo.InvariantCulture, $"expected 1 or 3 values, got {entry.Mean.Count}"));
        }

        if (entry.Std.Count is not (1 or 3))
        {
            error("std", string.Create(CultureInfo.InvariantCulture, $"expected 1 or 3 values, got {entry.Std.Count}"));
        }
        else if (entry.Std.Any(s => s == 0 || !float.IsFinite(s)))
        {
            error("std", "values must be finite and non-zero");
        }

        if (entry.Mean.Any(m => !float.IsFinite(m)))
        {
            error("mean", "values must be finite");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Pattern();
}
