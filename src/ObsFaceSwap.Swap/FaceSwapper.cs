using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Blending;

namespace ObsFaceSwap.Swap;

/// <summary>
/// Swaps one face at a time with an inswapper-style model (face-models.md): the similarity
/// transform from the face's five landmarks to the template of the model's crop size S (128
/// for inswapper_128), the warped crop into the model's input (RGB, x / 255), the model run
/// with the identity's latent, then the S x S BGRA patch with the eroded, feathered paste-back
/// mask as alpha, colour-corrected toward the original face (CIELAB mean and standard
/// deviation). The caller sends the patch and its patch -> frame affine; nothing else of the
/// frame goes back. Buffers are allocated once per crop size; one thread at a time.
/// </summary>
public sealed class FaceSwapper
{
    private readonly SwapperSession _swapper;
    private readonly ColourCorrection _colour = new();
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly byte[] _target;

    /// <summary>Creates the swapper over an open swap model session (not owned).</summary>
    /// <param name="swapper">The swap model.</param>
    public FaceSwapper(SwapperSession swapper)
    {
        ArgumentNullException.ThrowIfNull(swapper);
        _swapper = swapper;
        _input = new float[swapper.TensorLength];
        _output = new float[swapper.TensorLength];
        _target = new byte[4 * swapper.CropSize * swapper.CropSize];
    }

    /// <summary>Side S of the patches, pixels (the model's crop size).</summary>
    public int PatchSize => _swapper.CropSize;

    /// <summary>
    /// Swaps the face at <paramref name="landmarks"/>, writing the S x S patch (BGRA, straight
    /// alpha = mask) into <paramref name="patch"/>.
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="landmarks">The face's five landmarks, frame pixels.</param>
    /// <param name="latent">The identity's swap latent.</param>
    /// <param name="colourStrength">Colour correction, 0 (none) .. 1 (full match).</param>
    /// <param name="patch">S rows of 4·S bytes at <paramref name="patchStride"/>.</param>
    /// <param name="patchStride">Bytes per patch row, &gt;= 4·S.</param>
    /// <param name="patchToFrame">Where patch pixel (u, v) lands in the frame.</param>
    /// <returns>False when the model's output was faulty (NaN or flat) and no fallback fixed it: mask the face.</returns>
    /// <exception cref="ArgumentException">Landmarks that are not finite or all coincide.</exception>
    public bool TrySwap(in FramePixels frame, in FiveLandmarks landmarks, SwapLatent latent, float colourStrength, Span<byte> patch, int patchStride, out Affine2x3 patchToFrame)
    {
        ArgumentNullException.ThrowIfNull(latent);
        var size = _swapper.CropSize;
        var cropToFrame = FaceTemplate.CropToFrame(landmarks, size);
        frame.WarpToTensor(cropToFrame, size, PixelNormalization.Inswapper, _input);
        if (_swapper.Swap(_input, latent, _output) != SwapResult.Swapped)
        {
            patchToFrame = default;
            return false;
        }

        var mask = FeatheredMask.Get(size).Alpha;
        patchToFrame = SwapPatch.WriteBgra(_output, size, mask, cropToFrame, patch, patchStride);
        if (colourStrength > 0)
        {
            frame.WarpToBgra(cropToFrame, size, _target);
            _colour.Apply(patch, patchStride, _target, size * 4, mask, size, Math.Clamp(colourStrength, 0f, 1f));
        }

        return true;
    }
}
