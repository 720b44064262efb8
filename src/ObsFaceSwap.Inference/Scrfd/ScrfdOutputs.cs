namespace ObsFaceSwap.Inference.Scrfd;

/// <summary>
/// The nine SCRFD output tensors as flat row-major spans (a leading batch dimension of 1, if the
/// model has one, changes nothing), in det_10g's graph order: scores, boxes, keypoints, each for
/// strides 8, 16, 32 (<see cref="ScrfdContract"/>).
/// </summary>
public readonly ref struct ScrfdOutputs
{
    private readonly ReadOnlySpan<float> _scores8;
    private readonly ReadOnlySpan<float> _scores16;
    private readonly ReadOnlySpan<float> _scores32;
    private readonly ReadOnlySpan<float> _boxes8;
    private readonly ReadOnlySpan<float> _boxes16;
    private readonly ReadOnlySpan<float> _boxes32;
    private readonly ReadOnlySpan<float> _keypoints8;
    private readonly ReadOnlySpan<float> _keypoints16;
    private readonly ReadOnlySpan<float> _keypoints32;

    /// <summary>Wraps the nine tensors.</summary>
    /// <param name="scores8">Stride 8 scores [K8,1].</param>
    /// <param name="scores16">Stride 16 scores [K16,1].</param>
    /// <param name="scores32">Stride 32 scores [K32,1].</param>
    /// <param name="boxes8">Stride 8 box distances [K8,4].</param>
    /// <param name="boxes16">Stride 16 box distances [K16,4].</param>
    /// <param name="boxes32">Stride 32 box distances [K32,4].</param>
    /// <param name="keypoints8">Stride 8 keypoint offsets [K8,10].</param>
    /// <param name="keypoints16">Stride 16 keypoint offsets [K16,10].</param>
    /// <param name="keypoints32">Stride 32 keypoint offsets [K32,10].</param>
    public ScrfdOutputs(
        ReadOnlySpan<float> scores8,
        ReadOnlySpan<float> scores16,
        ReadOnlySpan<float> scores32,
        ReadOnlySpan<float> boxes8,
        ReadOnlySpan<float> boxes16,
        ReadOnlySpan<float> boxes32,
        ReadOnlySpan<float> keypoints8,
        ReadOnlySpan<float> keypoints16,
        ReadOnlySpan<float> keypoints32)
    {
        _scores8 = scores8;
        _scores16 = scores16;
        _scores32 = scores32;
        _boxes8 = boxes8;
        _boxes16 = boxes16;
        _boxes32 = boxes32;
        _keypoints8 = keypoints8;
        _keypoints16 = keypoints16;
        _keypoints32 = keypoints32;
    }

    /// <summary>Scores of stride <c>Strides[strideIndex]</c>.</summary>
    /// <param name="strideIndex">0, 1 or 2.</param>
    /// <returns>The tensor.</returns>
    public ReadOnlySpan<float> Scores(int strideIndex) => strideIndex switch
    {
        0 => _scores8,
        1 => _scores16,
        2 => _scores32,
        _ => throw new ArgumentOutOfRangeException(nameof(strideIndex)),
    };

    /// <summary>Box distances of stride <c>Strides[strideIndex]</c>.</summary>
    /// <param name="strideIndex">0, 1 or 2.</param>
    /// <returns>The tensor.</returns>
    public ReadOnlySpan<float> Boxes(int strideIndex) => strideIndex switch
    {
        0 => _boxes8,
        1 => _boxes16,
        2 => _boxes32,
        _ => throw new ArgumentOutOfRangeException(nameof(strideIndex)),
    };

    /// <summary>Keypoint offsets of stride <c>Strides[strideIndex]</c>.</summary>
    /// <param name="strideIndex">0, 1 or 2.</param>
    /// <returns>The tensor.</returns>
    public ReadOnlySpan<float> Keypoints(int strideIndex) => strideIndex switch
    {
        0 => _keypoints8,
        1 => _keypoints16,
        2 => _keypoints32,
        _ => throw new ArgumentOutOfRangeException(nameof(strideIndex)),
    };
}
