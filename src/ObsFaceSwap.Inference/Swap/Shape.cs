namespace ObsFaceSwap.Inference.Swap;

/// <summary>Shape checks and descriptions for the swap models' contract errors.</summary>
internal static class Shape
{
    /// <summary>In an expected shape: a batch dimension, 1 or symbolic.</summary>
    public const long Batch = long.MinValue;

    /// <summary>In an expected shape: any fixed size &gt; 0.</summary>
    public const long AnyFixed = long.MinValue + 1;

    /// <summary>True when <paramref name="declared"/> (-1 for symbolic) has the rank and sizes of <paramref name="expected"/>.</summary>
    public static bool Matches(IReadOnlyList<long> declared, params ReadOnlySpan<long> expected)
    {
        if (declared.Count != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            var ok = expected[i] switch
            {
                Batch => declared[i] is 1 or -1,
                AnyFixed => declared[i] > 0,
                _ => declared[i] == expected[i],
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"a float32 [1,3,128,128], b float32 [1,512]", or "none".</summary>
    public static string Describe(IReadOnlyList<TensorSpec> tensors) =>
        tensors.Count == 0 ? "none" : string.Join(", ", tensors);
}
