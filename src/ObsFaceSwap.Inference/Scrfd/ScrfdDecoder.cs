using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Inference.Scrfd;

/// <summary>
/// Turns SCRFD's nine output tensors into faces: anchor centres, distance-to-box and
/// distance-to-keypoint decoding, score threshold, non-maximum suppression, and the letterbox
/// undone (InsightFace's <c>SCRFD.forward</c>, <c>detect</c> and <c>nms</c> in
/// python-package/insightface/model_zoo/scrfd.py; see <see cref="ScrfdContract"/>).
/// </summary>
/// <remarks>
/// <para>For anchor k of stride s on a W x H input: location l = k / 2, centre
/// (cx, cy) = ((l mod (W / s)) * s, (l / (W / s)) * s); box (cx - d0 * s, cy - d1 * s,
/// cx + d2 * s, cy + d3 * s); keypoint j (cx + o[2j] * s, cy + o[2j+1] * s), in the
/// InsightFace order of <see cref="FiveLandmarks"/>.</para>
/// <para>NMS is greedy, best score first, dropping a box whose IoU with a kept one exceeds
/// <see cref="ScrfdOptions.IouThreshold"/>. IoU is computed on continuous coordinates;
/// InsightFace adds 1 to widths and heights (a pixel-inclusive convention), which differs only
/// for boxes a few pixels wide.</para>
/// <para>All buffers are allocated by the constructor; <see cref="Decode"/> allocates nothing.
/// One caller at a time.</para>
/// </remarks>
public sealed class ScrfdDecoder
{
    private const int Values = ScrfdContract.BoxValues + ScrfdContract.KeypointValues;

    private readonly ScrfdOptions _options;
    private readonly int[] _anchorCounts;
    private readonly float[] _decoded;
    private readonly float[] _sortKeys;
    private readonly int[] _order;
    private readonly bool[] _suppressed;
    private readonly List<FaceDetection> _results;

