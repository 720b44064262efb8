using ObsFaceSwap.Inference.Swap;

namespace ObsFaceSwap.Swap;

/// <summary>A loaded identity: who is swapped in.</summary>
/// <param name="Name">The identity's name (its file or folder name).</param>
/// <param name="Embedding">The mean of its images' L2-normalised ArcFace embeddings, L2-normalised again (512 floats).</param>
/// <param name="Latent">The swap model's input for it: L2-normalise(<paramref name="Embedding"/> x emap), computed once.</param>
/// <param name="ImageCount">How many images it was averaged over.</param>
public sealed record Identity(string Name, float[] Embedding, SwapLatent Latent, int ImageCount);

/// <summary>A source image of an identity cannot serve: no face, several faces, or unreadable. The message names the image and what to do.</summary>
public sealed class IdentityImageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with which image.</param>
    public IdentityImageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public IdentityImageException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public IdentityImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
