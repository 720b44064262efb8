using System.Text.Json.Nodes;

namespace ObsFaceSwap.Models.Tests;

public sealed class ModelManifestTests
{
    private const string ValidEntry = """
        {
          "id": "m1", "file": "m1.onnx", "urls": ["https://example.org/m1.onnx"],
          "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "size": 10,
          "licence": "Apache-2.0", "purpose": "face-detection",
          "inputs": [{ "name": "input", "shape": [1, 3, "h", -1], "elementType": "float32" }],
          "outputs": [{ "name": "out", "shape": [-1, 4] }],
          "layout": "NCHW", "colourOrder": "RGB", "mean": [127.5], "std": [128]
        }
        """;

    private static string ManifestWith(Action<JsonObject> change)
    {
        var entry = JsonNode.Parse(ValidEntry)!.AsObject();
        change(entry);
        return new JsonObject { ["schemaVersion"] = 1, ["models"] = new JsonArray(entry) }.ToJsonString();
    }

    [Fact]
    public void The_repository_manifest_loads_validates_and_matches_the_embedded_copy()
    {
        var file = ModelManifest.Load(Path.Combine(TestModels.RepoRoot(), "models", "manifest.json"));
        var embedded = ModelManifest.LoadEmbedded();
        Assert.Equal(file.ToJson(), embedded.ToJson());
        Assert.Equal(
            ["blazeface-front-128", "blazeface-back-256", "scrfd-det-10g", "arcface-w600k-r50", "inswapper-128", "inswapper-128-fp16"],
            embedded.Entries.Select(e => e.Id));
        Assert.Empty(ManifestValidator.Validate(embedded));
    }

    [Fact]
    public void The_repository_manifest_pins_the_BlazeFace_files_and_the_InsightFace_notices()
    {
        var m = ModelManifest.LoadEmbedded();
        var front = m.Get("blazeface-front-128");
        Assert.Equal(442_005, front.Size);
        Assert.Equal("face_detection_front_128x128_barracuda.onnx", front.File);
        Assert.Equal("d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51", front.Sha256);
        Assert.Equal("NHWC", front.Layout);
        Assert.Equal([1L, 128, 128, 3], front.Inputs![0].Shape!.Select(d => d.Value));
        Assert.Equal(603_432, m.Get("blazeface-back-256").Size);
        Assert.False(front.RequiresLicenceAcceptance);

        var scrfd = m.Get("scrfd-det-10g");
        Assert.Equal("5838f7fe053675b1c7a08b633df49e7af5495cee0493c7dcf6697200b85b5b91", scrfd.Sha256);
        Assert.Equal("height", scrfd.Inputs![0].Shape![2].Symbol);
        Assert.Equal(9, scrfd.Outputs!.Count);

        foreach (var id in new[] { "scrfd-det-10g", "arcface-w600k-r50", "inswapper-128", "inswapper-128-fp16" })
        {
            var e = m.Get(id);
            Assert.True(e.RequiresLicenceAcceptance, id);
            Assert.Equal("InsightFace non-commercial research use only", e.Licence);
        }

        Assert.Equal(128, m.Get("inswapper-128").CropSize);
        Assert.Equal(112, m.Get("arcface-w600k-r50").CropSize);
        Assert.Equal("6d51a9278a1f650cffefc18ba53f38bf2769bf4bbff89267822cf72945f8a38b", m.Get("inswapper-128-fp16").Sha256);
        Assert.Equal(("e4a3f08c753cb72d04e10aa0f7dbe3deebbf39567d4ead6dce08e98aa49e16af", 554253681L), (m.Get("inswapper-128").Sha256, m.Get("inswapper-128").Size));
        Assert.Equal(2, m.Get("inswapper-128").Urls!.Count);
    }

