using ObsFaceSwap.Inference;

namespace ObsFaceSwap.Swap;

/// <summary>What the swap does (the filter's swap settings, or the command line's).</summary>
/// <param name="IdentityFolder">Folder of identities (<see cref="Swap.IdentityFolder"/>).</param>
/// <param name="Identity">The live identity: a name or <c>#N</c>.</param>
/// <param name="Mapping">Which face gets which identity.</param>
/// <param name="FaceMap">Order and position: names in order; similarity: <c>reference-image=identity</c> pairs.</param>
/// <param name="SwapperModel">A manifest id (<c>inswapper-128</c>, <c>inswapper-128-fp16</c>) or the path of an .onnx file with the inswapper contract.</param>
/// <param name="EmbedderModel">A manifest id (<c>arcface-w600k-r50</c>) or the path of an .onnx file with the ArcFace contract.</param>
/// <param name="ColourCorrection">0..1: how far the patch's colour statistics move toward the original face's.</param>
/// <param name="Opacity">0..1: the patch's opacity.</param>
/// <param name="Provider">ONNX Runtime execution provider for both models.</param>
public sealed record SwapOptions(
    string IdentityFolder = "",
    string Identity = "#1",
    FaceMappingMode Mapping = FaceMappingMode.All,
    string FaceMap = "",
    string SwapperModel = SwapOptions.DefaultSwapper,
    string EmbedderModel = SwapOptions.DefaultEmbedder,
    float ColourCorrection = 0.5f,
    float Opacity = 1f,
    ExecutionProvider Provider = ExecutionProvider.Auto)
{
    /// <summary>Manifest id of the default swap model.</summary>
    public const string DefaultSwapper = "inswapper-128";

    /// <summary>Manifest id of the fp32 swap model, the fp16 model's fallback.</summary>
    public const string Fp32Swapper = "inswapper-128";

    /// <summary>Manifest id of the default embedding model.</summary>
    public const string DefaultEmbedder = "arcface-w600k-r50";

    /// <summary>The <c>face_mapping</c> value of <paramref name="mode"/>.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>"all", "order", "position" or "similarity".</returns>
    public static string MappingName(FaceMappingMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Parses a <c>face_mapping</c> value (any case).</summary>
    /// <param name="value">The value.</param>
    /// <param name="mode">The mode.</param>
    /// <returns>False for anything else.</returns>
    public static bool TryParseMapping(string? value, out FaceMappingMode mode) =>
        Enum.TryParse(value, ignoreCase: true, out mode) && Enum.IsDefined(mode) && !int.TryParse(value, out _);
}
