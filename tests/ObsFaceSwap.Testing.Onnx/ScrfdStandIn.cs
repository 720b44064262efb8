namespace ObsFaceSwap.Testing.Onnx;

/// <summary>
/// A stand-in for InsightFace's SCRFD det_10g: the same input name and the nine outputs with the
/// real names and shapes, whose values are constants the test chooses (the graph reads its input
/// only through a term multiplied by zero, or through the red-channel gain of <see cref="Build"/>).
/// </summary>
/// <remarks>
/// det_10g's names and graph order (448, 471, 494 scores; 451, 474, 497 boxes; 454, 477, 500
/// keypoints; strides 8, 16, 32; unbatched [K,1], [K,4], [K,10]) are those public det_10g
/// clients bind (see ObsFaceSwap.Inference.Scrfd.ScrfdContract for the sources).
/// </remarks>
public static class ScrfdStandIn
{
    /// <summary>det_10g's input name.</summary>
    public const string InputName = "input.1";

    /// <summary>det_10g's output names in graph order: scores, boxes, keypoints, each for strides 8, 16, 32.</summary>
    public static IReadOnlyList<string> OutputNames { get; } = ["448", "471", "494", "451", "474", "497", "454", "477", "500"];

    /// <summary>Values per anchor of output i: 1, 1, 1, 4, 4, 4, 10, 10, 10.</summary>
    /// <param name="output">Output index in <see cref="OutputNames"/> order.</param>
    /// <returns>The last dimension.</returns>
    public static int ValuesPerAnchor(int output) => output switch
    {
        < 3 => 1,
        < 6 => 4,
        _ => 10,
    };

    /// <summary>Builds the stand-in.</summary>
    /// <param name="outputs">Nine row-major value arrays in <see cref="OutputNames"/> order; array i holds K_i x <see cref="ValuesPerAnchor"/> values.</param>
    /// <param name="inputSize">The input side the model declares (ignored when <paramref name="dynamicInput"/>).</param>
    /// <param name="dynamicInput">Declare the input [1,3,?,?] and the outputs' anchor counts symbolic, as the published det_10g does.</param>
    /// <param name="batchedOutputs">Outputs [1,K,v] instead of [K,v].</param>
    /// <param name="graphOrder">The order the outputs are declared in (indices into <see cref="OutputNames"/>); null for det_10g's own.</param>
    /// <param name="redGain">
    /// Per-anchor weights (one per anchor of each of the three score outputs, or null): the score
    /// becomes constant + weight * (mean of the normalised red input channel), so a test can see
    /// the frame reach the model in the right channel.
    /// </param>
    /// <returns>The builder, ready to <see cref="OnnxGraphBuilder.Save"/>.</returns>
    public static OnnxGraphBuilder Build(
        IReadOnlyList<float[]> outputs,
        int inputSize = 640,
        bool dynamicInput = false,
        bool batchedOutputs = false,
        IReadOnlyList<int>? graphOrder = null,
        IReadOnlyList<float[]?>? redGain = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count != OutputNames.Count)
        {
            throw new ArgumentException($"SCRFD has {OutputNames.Count} outputs, got {outputs.Count}", nameof(outputs));
        }

        graphOrder ??= [0, 1, 2, 3, 4, 5, 6, 7, 8];
        var b = new OnnxGraphBuilder("scrfd_stand_in");
        if (dynamicInput)
        {
            b.Input(InputName, 1, 3, "height", "width");
        }
        else
        {
            b.Input(InputName, 1, 3, inputSize, inputSize);
        }

        // Per-channel means [1,3], the red one picked by a MatMul: red [1,1]; zero = red * 0.
        b.Node("ReduceMean", [InputName], ["channel_mean"], OnnxAttributes.List("axes", 2, 3), OnnxAttributes.Scalar("keepdims", 0L))
            .Initializer("pick_red", [1f, 0f, 0f], [3, 1])
            .MatMul("channel_mean", "pick_red", "red")
            .Initializer("zero", [0f], [])
            .Mul("red", "zero", "input_zero");

        foreach (var i in graphOrder)
        {
            var values = ValuesPerAnchor(i);
            var anchors = outputs[i].Length / values;
            long[] shape = batchedOutputs ? [1, anchors, values] : [anchors, values];
            var name = OutputNames[i];
            b.Constant($"const_{name}", outputs[i], shape);
            var gain = redGain is not null && i < 3 ? redGain[i] : null;
            if (gain is null)
            {
                b.Add($"const_{name}", "input_zero", name);
            }
            else
            {
                b.Initializer($"gain_{name}", gain, shape)
                    .Mul($"gain_{name}", "red", $"gained_{name}")
                    .Add($"const_{name}", $"gained_{name}", name);
            }

            OnnxDim k = dynamicInput ? $"anchors_{name}" : anchors;
            if (batchedOutputs)
            {
                b.Output(name, 1, k, values);
            }
            else
            {
                b.Output(name, k, values);
            }
        }

        return b;
    }
}
