using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Swap;

/// <summary>Where <see cref="SwapEngine.Process"/> puts a frame's faces and patches (the host: the result; offline: the output frame).</summary>
public interface ISwapOutput
{
    /// <summary>A tracked face, in the frame's order.</summary>
    /// <param name="track">The face.</param>
    /// <param name="unswapped">True when the mapping says to swap it but there is no swap (no identity, no model, a model fault): fail closed, mask it.</param>
    void Face(in FaceTrack track, bool unswapped);

    /// <summary>A swapped face's patch: S x S BGRA, straight alpha (the paste-back mask), rows of 4·S bytes.</summary>
    /// <param name="faceId">The track id of the face it covers.</param>
    /// <param name="bgra">The pixels.</param>
    /// <param name="size">S, pixels.</param>
    /// <param name="patchToFrame">Where patch pixel (u, v) lands in the frame.</param>
    /// <param name="opacity">0..1, multiplies the alpha.</param>
    void Patch(uint faceId, ReadOnlySpan<byte> bgra, int size, Affine2x3 patchToFrame, float opacity);
}
