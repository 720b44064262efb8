namespace ObsFaceSwap.Models;

/// <summary>A tensor as an inference session reports it: name, shape with -1 for dynamic dimensions, element type.</summary>
/// <param name="Name">Name in the graph.</param>
/// <param name="Shape">Dimensions; -1 (or any negative) for dynamic ones.</param>
/// <param name="ElementType">Element type in any common spelling (float, Float, float32, Half, ...); null when unknown.</param>
public sealed record ActualTensor(string Name, IReadOnlyList<long> Shape, string? ElementType = null);

/// <summary>Compares a loaded model's real inputs and outputs with its manifest entry.</summary>
public static class ModelSignature
{
    /// <summary>
    /// Every difference between <paramref name="entry"/>'s tensors and the model's: a missing or extra input,
    /// a missing output, a different rank, a fixed dimension of another size, another element type.
    /// Each error names the model, the tensor, and the expected and actual shapes. A dynamic or symbolic
    /// dimension on either side matches any size; extra outputs are allowed. Empty when compatible.
    /// </summary>
    public static IReadOnlyList<string> ValidateSignature(ModelEntry entry, IReadOnlyList<ActualTensor> actualInputs, IReadOnlyList<ActualTensor> actualOutputs)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(actualInputs);
        ArgumentNullException.ThrowIfNull(actualOutputs);
        var errors = new List<string>();
        Compare(entry, "input", entry.Inputs ?? [], actualInputs, errors);
        Compare(entry, "output", entry.Outputs ?? [], actualOutputs, errors);

        var expectedInputs = new HashSet<string>((entry.Inputs ?? []).Select(t => t.Name ?? string.Empty), StringComparer.Ordinal);
        foreach (var extra in actualInputs.Where(a => !expectedInputs.Contains(a.Name)))
        {
            errors.Add($"model '{entry.DisplayId}': the model has an input '{extra.Name}' {TensorDim.Format(extra.Shape)} that the manifest does not list");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ModelSignatureException"/> listing every difference, if any.</summary>
    public static void EnsureSignature(ModelEntry entry, IReadOnlyList<ActualTensor> actualInputs, IReadOnlyList<ActualTensor> actualOutputs)
    {
        var errors = ValidateSignature(entry, actualInputs, actualOutputs);
        if (errors.Count > 0)
        {
            throw new ModelSignatureException(entry?.DisplayId ?? "?", errors);
        }
    }

    private static void Compare(ModelEntry entry, string kind, IReadOnlyList<TensorSpec> expected, IReadOnlyList<ActualTensor> actual, List<string> errors)
    {
        foreach (var spec in expected)
        {
            var shape = spec.Shape ?? [];
            var match = actual.FirstOrDefault(a => string.Equals(a.Name, spec.Name, StringComparison.Ordinal));
            if (match is null)
            {
                errors.Add($"model '{entry.DisplayId}': {kind} '{spec.Name}' {TensorDim.Format(shape)} is missing; the model's {kind}s are "
                    + (actual.Count == 0 ? "none" : string.Join(", ", actual.Select(a => $"'{a.Name}' {TensorDim.Format(a.Shape)}"))));
                continue;
            }

            var compatible = match.Shape.Count == shape.Count;
            for (var d = 0; compatible && d < shape.Count; d++)
            {
                compatible = shape[d].Accepts(match.Shape[d]);
            }

            if (!compatible)
            {
                errors.Add($"model '{entry.DisplayId}': {kind} '{spec.Name}' shape: expected {TensorDim.Format(shape)}, actual {TensorDim.Format(match.Shape)}");
            }

            if (spec.ElementType is not null && match.ElementType is not null
                && !string.Equals(ElementTypes.Normalize(spec.ElementType), ElementTypes.Normalize(match.ElementType), StringComparison.Ordinal))
            {
                errors.Add($"model '{entry.DisplayId}': {kind} '{spec.Name}' element type: expected {spec.ElementType}, actual {ElementTypes.Normalize(match.ElementType)}");
            }
        }
    }
}

/// <summary>A model's real inputs or outputs differ from its manifest entry.</summary>
public sealed class ModelSignatureException : ModelStoreException
{
    /// <summary>Creates the exception.</summary>
    public ModelSignatureException(string id, IReadOnlyList<string> errors)
        : base($"model '{id}' does not match its manifest entry:" + string.Concat((errors ?? []).Select(e => Environment.NewLine + "  " + e)))
    {
        Id = id;
        Errors = errors ?? [];
    }

    /// <summary>The model id.</summary>
    public string Id { get; }

    /// <summary>Each difference.</summary>
    public IReadOnlyList<string> Errors { get; }
}
