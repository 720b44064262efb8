namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// The tensor contract of InsightFace's inswapper_128 and swappers like it
/// (../shared/reference/face-models.md; the inswapper-128 and inswapper-128-fp16 entries of
/// models/manifest.json).
/// </summary>
/// <remarks>
/// <para>Inputs <c>target</c> [1,3,S,S] (the target face aligned to the ArcFace template, for
/// S = 128 shifted right by 8 pixels; RGB, <c>x / 255</c>) and <c>source</c> [1,512] (the
/// <see cref="SwapLatent"/> of the identity). Output [1,3,S,S], the swapped face, RGB in [0,1]
/// (named <c>output</c> in inswapper_128). S comes from the model's <c>target</c> shape, so a
/// 256 or 512 swapper with the same contract needs only a manifest entry.</para>
/// <para>fp16 exports: the published inswapper_128.fp16.onnx is used by public clients (Rope,
/// VisoMaster's predecessor, whose assets it is; facefusion's run script for its
/// inswapper_128_fp16) with float32 buffers bound to <c>target</c>, <c>source</c> and
/// <c>output</c>, i.e. float16 weights behind float32 inputs and outputs (converted with
/// <c>keep_io_types</c>). Other conversions declare float16 inputs and outputs;
/// <see cref="InswapperSwapper"/> reads the element types from the session and handles
/// both.</para>
/// </remarks>
public static class InswapperContract
{
    /// <summary>Name of the aligned target face input.</summary>
    public const string TargetName = "target";

    /// <summary>Name of the identity latent input.</summary>
    public const string SourceName = "source";

    /// <summary>Name of inswapper_128's output (other swappers may name it differently; it is found by being the only output).</summary>
    public const string OutputName = "output";

    /// <summary>Length of the latent and side of the emap matrix.</summary>
    public const int LatentLength = 512;

    /// <summary>inswapper_128's crop side, pixels.</summary>
    public const int DefaultCropSize = 128;

    /// <summary>Divisor of 0..255 channel values for <c>target</c>; the output is in the same [0,1] units.</summary>
    public const float Scale = 255f;

    /// <summary>
    /// Below this population standard deviation (in output units, 0..1), an output channel counts
    /// as flat: the black or green box that broken fp16 runs give.
    /// </summary>
    public const float FlatStdThreshold = 1e-4f;
}
