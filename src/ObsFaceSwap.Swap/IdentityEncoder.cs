using System.Numerics.Tensors;
using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;

namespace ObsFaceSwap.Swap;

/// <summary>
/// Turns face images into identities and faces into embeddings: detect (exactly one face per
/// identity image: never a silent pick), align with the five-point template at 112 x 112,
/// ArcFace embedding (w600k_r50 contract, L2-normalised), average over the images and
/// normalise again, then the swap latent once (<see cref="SwapLatent.Create"/> with the swap
/// model's emap). Also gives the embedding of a tracked face for mapping by similarity. The
/// detector and embedder are not owned. One thread at a time.
/// </summary>
public sealed class IdentityEncoder
{
    private readonly IFaceDetector _detector;
    private readonly ArcFaceEmbedder _embedder;
    private readonly EmbeddingMap? _emap;
    private readonly Func<string, (byte[] Bgra, int Width, int Height)> _decode;
    private readonly float[] _input = new float[ArcFaceContract.InputLength];

    /// <summary>Creates the encoder.</summary>
    /// <param name="detector">Finds the face in each identity image.</param>
    /// <param name="embedder">The ArcFace model.</param>
    /// <param name="emap">The swap model's emap (null: the latent is the normalised embedding).</param>
    /// <param name="decode">Decodes an image file to packed BGRA (stride 4·width); throws with the file's name when it cannot.</param>
    public IdentityEncoder(IFaceDetector detector, ArcFaceEmbedder embedder, EmbeddingMap? emap, Func<string, (byte[] Bgra, int Width, int Height)> decode)
    {
        _detector = detector;
        _embedder = embedder;
        _emap = emap;
        _decode = decode;
    }

    /// <summary>Loads an identity from its images.</summary>
    /// <param name="source">The identity's name and images.</param>
    /// <returns>The identity with its embedding and latent.</returns>
    /// <exception cref="IdentityImageException">An image has no face or several, or cannot be read; the message names it.</exception>
    public Identity Encode(IdentitySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var sum = new float[ArcFaceContract.EmbeddingLength];
        var one = new float[ArcFaceContract.EmbeddingLength];
        foreach (var path in source.ImagePaths)
        {
            (byte[] Bgra, int Width, int Height) image;
            try
            {
                image = _decode(path);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new IdentityImageException($"identity '{source.Name}': cannot read '{path}': {e.Message}", e);
            }

            var faces = _detector.Detect(image.Bgra, image.Width, image.Height, image.Width * 4);
            if (faces.Count != 1)
            {
                throw new IdentityImageException(faces.Count == 0
                    ? $"identity '{source.Name}': no face found in '{path}' (use a clear, frontal picture of one face)"
                    : $"identity '{source.Name}': {faces.Count} faces found in '{path}'; crop it to the one face to use (faces at {string.Join(", ", faces.Select(f => $"({f.Box.X:0},{f.Box.Y:0} {f.Box.Width:0}x{f.Box.Height:0})"))})");
            }

            Embed(new FramePixels(image.Bgra, image.Width, image.Height, image.Width * 4), faces[0].Landmarks, one);
            TensorPrimitives.Add(sum, one, sum);
        }

        Normalize(sum);
        return new Identity(source.Name, sum, SwapLatent.Create(sum, _emap), source.ImagePaths.Count);
    }

    /// <summary>The L2-normalised ArcFace embedding of the face at <paramref name="landmarks"/>.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="landmarks">Five landmarks, frame pixels.</param>
    /// <param name="embedding">512 floats, written.</param>
    public void Embed(in FramePixels frame, in FiveLandmarks landmarks, Span<float> embedding)
    {
        var cropToFrame = FaceTemplate.CropToFrame(landmarks, ArcFaceContract.InputSize);
        frame.WarpToTensor(cropToFrame, ArcFaceContract.InputSize, PixelNormalization.ArcFace, _input);
        _embedder.Embed(_input, embedding);
    }

    private static void Normalize(Span<float> v)
    {
        var norm = TensorPrimitives.Norm(v);
        if (norm > 0)
        {
            TensorPrimitives.Divide(v, norm, v);
        }
    }
}