    [Fact]
    public void The_repository_manifest_pins_the_swap_contracts()
    {
        var m = ModelManifest.LoadEmbedded();
        var arcface = m.Get("arcface-w600k-r50");
        Assert.Equal("4c06341c33c2ca1f86781dab0e829f88ad5b64be9fba56e56bc9ebdefc619e43", arcface.Sha256);
        Assert.Equal("[N,3,112,112]", TensorDim.Format(arcface.Inputs![0].Shape!));
        Assert.Equal("[N,512]", TensorDim.Format(arcface.Outputs![0].Shape!));

        foreach (var id in new[] { "inswapper-128", "inswapper-128-fp16" })
        {
            var e = m.Get(id);
            Assert.Equal(["target", "source"], e.Inputs!.Select(t => t.Name));
            Assert.Equal("[1,3,128,128]", TensorDim.Format(e.Inputs![0].Shape!));
            Assert.Equal("[1,512]", TensorDim.Format(e.Inputs![1].Shape!));
            Assert.Equal("[1,3,128,128]", TensorDim.Format(Assert.Single(e.Outputs!).Shape!));

            // Public clients of the fp16 file bind float32 buffers: fp16 weights, float32 I/O.
            Assert.All(e.Inputs!.Concat(e.Outputs!), t => Assert.Equal("float32", t.ElementType));
            Assert.Equal("arcface-5pt", e.Template);
            Assert.Equal(128, e.CropSize);
        }

        Assert.Equal(554_253_681, m.Get("inswapper-128").Size);
    }

