using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Inference.Scrfd;

/// <summary>
/// Face detection with InsightFace's SCRFD (Guo et al., "Sample and Computation Redistribution
/// for Efficient Face Detection", ICLR 2022), e.g. det_10g of buffalo_l, run as ONNX with
/// buffers allocated once (<see cref="ScrfdContract"/> has the tensor contract).
/// </summary>
/// <remarks>
/// <para>Not a <see cref="ModelSession"/>: that wrapper fixes symbolic dimensions to 1, and the
/// published det_10g has a dynamic input [1,3,?,?] (and dynamic output lengths). This detector
/// fixes the input to <see cref="ScrfdOptions.InputSize"/> squared (or to the model's own size
/// when it is fixed) and pre-allocates the nine outputs for it.</para>
/// <para>Outputs are told apart by shape, not by name: the last dimension says the kind (1
/// score, 4 box, 10 keypoints) and the anchor count the stride; when the counts are symbolic,
/// graph order is used (scores, boxes, keypoints, each for strides 8, 16, 32), as InsightFace
/// does.</para>
/// <para>Per frame: the BGRA frame is scaled to fit (aspect ratio kept, bilinear) into the
/// top-left of the input, the rest is black, RGB is normalised as (x - 127.5) / 128, the model
/// runs, and <see cref="ScrfdDecoder"/> decodes. <see cref="Detect"/> allocates nothing on the
/// managed heap. One caller at a time; create one detector per thread.</para>
/// </remarks>
public sealed class ScrfdDetector : IDisposable
{

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtIoBinding _binding;
    private readonly OrtValue[] _values;
    private readonly float[] _input;
    private readonly float[][] _outputs;
    private readonly ScrfdDecoder _decoder;
    private bool _disposed;

    private ScrfdDetector(InferenceSession session, ExecutionProvider provider, int inputWidth, int inputHeight, ScrfdOptions options, string inputName, OutputSlot[] slots)
    {
        _session = session;
        Provider = provider;
        InputName = inputName;
        _decoder = new ScrfdDecoder(inputWidth, inputHeight, options);
        _runOptions = new RunOptions();
        _binding = session.CreateIoBinding();
        _values = new OrtValue[1 + slots.Length];
        _input = new float[3 * inputWidth * inputHeight];
        _values[0] = OrtValue.CreateTensorValueFromMemory(_input, [1, 3, inputHeight, inputWidth]);
        _binding.BindInput(inputName, _values[0]);
        _outputs = new float[slots.Length][];
        var names = new string[slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            var anchors = _decoder.AnchorCount(slot.StrideIndex);
            long[] shape = slot.Batched ? [1, anchors, slot.Values] : [anchors, slot.Values];
            var canonical = (slot.Kind * ScrfdContract.Strides.Count) + slot.StrideIndex;
            _outputs[canonical] = new float[anchors * slot.Values];
            names[canonical] = slot.Name;
            _values[1 + i] = OrtValue.CreateTensorValueFromMemory(_outputs[canonical], shape);
            _binding.BindOutput(slot.Name, _values[1 + i]);
        }

        OutputNames = names;
    }

    /// <summary>The execution provider that runs the model.</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>The model's input name (<c>input.1</c> for det_10g).</summary>
    public string InputName { get; }

    /// <summary>The model's output names in canonical order: scores, boxes, keypoints, each for strides 8, 16, 32.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Input width the model runs at, pixels.</summary>
    public int InputWidth => _decoder.InputWidth;

    /// <summary>Input height the model runs at, pixels.</summary>
    public int InputHeight => _decoder.InputHeight;

