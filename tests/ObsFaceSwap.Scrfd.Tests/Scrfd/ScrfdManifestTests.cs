using Microsoft.ML.OnnxRuntime;
using ObsFaceSwap.Models;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Scrfd.Tests.Scrfd;

/// <summary>The det_10g stand-ins honour the manifest's scrfd-det-10g entry (models/manifest.json).</summary>
public sealed class ScrfdManifestTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_stand_in_matches_the_manifest_signature(bool dynamicInput)
    {
        var entry = ModelManifest.LoadEmbedded().Get("scrfd-det-10g");
        var (inputs, outputs) = Signature(ScrfdStandIn.Build(new ScrfdTensors().All, dynamicInput: dynamicInput));

        Assert.Empty(ModelSignature.ValidateSignature(entry, inputs, outputs));
        Assert.Equal(ScrfdStandIn.OutputNames, entry.Outputs!.Select(o => o.Name));
        Assert.Equal(ScrfdStandIn.InputName, Assert.Single(entry.Inputs!).Name);
    }

    [Fact]
    public void Another_input_size_passes_and_a_keypoint_output_of_the_wrong_width_fails()
    {
        var entry = ModelManifest.LoadEmbedded().Get("scrfd-det-10g");
        // A 320 input (anchors 3200/800/200) fits the manifest's symbolic sizes; a stride-32
        // keypoint output 5 wide instead of 10 does not.
        var t = new ScrfdTensors(320, 320);
        var (inputs, outputs) = Signature(ScrfdStandIn.Build(t.All, inputSize: 320));
        var broken = outputs.Select(o => o.Name == "500" ? o with { Shape = [o.Shape[0], 5] } : o).ToArray();

        Assert.Empty(ModelSignature.ValidateSignature(entry, inputs, outputs));
        var error = Assert.Single(ModelSignature.ValidateSignature(entry, inputs, broken));
        Assert.Contains("'500'", error, StringComparison.Ordinal);
    }

    private (ActualTensor[] Inputs, ActualTensor[] Outputs) Signature(OnnxGraphBuilder model)
    {
        var path = _dir.File("det_10g_stand_in.onnx");
        model.Save(path);
        using var options = new SessionOptions();
        using var session = new InferenceSession(path, options);
        return (Tensors(session.InputMetadata, session.InputNames), Tensors(session.OutputMetadata, session.OutputNames));
    }

    private static ActualTensor[] Tensors(IReadOnlyDictionary<string, NodeMetadata> metadata, IReadOnlyList<string> names) =>
        [.. names.Select(n => new ActualTensor(n, [.. metadata[n].Dimensions.Select(d => (long)d)], metadata[n].ElementDataType.ToString()))];
}
