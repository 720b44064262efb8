namespace ObsFaceSwap.Vision;

/// <summary>
/// A face detector over BGRA frames. Implementations own pre-allocated buffers, so one
/// instance serves one thread at a time.
/// </summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>Stable name for logs and stats, e.g. "blazeface-back-256".</summary>
    string Name { get; }

    /// <summary>Finds faces in one frame.</summary>
    /// <param name="bgra">Pixels, 4 bytes each in B, G, R, A order; row y starts at <c>y * stride</c>.</param>
    /// <param name="width">Frame width in pixels, &gt;= 1.</param>
    /// <param name="height">Frame height in pixels, &gt;= 1.</param>
    /// <param name="stride">Bytes per row, &gt;= 4 * width.</param>
    /// <returns>
    /// Faces in frame pixels, best first. The list may be reused by the next call: copy what
    /// must outlive it.
    /// </returns>
    /// <exception cref="ArgumentException">The geometry does not fit <paramref name="bgra"/>.</exception>
    IReadOnlyList<FaceDetection> Detect(ReadOnlySpan<byte> bgra, int width, int height, int stride);
}
