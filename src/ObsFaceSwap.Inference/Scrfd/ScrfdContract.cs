namespace ObsFaceSwap.Inference.Scrfd;

/// <summary>
/// The tensor contract of InsightFace's SCRFD detectors with keypoints (det_10g of buffalo_l,
/// scrfd_2.5g_bnkps, ...; ../shared/reference/face-models.md).
/// </summary>
/// <remarks>
/// <para>Input <c>input.1</c> float [1,3,H,W] NCHW, RGB, (x - 127.5) / 128 (InsightFace's
/// <c>cv2.dnn.blobFromImage(img, 1.0/128, size, (127.5,127.5,127.5), swapRB=True)</c>). The
/// published det_10g has a dynamic H and W; 640 x 640 is usual.</para>
/// <para>Nine outputs, grouped by kind and then by stride 8, 16, 32: scores [K,1], box
/// distances [K,4] (left, top, right, bottom), keypoint offsets [K,10] (five (x, y)), where
/// K = (H/stride) * (W/stride) * 2 (two anchors per location, location-major, rows top to
/// bottom); some exports add a leading batch dimension of 1. Scores are already probabilities
/// (no sigmoid). Distances and offsets are in units of the stride, from the anchor centre
/// (x * stride, y * stride) of grid cell (x, y) (no half-cell offset). Source: InsightFace's
/// python-package/insightface/model_zoo/scrfd.py (deepinsight/insightface,
/// <c>SCRFD.forward</c>: <c>net_outs[idx]</c>, <c>net_outs[idx + fmc]</c>,
/// <c>net_outs[idx + fmc * 2]</c>, <c>np.mgrid[:height, :width][::-1] * stride</c>,
/// <c>nms_threshold = 0.4</c>).</para>
/// <para>Output names of det_10g (ONNX node ids of the PyTorch export, in graph order):
/// <c>448, 471, 494</c> scores, <c>451, 474, 497</c> boxes, <c>454, 477, 500</c> keypoints,
/// for strides 8, 16, 32; unbatched shapes [12800,1], [3200,1], [800,1], [12800,4], ...,
/// [800,10] at 640 x 640 (the published graph declares the anchor counts and H, W symbolic).
/// Found with a code search in several independent public det_10g clients: Triton clients, Go,
/// C++ ONNX Runtime and OpenCV DNN wrappers that bind these nine names in this order, and a test
/// of a DeepStream conversion script asserting the nine names with those unbatched shapes; the
/// scrfd-det-10g entry of models/manifest.json says the same. The names are export artefacts,
/// not a specification, so <see cref="ScrfdDetector"/> maps outputs by shape, not by name.</para>
/// </remarks>
public static class ScrfdContract
{
    /// <summary>The input's name in det_10g.</summary>
    public const string InputName = "input.1";

    /// <summary>The usual square input side, pixels.</summary>
    public const int DefaultInputSize = 640;

    /// <summary>Anchors per grid location.</summary>
    public const int AnchorsPerLocation = 2;

    /// <summary>Mean subtracted from each 0..255 channel value.</summary>
    public const float Mean = 127.5f;

    /// <summary>Divisor applied after the mean.</summary>
    public const float Std = 128f;

    /// <summary>Values per anchor in the box output.</summary>
    public const int BoxValues = 4;

    /// <summary>Values per anchor in the keypoint output.</summary>
    public const int KeypointValues = 10;

    /// <summary>The feature strides, finest first.</summary>
    public static IReadOnlyList<int> Strides { get; } = [8, 16, 32];

    /// <summary>det_10g's output names in graph order: scores, boxes, keypoints, each for strides 8, 16, 32.</summary>
    public static IReadOnlyList<string> Det10gOutputNames { get; } = ["448", "471", "494", "451", "474", "497", "454", "477", "500"];

    /// <summary>Anchors of one stride for an input of <paramref name="inputWidth"/> x <paramref name="inputHeight"/>.</summary>
    /// <param name="inputWidth">Input width, pixels.</param>
    /// <param name="inputHeight">Input height, pixels.</param>
    /// <param name="stride">8, 16 or 32.</param>
    /// <returns>(inputHeight / stride) * (inputWidth / stride) * 2 (integer division, as InsightFace).</returns>
    public static int AnchorCount(int inputWidth, int inputHeight, int stride) =>
        inputHeight / stride * (inputWidth / stride) * AnchorsPerLocation;
}
