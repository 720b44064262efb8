using Onnx;

namespace ObsFaceSwap.Testing.Onnx;

/// <summary>How an <see cref="InswapperStandIn"/> misbehaves.</summary>
public enum InswapperFault
{
    /// <summary>Output = 0.5 * target + tint.</summary>
    None,

    /// <summary>Output is NaN everywhere (0.5 * target / 0 * 0 + tint), like a broken fp16 run.</summary>
    NaN,

    /// <summary>Output is the tint alone, flat per channel (a "green box").</summary>
    Flat,
}

/// <summary>
/// A stand-in for InsightFace's inswapper_128 with its contract (inputs <c>target</c>
/// [1,3,S,S] and <c>source</c> [1,512], output <c>output</c> [1,3,S,S], and a 512 x 512
/// <c>emap</c> initializer that is the graph's last) and a predictable output:
/// <c>output[c] = 0.5 * target[c] + sigmoid(source[c])</c> for channel c = 0, 1, 2, so a test
/// can tell which latent reached the model.
/// </summary>
/// <remarks>
/// The fp16 variant declares float16 inputs and outputs and casts to float inside (ONNX
/// Runtime's CPU provider lacks float16 kernels for most operators); its emap can be stored as
/// float16 too. The published inswapper_128.fp16.onnx keeps float32 inputs and outputs (see
/// ObsFaceSwap.Inference.Swap.InswapperContract), which the float32 variant covers.
/// </remarks>
public static class InswapperStandIn
{
    /// <summary>Target input name.</summary>
    public const string TargetName = "target";

    /// <summary>Source (latent) input name.</summary>
    public const string SourceName = "source";

    /// <summary>Output name.</summary>
    public const string OutputName = "output";

    /// <summary>The emap initializer's name.</summary>
    public const string EmapName = "emap";

    /// <summary>A deterministic latentLength x latentLength matrix with varied entries (a scaled identity plus a smooth pattern).</summary>
    /// <param name="latentLength">Rows and columns.</param>
    /// <returns>Row-major values.</returns>
    public static float[] Emap(int latentLength = 512)
    {
        var m = new float[latentLength * latentLength];
        for (var i = 0; i < latentLength; i++)
        {
            for (var j = 0; j < latentLength; j++)
            {
                m[(i * latentLength) + j] = (0.05f * MathF.Cos((0.013f * i * (j + 1)) + (0.7f * j))) + (i == j ? 1f : 0f);
            }
        }

        return m;
    }

    /// <summary>The stand-in's output for one pixel value and latent, as a test computes it.</summary>
    /// <param name="target">Target value x / 255.</param>
    /// <param name="latentComponent">source[c] for the pixel's channel c.</param>
    /// <returns>0.5 * target + sigmoid(latentComponent).</returns>
    public static float Expected(float target, float latentComponent) => (0.5f * target) + (1f / (1f + MathF.Exp(-latentComponent)));

    /// <summary>Builds the stand-in.</summary>
    /// <param name="emap">Row-major latentLength x latentLength values for the last initializer; <see cref="Emap"/> when null.</param>
    /// <param name="cropSize">S.</param>
    /// <param name="float16">Declare float16 inputs and outputs (and cast inside).</param>
    /// <param name="fault">How the output misbehaves.</param>
    /// <param name="emapFloat16">Store the emap as float16.</param>
    /// <param name="latentLength">Length of source (512 for the real contract).</param>
    /// <param name="targetName">Name of the target input.</param>
    /// <param name="targetShape">Declared target shape; [1,3,S,S] when null.</param>
    /// <param name="emapLast">Add emap as the last initializer (false: add a small int64 initializer after it).</param>
    /// <returns>The builder, ready to <see cref="OnnxGraphBuilder.Save"/>.</returns>
    public static OnnxGraphBuilder Build(
        float[]? emap = null,
        int cropSize = 128,
        bool float16 = false,
        InswapperFault fault = InswapperFault.None,
        bool emapFloat16 = false,
        int latentLength = 512,
        string targetName = TargetName,
        OnnxDim[]? targetShape = null,
        bool emapLast = true)
    {
        emap ??= Emap(latentLength);
        var io = float16 ? TensorProto.Types.DataType.Float16 : TensorProto.Types.DataType.Float;
        var b = new OnnxGraphBuilder("inswapper_stand_in")
            .Input(targetName, io, targetShape ?? [1, 3, cropSize, cropSize])
            .Input(SourceName, io, 1, latentLength);
        var target = targetName;
        var source = SourceName;
        if (float16)
        {
            b.Cast(targetName, "target_f", TensorProto.Types.DataType.Float)
                .Cast(SourceName, "source_f", TensorProto.Types.DataType.Float);
            target = "target_f";
            source = "source_f";
        }

        // tint [1,3,1,1] = sigmoid(source[:, 0:3]), picked by a MatMul with a latentLength x 3 selector.
        var pick = new float[latentLength * 3];
        pick[0] = pick[4] = pick[8] = 1f;
        b.Initializer("pick", pick, [latentLength, 3])
            .MatMul(source, "pick", "first3")
            .Node("Sigmoid", ["first3"], ["tint3"])
            .Reshape("tint3", "tint", 1, 3, 1, 1)
            .Initializer("half", [0.5f], [])
            .Initializer("zero", [0f], [])
            .Mul(target, "half", "scaled");
        var scaled = "scaled";
        if (fault == InswapperFault.NaN)
        {
            b.Node("Div", ["scaled", "zero"], ["infinite"]).Mul("infinite", "zero", "nan");
            scaled = "nan";
        }
        else if (fault == InswapperFault.Flat)
        {
            b.Mul("scaled", "zero", "flat");
            scaled = "flat";
        }

        var result = float16 ? "output_f" : OutputName;
        b.Add(scaled, "tint", result);
        if (float16)
        {
            b.Cast(result, OutputName, TensorProto.Types.DataType.Float16);
        }

        b.Output(OutputName, io, 1, 3, cropSize, cropSize);
        if (emapFloat16)
        {
            b.InitializerFloat16(EmapName, emap, [latentLength, latentLength]);
        }
        else
        {
            b.Initializer(EmapName, emap, [latentLength, latentLength]);
        }

        if (!emapLast)
        {
            b.InitializerInt64("after_emap", [2, 3], [2]);
        }

        return b;
    }
}
