namespace ObsFaceSwap.Models.Tests;

public sealed class ModelSignatureTests
{
    private static readonly ModelEntry Front = ModelManifest.LoadEmbedded().Get("blazeface-front-128");

    private static ActualTensor[] FrontOutputs() =>
    [
        new("Identity:0", [1, 512, 1], "Float"),
        new("Identity_1:0", [1, 384, 1], "Float"),
        new("Identity_2:0", [1, 512, 16], "Float"),
        new("Identity_3:0", [1, 384, 16], "Float"),
    ];

    [Fact]
    public void The_real_BlazeFace_signature_matches()
    {
        var errors = ModelSignature.ValidateSignature(Front, [new("input:0", [1, 128, 128, 3], "float")], FrontOutputs());
        Assert.Empty(errors);
        ModelSignature.EnsureSignature(Front, [new("input:0", [1, 128, 128, 3], "Single")], FrontOutputs());
    }

    [Fact]
    public void A_transposed_input_names_expected_and_actual_shapes()
    {
        var errors = ModelSignature.ValidateSignature(Front, [new("input:0", [1, 3, 128, 128], "float")], FrontOutputs());
        Assert.Equal("model 'blazeface-front-128': input 'input:0' shape: expected [1,128,128,3], actual [1,3,128,128]", Assert.Single(errors));
        var e = Assert.Throws<ModelSignatureException>(() => ModelSignature.EnsureSignature(Front, [new("input:0", [1, 3, 128, 128])], FrontOutputs()));
        Assert.Contains("expected [1,128,128,3], actual [1,3,128,128]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_rank_is_an_error()
    {
        var errors = ModelSignature.ValidateSignature(Front, [new("input:0", [128, 128, 3])], FrontOutputs());
        Assert.Contains("expected [1,128,128,3], actual [128,128,3]", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Dynamic_dimensions_match_any_size_on_either_side()
    {
        var scrfd = ModelManifest.LoadEmbedded().Get("scrfd-det-10g");
        var outputs = scrfd.Outputs!.Select(o => new ActualTensor(o.Name!, [12800, o.Shape![1].Value], "float32")).ToArray();
        Assert.Empty(ModelSignature.ValidateSignature(scrfd, [new("input.1", [1, 3, 640, 640], "float32")], outputs));
        Assert.Empty(ModelSignature.ValidateSignature(scrfd, [new("input.1", [1, 3, -1, -1], "float32")], outputs));
        Assert.Empty(ModelSignature.ValidateSignature(Front, [new("input:0", [-1, 128, 128, 3], "float32")], FrontOutputs()));
    }

    [Fact]
    public void Missing_and_extra_tensors_and_element_types_are_reported()
    {
        var errors = ModelSignature.ValidateSignature(
            Front,
            [new("image", [1, 128, 128, 3], "float32")],
            FrontOutputs().Take(3).Append(new ActualTensor("extra_out", [1])).ToArray());
        Assert.Contains("model 'blazeface-front-128': input 'input:0' [1,128,128,3] is missing; the model's inputs are 'image' [1,128,128,3]", errors);
        Assert.Contains(errors, e => e.StartsWith("model 'blazeface-front-128': output 'Identity_3:0' [1,384,16] is missing", StringComparison.Ordinal));
        Assert.Contains("model 'blazeface-front-128': the model has an input 'image' [1,128,128,3] that the manifest does not list", errors);
        Assert.Equal(3, errors.Count); // an extra output is allowed

        var typed = ModelSignature.ValidateSignature(Front, [new("input:0", [1, 128, 128, 3], "Half")], FrontOutputs());
        Assert.Equal("model 'blazeface-front-128': input 'input:0' element type: expected float32, actual float16", Assert.Single(typed));
    }

    [Theory]
    [InlineData("Float", "float32")]
    [InlineData("tensor(float)", "float32")]
    [InlineData("Float16", "float16")]
    [InlineData("Int64", "int64")]
    [InlineData("UInt8", "uint8")]
    [InlineData("complex64", "complex64")]
    public void Element_type_spellings_are_normalised(string name, string expected) => Assert.Equal(expected, ElementTypes.Normalize(name));
}
