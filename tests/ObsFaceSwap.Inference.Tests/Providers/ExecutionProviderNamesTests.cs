namespace ObsFaceSwap.Inference.Tests.Providers;

public sealed class ExecutionProviderNamesTests
{
    [Theory]
    [InlineData("auto", ExecutionProvider.Auto)]
    [InlineData("cpu", ExecutionProvider.Cpu)]
    [InlineData("cuda", ExecutionProvider.Cuda)]
    [InlineData("tensorrt", ExecutionProvider.TensorRT)]
    [InlineData("directml", ExecutionProvider.DirectML)]
    [InlineData("coreml", ExecutionProvider.CoreML)]
    [InlineData("CUDA", ExecutionProvider.Cuda)]
    [InlineData("TensorRT", ExecutionProvider.TensorRT)]
    [InlineData("DirectML", ExecutionProvider.DirectML)]
    [InlineData(" CoreML ", ExecutionProvider.CoreML)]
    [InlineData("Auto", ExecutionProvider.Auto)]
    public void Names_parse_ignoring_case(string text, ExecutionProvider expected)
    {
        Assert.True(ExecutionProviders.TryParse(text, out var provider));
        Assert.Equal(expected, provider);
        Assert.Equal(expected, ExecutionProviders.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("dml")]
    [InlineData("cuda0")]
    [InlineData("CUDAExecutionProvider")]
    [InlineData(null)]
    public void Unknown_names_are_refused_with_the_accepted_ones_listed(string? text)
    {
        Assert.False(ExecutionProviders.TryParse(text, out _));
        var e = Assert.Throws<ArgumentException>(() => ExecutionProviders.Parse(text));
        Assert.Contains("auto, cpu, cuda, tensorrt, directml or coreml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_value_has_a_name_that_parses_back()
    {
        Assert.Equal(["auto", "cpu", "cuda", "tensorrt", "directml", "coreml"], ExecutionProviders.Names);
        foreach (var provider in Enum.GetValues<ExecutionProvider>())
        {
            Assert.Equal(provider, ExecutionProviders.Parse(ExecutionProviders.Name(provider)));
            Assert.Equal(provider, ExecutionProviders.Parse(ExecutionProviders.DisplayName(provider)));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ExecutionProviders.Name((ExecutionProvider)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceOptions((ExecutionProvider)42).Validate());
    }
}
