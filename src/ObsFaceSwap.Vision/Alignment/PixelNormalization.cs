namespace ObsFaceSwap.Vision.Alignment;

/// <summary>
/// Per-channel normalisation of a model input tensor: <c>value = (pixel - mean) / std</c>, pixel
/// in 8-bit units 0..255, channels in tensor order (R, G, B for the models here), as the model
/// manifest's <c>mean</c> and <c>std</c> give them.
/// </summary>
/// <param name="Mean0">Mean of channel 0 (R), 8-bit units.</param>
/// <param name="Mean1">Mean of channel 1 (G), 8-bit units.</param>
/// <param name="Mean2">Mean of channel 2 (B), 8-bit units.</param>
/// <param name="Std0">Standard deviation of channel 0, 8-bit units, finite and not 0.</param>
/// <param name="Std1">Standard deviation of channel 1, finite and not 0.</param>
/// <param name="Std2">Standard deviation of channel 2, finite and not 0.</param>
public readonly record struct PixelNormalization(float Mean0, float Mean1, float Mean2, float Std0, float Std1, float Std2)
{
    /// <summary>ArcFace recognition models: mean 127.5, std 127.5 (values in [-1, 1]).</summary>
    public static PixelNormalization ArcFace { get; } = Uniform(127.5f, 127.5f);

    /// <summary>inswapper_128: mean 0, std 255 (values in [0, 1]).</summary>
    public static PixelNormalization Inswapper { get; } = Uniform(0f, 255f);

    /// <summary>The same mean and std for all three channels.</summary>
    /// <param name="mean">Mean, 8-bit units.</param>
    /// <param name="std">Standard deviation, 8-bit units.</param>
    /// <returns>The normalisation.</returns>
    public static PixelNormalization Uniform(float mean, float std) => new(mean, mean, mean, std, std, std);

    /// <summary>Throws when a value is unusable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A mean is not finite, or a std is 0 or not finite.</exception>
    public void Validate()
    {
        if (!float.IsFinite(Mean0) || !float.IsFinite(Mean1) || !float.IsFinite(Mean2))
        {
            throw new ArgumentOutOfRangeException(nameof(Mean0), this, "means must be finite");
        }

        if (!float.IsFinite(Std0) || !float.IsFinite(Std1) || !float.IsFinite(Std2) || Std0 == 0 || Std1 == 0 || Std2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Std0), this, "stds must be finite and not 0");
        }
    }
}