    /// <summary>Prepares a decoder for one input size.</summary>
    /// <param name="inputWidth">Model input width, pixels, &gt;= 32.</param>
    /// <param name="inputHeight">Model input height, pixels, &gt;= 32.</param>
    /// <param name="options">Thresholds; <see cref="ScrfdOptions.Default"/> when null (its <see cref="ScrfdOptions.InputSize"/> is not used here).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size below 32 or an option out of range.</exception>
    public ScrfdDecoder(int inputWidth, int inputHeight, ScrfdOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputWidth, 32);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputHeight, 32);
        options ??= ScrfdOptions.Default;
        options.Validate();
        _options = options;
        InputWidth = inputWidth;
        InputHeight = inputHeight;
        _anchorCounts = new int[ScrfdContract.Strides.Count];
        var total = 0;
        for (var i = 0; i < _anchorCounts.Length; i++)
        {
            _anchorCounts[i] = ScrfdContract.AnchorCount(inputWidth, inputHeight, ScrfdContract.Strides[i]);
            total += _anchorCounts[i];
        }

        TotalAnchors = total;
        _decoded = new float[total * Values];
        _sortKeys = new float[total];
        _order = new int[total];
        _suppressed = new bool[total];
        _results = new List<FaceDetection>(options.MaxFaces);
    }

    /// <summary>Model input width, pixels.</summary>
    public int InputWidth { get; }

    /// <summary>Model input height, pixels.</summary>
    public int InputHeight { get; }

    /// <summary>Anchors over all strides (16800 for 640 x 640).</summary>
    public int TotalAnchors { get; }

    /// <summary>The options in use.</summary>
    public ScrfdOptions Options => _options;

    /// <summary>Anchors of stride <c>Strides[strideIndex]</c> (12800, 3200, 800 for 640 x 640).</summary>
    /// <param name="strideIndex">0, 1 or 2.</param>
    /// <returns>The count.</returns>
    public int AnchorCount(int strideIndex) => _anchorCounts[strideIndex];

    /// <summary>
    /// Decodes one run's outputs. The returned list is the decoder's own, overwritten by the next call.
    /// </summary>
    /// <param name="outputs">The nine tensors; each must hold at least anchors x values floats.</param>
    /// <param name="letterbox">Where the frame sat in the input; <see cref="ScrfdLetterbox.Identity"/> for input pixels.</param>
    /// <returns>Faces best first (at most <see cref="ScrfdOptions.MaxFaces"/>), in frame pixels.</returns>
    /// <exception cref="ArgumentException">A tensor is too short for the input size.</exception>
    public IReadOnlyList<FaceDetection> Decode(scoped in ScrfdOutputs outputs, ScrfdLetterbox letterbox)
    {
        if (!(letterbox.Scale > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(letterbox), letterbox.Scale, "letterbox scale must be > 0");
        }

        var count = 0;
        for (var s = 0; s < _anchorCounts.Length; s++)
        {
            count = DecodeStride(outputs, s, count);
        }

        // Ascending by -score: best first. Array.Sort on primitive keys does not allocate.
        Array.Sort(_sortKeys, _order, 0, count);
        Suppress(count, letterbox);
        return _results;
    }

    private static float IoU(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var ix = MathF.Min(a[2], b[2]) - MathF.Max(a[0], b[0]);
        var iy = MathF.Min(a[3], b[3]) - MathF.Max(a[1], b[1]);
        if (ix <= 0 || iy <= 0)
        {
            return 0;
        }

        var inter = ix * iy;
        var union = ((a[2] - a[0]) * (a[3] - a[1])) + ((b[2] - b[0]) * (b[3] - b[1])) - inter;
        return union > 0 ? inter / union : 0;
    }

    private static void Require(ReadOnlySpan<float> tensor, int needed, string kind, int stride)
    {
        if (tensor.Length < needed)
        {
            throw new ArgumentException($"SCRFD {kind} tensor of stride {stride} has {tensor.Length} values, the input size needs {needed}", nameof(tensor));
        }
    }

    private int DecodeStride(scoped in ScrfdOutputs outputs, int strideIndex, int count)
    {
        var stride = ScrfdContract.Strides[strideIndex];
        var anchors = _anchorCounts[strideIndex];
        var scores = outputs.Scores(strideIndex);
        var boxes = outputs.Boxes(strideIndex);
        var keypoints = outputs.Keypoints(strideIndex);
        Require(scores, anchors, "score", stride);
        Require(boxes, anchors * ScrfdContract.BoxValues, "box", stride);
        Require(keypoints, anchors * ScrfdContract.KeypointValues, "keypoint", stride);
        var columns = InputWidth / stride;
        var threshold = _options.ScoreThreshold;
        for (var k = 0; k < anchors; k++)
        {
            var score = scores[k];
            if (!(score >= threshold))
            {
                continue;
            }

            var location = k / ScrfdContract.AnchorsPerLocation;
            float cx = location % columns * stride;
            float cy = location / columns * stride;
            var d = boxes.Slice(k * ScrfdContract.BoxValues, ScrfdContract.BoxValues);
            var o = keypoints.Slice(k * ScrfdContract.KeypointValues, ScrfdContract.KeypointValues);
            var c = _decoded.AsSpan(count * Values, Values);
            c[0] = cx - (d[0] * stride);
            c[1] = cy - (d[1] * stride);
            c[2] = cx + (d[2] * stride);
            c[3] = cy + (d[3] * stride);
            for (var j = 0; j < ScrfdContract.KeypointValues; j += 2)
            {
                c[4 + j] = cx + (o[j] * stride);
                c[5 + j] = cy + (o[j + 1] * stride);
            }

            _sortKeys[count] = -score;
            _order[count] = count;
            count++;
        }

        return count;
    }

    private void Suppress(int count, ScrfdLetterbox letterbox)
    {
        _results.Clear();
        Array.Clear(_suppressed, 0, count);
        for (var a = 0; a < count && _results.Count < _options.MaxFaces; a++)
        {
            if (_suppressed[a])
            {
                continue;
            }

            var best = _decoded.AsSpan(_order[a] * Values, Values);
            for (var b = a + 1; b < count; b++)
            {
                if (!_suppressed[b] && IoU(best, _decoded.AsSpan(_order[b] * Values, Values)) > _options.IouThreshold)
                {
                    _suppressed[b] = true;
                }
            }

            _results.Add(ToFrame(best, -_sortKeys[a], letterbox));
        }
    }

    private static FaceDetection ToFrame(ReadOnlySpan<float> c, float score, ScrfdLetterbox lb)
    {
        var p0 = lb.ToFrame(c[0], c[1]);
        var p1 = lb.ToFrame(c[2], c[3]);
        var landmarks = new FiveLandmarks(
            lb.ToFrame(c[4], c[5]),
            lb.ToFrame(c[6], c[7]),
            lb.ToFrame(c[8], c[9]),
            lb.ToFrame(c[10], c[11]),
            lb.ToFrame(c[12], c[13]));
        return new FaceDetection(new BoxF(p0.X, p0.Y, p1.X - p0.X, p1.Y - p0.Y), landmarks, score);
    }
}