    [Fact]
    public void A_valid_entry_parses_with_symbolic_and_dynamic_dimensions()
    {
        var m = ModelManifest.Parse(ManifestWith(_ => { }), "test");
        var shape = m.Get("m1").Inputs![0].Shape!;
        Assert.Equal(TensorDim.Fixed(1), shape[0]);
        Assert.Equal("h", shape[2].Symbol);
        Assert.Equal(TensorDim.Dynamic, shape[3]);
        Assert.Equal("[1,3,h,-1]", TensorDim.Format(shape));
        Assert.Contains("\"h\"", m.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256", "\"xyz\"", "models[0] 'm1': sha256: expected 64 lowercase hex digits, got 'xyz'")]
    [InlineData("layout", "\"HWC\"", "models[0] 'm1': layout: 'HWC' is not NHWC or NCHW")]
    [InlineData("colourOrder", "\"RGBA\"", "models[0] 'm1': colourOrder: 'RGBA' is not RGB or BGR")]
    [InlineData("purpose", "\"magic\"", "models[0] 'm1': purpose: 'magic' is not one of")]
    [InlineData("file", "\"../evil.onnx\"", "models[0] 'm1': file: '../evil.onnx' must be a plain file name")]
    [InlineData("urls", "[\"http://example.org/m1.onnx\"]", "models[0] 'm1': urls[0]: 'http://example.org/m1.onnx' is not an absolute https:// URL")]
    [InlineData("id", "\"Bad Id\"", "models[0] 'Bad Id': id: 'Bad Id' must be lowercase letters")]
    [InlineData("size", "0", "models[0] 'm1': size: must be a positive byte count, got 0")]
    [InlineData("mean", "[1, 2]", "models[0] 'm1': mean: expected 1 or 3 values, got 2")]
    [InlineData("std", "[0]", "models[0] 'm1': std: values must be finite and non-zero")]
    [InlineData("inputs", "[]", "models[0] 'm1': inputs: missing or empty")]
    [InlineData("outputs", "[{\"name\": \"out\", \"shape\": [0, 4]}]", "models[0] 'm1': outputs[0].shape[0]: '0' must be a positive size")]
    [InlineData("inputs", "[{\"name\": \"input\", \"shape\": [1], \"elementType\": \"float33\"}]", "models[0] 'm1': inputs[0].elementType: 'float33' is not one of")]
    [InlineData("purpose", "\"face-swap\"", "models[0] 'm1': template: missing (required for face-swap models")]
    [InlineData("licenceNotice", "\" \"", "models[0] 'm1': licenceNotice: empty")]
    public void A_bad_field_gives_an_error_naming_the_entry_and_field(string field, string json, string expected)
    {
        var text = ManifestWith(e => e[field] = JsonNode.Parse(json));
        var e = Assert.Throws<ManifestException>(() => ModelManifest.Parse(text, "bad.json"));
        Assert.Contains(e.Errors, x => x.StartsWith(expected, StringComparison.Ordinal));
        Assert.Contains("invalid models manifest bad.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file", "models[0] 'm1': file: missing")]
    [InlineData("licence", "models[0] 'm1': licence: missing")]
    [InlineData("urls", "models[0] 'm1': urls: missing")]
    [InlineData("std", "models[0] 'm1': std: missing (mean and std go together)")]
    [InlineData("layout", "models[0] 'm1': layout: missing")]
    public void A_missing_field_is_named(string field, string expected)
    {
        var e = Assert.Throws<ManifestException>(() => ModelManifest.Parse(ManifestWith(x => x.Remove(field)), "t"));
        Assert.Contains(e.Errors, x => x.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_model_with_urls_must_pin_its_hash()
    {
        var e = Assert.Throws<ManifestException>(() => ModelManifest.Parse(ManifestWith(x => x.Remove("sha256")), "t"));
        Assert.Contains("models[0] 'm1': sha256: a model with download URLs must pin its SHA-256", e.Errors);
    }

    [Fact]
    public void Duplicate_ids_and_files_are_reported_with_the_second_entry()
    {
        var a = JsonNode.Parse(ValidEntry)!;
        var b = JsonNode.Parse(ValidEntry)!;
        var text = new JsonObject { ["schemaVersion"] = 1, ["models"] = new JsonArray(a, b) }.ToJsonString();
        var e = Assert.Throws<ManifestException>(() => ModelManifest.Parse(text, "t"));
        Assert.Contains("models[1] 'm1': id: 'm1' is used by an earlier entry", e.Errors);
        Assert.Contains("models[1] 'm1': file: 'm1.onnx' is used by an earlier entry", e.Errors);
    }

    [Fact]
    public void An_unknown_field_or_bad_JSON_or_schema_version_is_rejected_clearly()
    {
        var unknown = Assert.Throws<ManifestException>(() => ModelManifest.Parse(ManifestWith(x => x["sha265"] = "abc"), "t"));
        Assert.Contains("sha265", unknown.Message, StringComparison.Ordinal);

        var badDim = Assert.Throws<ManifestException>(() => ModelManifest.Parse(ManifestWith(x => x["inputs"]![0]!["shape"] = new JsonArray(1.5)), "t"));
        Assert.Contains("$.models[0].inputs[0].shape[0]", badDim.Message, StringComparison.Ordinal);

        Assert.Throws<ManifestException>(() => ModelManifest.Parse("{", "t"));
        var version = Assert.Throws<ManifestException>(() => ModelManifest.Parse("""{ "schemaVersion": 2, "models": [] }""", "t"));
        Assert.Contains("schemaVersion: expected 1, got 2", version.Errors);
        var none = Assert.Throws<ManifestException>(() => ModelManifest.Parse("""{ "schemaVersion": 1 }""", "t"));
        Assert.Contains("models: missing (use [] for none)", none.Errors);
    }

    [Fact]
    public void Load_of_a_missing_file_names_it()
    {
        var e = Assert.Throws<ManifestException>(() => ModelManifest.Load("/nonexistent/manifest.json"));
        Assert.Contains("/nonexistent/manifest.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_of_an_unknown_id_lists_the_known_ones()
    {
        var e = Assert.Throws<UnknownModelException>(() => ModelManifest.LoadEmbedded().Get("nope"));
        Assert.Contains("unknown model 'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains("blazeface-front-128", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inswapper_128", "inswapper-128")]
    [InlineData("inswapper_128.onnx", "inswapper-128")]
    [InlineData("inswapper_128.fp16", "inswapper-128-fp16")]
    [InlineData("inswapper-128-fp16", "inswapper-128-fp16")]
    [InlineData("w600k_r50", "arcface-w600k-r50")]
    public void A_model_is_found_by_its_id_or_its_file_name(string name, string id)
    {
        var manifest = ModelManifest.LoadEmbedded();
        Assert.Equal(id, manifest.Get(name).Id);
        Assert.Null(manifest.Find("inswapper"));
    }
}