    /// <summary>Loads an SCRFD model with keypoints and allocates every buffer. Do it once; reuse the detector.</summary>
    /// <param name="modelPath">The .onnx file (det_10g.onnx or another SCRFD *_kps model).</param>
    /// <param name="options">Thresholds and input size; <see cref="ScrfdOptions.Default"/> when null.</param>
    /// <param name="inference">Execution provider and threads; <see cref="InferenceOptions.Default"/> when null.</param>
    /// <param name="logger">Gets one line naming the execution provider.</param>
    /// <returns>The detector.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">ONNX Runtime cannot load the file, or its inputs and outputs are not SCRFD's; the message names the file.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static ScrfdDetector Open(string modelPath, ScrfdOptions? options = null, InferenceOptions? inference = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        options ??= ScrfdOptions.Default;
        options.Validate();
        inference ??= InferenceOptions.Default;
        inference.Validate();
        logger ??= NullLogger.Instance;
        return SessionLoader.Open(modelPath, inference, logger, (session, provider) =>
        {
            var (inputName, width, height) = CheckInput(session, modelPath, options.InputSize);
            var slots = MapOutputs(session, modelPath, width, height);
            return new ScrfdDetector(session, provider, width, height, options, inputName, slots);
        });
    }

    /// <summary>
    /// Finds faces in a BGRA frame. Allocates nothing: the returned list is the detector's own,
    /// overwritten by the next call.
    /// </summary>
    /// <param name="bgra">Pixels, 4 bytes each in B, G, R, A order (alpha ignored), rows top to bottom.</param>
    /// <param name="width">Frame width in pixels, &gt; 0.</param>
    /// <param name="height">Frame height in pixels, &gt; 0.</param>
    /// <param name="stride">Bytes from one row to the next, &gt;= 4 * width.</param>
    /// <returns>Faces best first, in frame pixels (a box may reach past the frame edges); score 0..1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the stride is less than 4 * width.</exception>
    /// <exception cref="ArgumentException"><paramref name="bgra"/> is shorter than stride * (height - 1) + 4 * width.</exception>
    /// <exception cref="ObjectDisposedException">The detector was disposed.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed during the run.</exception>
    public IReadOnlyList<FaceDetection> Detect(ReadOnlySpan<byte> bgra, int width, int height, int stride)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * 4);
        var needed = ((long)stride * (height - 1)) + (width * 4L);
        if (bgra.Length < needed)
        {
            throw new ArgumentException($"frame of {width}x{height} with stride {stride} needs {needed} bytes, got {bgra.Length}", nameof(bgra));
        }

        var letterbox = ScrfdLetterbox.TopLeft(width, height, InputWidth, InputHeight);
        Fill(bgra, width, height, stride, letterbox.Scale);
        _session.RunWithBinding(_runOptions, _binding);
        var o = _outputs;
        var outputs = new ScrfdOutputs(o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8]);
        return _decoder.Decode(outputs, letterbox);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _binding.Dispose();
        foreach (var value in _values)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>
    /// Writes the NCHW RGB input, (v - 127.5) / 128, sampling the frame bilinearly at each input
    /// pixel's centre (as cv2.resize does); the frame fills the top-left corner, the rest is black.
    /// </summary>
    private void Fill(ReadOnlySpan<byte> bgra, int width, int height, int stride, float scale)
    {
        const float Black = (0f - ScrfdContract.Mean) / ScrfdContract.Std;
        const float InvStd = 1f / ScrfdContract.Std;
        var w = InputWidth;
        var h = InputHeight;
        var plane = w * h;
        _input.AsSpan().Fill(Black);
        var xs = Math.Min(w, (int)((width * scale) + 0.5f));
        var ys = Math.Min(h, (int)((height * scale) + 0.5f));
        var inv = 1f / scale;
        var red = _input.AsSpan(0, plane);
        var green = _input.AsSpan(plane, plane);
        var blue = _input.AsSpan(2 * plane, plane);
        for (var y = 0; y < ys; y++)
        {
            var sy = Math.Clamp(((y + 0.5f) * inv) - 0.5f, 0f, height - 1);
            var ya = (int)sy;
            var yb = Math.Min(ya + 1, height - 1);
            var fy = sy - ya;
            var rowA = bgra.Slice(ya * stride, width * 4);
            var rowB = bgra.Slice(yb * stride, width * 4);
            var row = y * w;
            for (var x = 0; x < xs; x++)
            {
                var sx = Math.Clamp(((x + 0.5f) * inv) - 0.5f, 0f, width - 1);
                var xa = (int)sx;
                var xb = Math.Min(xa + 1, width - 1);
                var fx = sx - xa;
                var w00 = (1 - fx) * (1 - fy);
                var w01 = fx * (1 - fy);
                var w10 = (1 - fx) * fy;
                var w11 = fx * fy;
                int a = xa * 4, b = xb * 4;
                var bv = (rowA[a] * w00) + (rowA[b] * w01) + (rowB[a] * w10) + (rowB[b] * w11);
                var gv = (rowA[a + 1] * w00) + (rowA[b + 1] * w01) + (rowB[a + 1] * w10) + (rowB[b + 1] * w11);
                var rv = (rowA[a + 2] * w00) + (rowA[b + 2] * w01) + (rowB[a + 2] * w10) + (rowB[b + 2] * w11);
                red[row + x] = (rv - ScrfdContract.Mean) * InvStd;
                green[row + x] = (gv - ScrfdContract.Mean) * InvStd;
                blue[row + x] = (bv - ScrfdContract.Mean) * InvStd;
            }
        }
    }

    private static (string Name, int Width, int Height) CheckInput(InferenceSession session, string modelPath, int size)
    {
        if (session.InputNames.Count != 1)
        {
            throw new ModelLoadException(modelPath, $"expected one SCRFD input [1,3,H,W], found {session.InputNames.Count} inputs");
        }

        var name = session.InputNames[0];
        var meta = session.InputMetadata[name];
        var dims = meta.IsTensor ? meta.Dimensions : [];
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float || dims.Length != 4 || dims[0] > 1 || dims[1] != 3)
        {
            throw new ModelLoadException(modelPath, $"expected one float SCRFD input [1,3,H,W], found '{name}' {meta.OnnxValueType}/{meta.ElementDataType} [{string.Join(",", dims)}]");
        }

        var height = dims[2] > 0 ? dims[2] : size;
        var width = dims[3] > 0 ? dims[3] : size;
        if (width < 32 || height < 32 || width % 32 != 0 || height % 32 != 0)
        {
            throw new ModelLoadException(modelPath, $"input '{name}' is {width}x{height}; SCRFD needs multiples of 32");
        }

        return (name, width, height);
    }

    private static OutputSlot[] MapOutputs(InferenceSession session, string modelPath, int width, int height)
    {
        var names = session.OutputNames;
        var strides = ScrfdContract.Strides.Count;
        string Describe() => string.Join(", ", names.Select(n => $"{n} [{string.Join(",", session.OutputMetadata[n].Dimensions)}]"));
        if (names.Count != 3 * strides)
        {
            throw new ModelLoadException(modelPath, $"expected SCRFD's nine outputs (scores, boxes, keypoints for strides 8, 16, 32), found {names.Count}: {Describe()}");
        }

        var slots = new OutputSlot[names.Count];
        Span<int> seen = stackalloc int[3];
        for (var i = 0; i < names.Count; i++)
        {
            var meta = session.OutputMetadata[names[i]];
            var dims = meta.IsTensor ? meta.Dimensions : [];
            var kind = dims.Length is 2 or 3 ? dims[^1] switch
            {
                1 => 0,
                ScrfdContract.BoxValues => 1,
                ScrfdContract.KeypointValues => 2,
                _ => -1,
            } : -1;
            if (kind < 0 || meta.ElementDataType != TensorElementType.Float || (dims.Length == 3 && dims[0] > 1))
            {
                throw new ModelLoadException(modelPath, $"output '{names[i]}' is not an SCRFD score [K,1], box [K,4] or keypoint [K,10] tensor; outputs: {Describe()}");
            }

            // The stride: from the anchor count when it is fixed, else by graph order within the kind.
            var anchors = dims[^2];
            var strideIndex = seen[kind];
            if (anchors > 0)
            {
                strideIndex = -1;
                for (var s = 0; s < strides; s++)
                {
                    if (ScrfdContract.AnchorCount(width, height, ScrfdContract.Strides[s]) == anchors)
                    {
                        strideIndex = s;
                    }
                }
            }

            if (strideIndex is < 0 or >= 3)
            {
                throw new ModelLoadException(modelPath, $"output '{names[i]}' has {anchors} anchors, which matches no stride of a {width}x{height} input; outputs: {Describe()}");
            }

            seen[kind]++;
            slots[i] = new OutputSlot(names[i], kind, strideIndex, (int)dims[^1], dims.Length == 3);
        }

        for (var kind = 0; kind < 3; kind++)
        {
            for (var s = 0; s < strides; s++)
            {
                if (slots.Count(x => x.Kind == kind && x.StrideIndex == s) != 1)
                {
                    throw new ModelLoadException(modelPath, $"expected one score, box and keypoint output per stride 8, 16, 32; outputs: {Describe()}");
                }
            }
        }

        return slots;
    }


    private readonly record struct OutputSlot(string Name, int Kind, int StrideIndex, int Values, bool Batched);
}
