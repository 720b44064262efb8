using System.Text;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Inference;

namespace ObsFaceSwap.Host.Tests.Pipeline;

public sealed class PipelineSettingsTests
{
    [Theory]
    [InlineData("{}", "diagnostic")]
    [InlineData("{\"mode\":\"diagnostic\"}", "diagnostic")]
    [InlineData("{\"mode\":\"off\"}", "off")]
    [InlineData("{\"analysis_width\":640,\"pixel_format\":\"nv12\",\"queue_depth\":2,\"host_path\":\"\",\"nested\":{\"a\":[1,2,{\"b\":null}]},\"mode\":\"off\"}", "off")]
    [InlineData(" { \"mode\" : \"off\" } ", "off")]
    [InlineData("{\"mode\":\"privacy\",\"detect_interval\":3,\"privacy_style\":\"blur\"}", "privacy")]
    public void Valid_settings_parse(string json, string mode)
    {
        Assert.True(PipelineSettings.TryParse(Encoding.UTF8.GetBytes(json), out var settings, out var error), error);
        Assert.Equal(mode, PipelineSettings.ModeName(settings.Mode));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("{\"mode\":\"Diagnostic\"}", "'mode'")]
    [InlineData("{\"mode\":\"\"}", "'mode'")]
    [InlineData("{\"mode\":null}", "'mode'")]
    [InlineData("{\"mode\":[\"off\"]}", "'mode'")]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"mode\":\"off\"", "not valid JSON")]
    [InlineData("{} {}", "not valid JSON")]
    [InlineData("\"off\"", "JSON object")]
    [InlineData("42", "JSON object")]
    [InlineData("{\"detect_interval\":0}", "'detect_interval'")]
    [InlineData("{\"detect_interval\":31}", "'detect_interval'")]
    [InlineData("{\"detect_interval\":\"2\"}", "'detect_interval'")]
    [InlineData("{\"detect_interval\":1.5}", "'detect_interval'")]
    [InlineData("{\"execution_provider\":\"gpu\"}", "'execution_provider' is \"gpu\", expected \"auto\", \"cpu\", \"cuda\", \"tensorrt\", \"directml\", \"coreml\" (any case)")]
    [InlineData("{\"execution_provider\":\"\"}", "'execution_provider'")]
    [InlineData("{\"execution_provider\":null}", "'execution_provider' is Null")]
    [InlineData("{\"execution_provider\":2}", "'execution_provider' is Number")]
    [InlineData("{\"face_mapping\":\"nearest\"}", "'face_mapping' is \"nearest\", expected \"all\", \"order\", \"position\" or \"similarity\"")]
    [InlineData("{\"face_mapping\":\"1\"}", "'face_mapping'")]
    [InlineData("{\"colour_correction\":101}", "'colour_correction' must be an integer 0..100")]
    [InlineData("{\"swap_opacity\":-1}", "'swap_opacity'")]
    [InlineData("{\"identity\":3}", "'identity' must be a string")]
    public void Invalid_settings_say_what_is_wrong(string json, string reason)
    {
        Assert.False(PipelineSettings.TryParse(Encoding.UTF8.GetBytes(json), out var settings, out var error));
        Assert.Null(settings);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_diagnostic()
    {
        Assert.Equal(PipelineMode.Diagnostic, PipelineSettings.Default.Mode);
        Assert.Equal("diagnostic", PipelineSettings.ModeName(PipelineMode.Diagnostic));
        Assert.Equal("off", PipelineSettings.ModeName(PipelineMode.Off));
    }

    [Fact]
    public void Detect_interval_is_read_and_defaults_to_one()
    {
        Assert.True(PipelineSettings.TryParse("{\"mode\":\"privacy\",\"detect_interval\":4}"u8, out var settings, out _));
        Assert.Equal(PipelineMode.Privacy, settings.Mode);
        Assert.Equal(4, settings.DetectInterval);
        Assert.True(PipelineSettings.TryParse("{\"mode\":\"privacy\"}"u8, out settings, out _));
        Assert.Equal(1, settings.DetectInterval);
    }

    [Theory]
    [InlineData("{\"mode\":\"privacy\",\"execution_provider\":\"auto\"}", ExecutionProvider.Auto)]
    [InlineData("{\"mode\":\"privacy\",\"execution_provider\":\"cpu\"}", ExecutionProvider.Cpu)]
    [InlineData("{\"mode\":\"privacy\",\"execution_provider\":\"cuda\"}", ExecutionProvider.Cuda)]
    [InlineData("{\"mode\":\"privacy\",\"execution_provider\":\"tensorrt\"}", ExecutionProvider.TensorRT)]
    [InlineData("{\"mode\":\"privacy\",\"execution_provider\":\"directml\"}", ExecutionProvider.DirectML)]
    [InlineData("{\"mode\":\"privacy\",\"execution_provider\":\"coreml\"}", ExecutionProvider.CoreML)]
    [InlineData("{\"execution_provider\":\"CUDA\",\"mode\":\"off\"}", ExecutionProvider.Cuda)]
    [InlineData("{\"mode\":\"privacy\"}", ExecutionProvider.Auto)]
    public void Execution_provider_is_read_and_defaults_to_auto(string json, ExecutionProvider expected)
    {
        Assert.True(PipelineSettings.TryParse(Encoding.UTF8.GetBytes(json), out var settings, out var error), error);
        Assert.Equal(expected, settings.Provider);
        Assert.Equal("execution_provider", PipelineSettings.ProviderKey);
        Assert.Equal(ExecutionProvider.Auto, PipelineSettings.Default.Provider);
    }

    [Fact]
    public void Swap_keys_parse_into_the_swap_options_with_the_settings_provider()
    {
        var json = "{\"mode\":\"swap\",\"identity_folder\":\"/ids\",\"identity\":\"alice\",\"face_mapping\":\"Position\",\"face_map\":\"alice,-\","
            + "\"swapper_model\":\"inswapper-128-fp16\",\"embedder_model\":\"\",\"colour_correction\":25,\"swap_opacity\":80,\"execution_provider\":\"cpu\"}";
        Assert.True(PipelineSettings.TryParse(Encoding.UTF8.GetBytes(json), out var settings, out var error), error);
        Assert.Equal(PipelineMode.Swap, settings.Mode);
        var swap = settings.SwapOrDefault;
        Assert.Equal(("/ids", "alice", ObsFaceSwap.Swap.FaceMappingMode.Position, "alice,-"), (swap.IdentityFolder, swap.Identity, swap.Mapping, swap.FaceMap));
        Assert.Equal(("inswapper-128-fp16", "arcface-w600k-r50"), (swap.SwapperModel, swap.EmbedderModel));
        Assert.Equal((0.25f, 0.8f, ExecutionProvider.Cpu), (swap.ColourCorrection, swap.Opacity, swap.Provider));
        Assert.True(PipelineSettings.TryParse("{\"mode\":\"swap\"}"u8, out var defaults, out _));
        Assert.Equal(new ObsFaceSwap.Swap.SwapOptions(), defaults.SwapOrDefault);
    }
}
