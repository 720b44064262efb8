using ObsFaceSwap.Testing.Onnx;
using Xunit.Abstractions;

namespace ObsFaceSwap.Swap.Tests;

/// <summary>
/// The swap engine on the real BlazeFace detector and public-domain faces, with synthetic
/// ArcFace and inswapper models that have the real contracts (see <see cref="SwapAssets"/>).
/// </summary>
public sealed class SwapEngineTests(ITestOutputHelper output) : IDisposable
{
    private readonly SwapAssets _assets = SwapAssets.Create();

    public void Dispose() => _assets.Dispose();

    [Fact]
    public void An_identity_is_the_normalised_embedding_and_its_latent_is_computed_from_the_models_emap()
    {
        _assets.TintedIdentity("red", "grace_hopper.jpg", "rr=1:gg=0.4:bb=0.4");
        using var detector = SwapAssets.Detector();
        using var engine = SwapAssets.Engine();
        engine.Configure(_assets.Options());
        Assert.Null(engine.Problem);
        var identity = Assert.IsType<Identity>(engine.LiveIdentity);
        Assert.Equal(("red", 1), (identity.Name, identity.ImageCount));
        Assert.Equal(1f, MathF.Sqrt(identity.Embedding.Sum(x => x * x)), 3);

        // latent = L2norm(embedding x emap), by hand from the builder's emap.
        var latent = new float[512];
        for (var j = 0; j < 512; j++)
        {
            for (var i = 0; i < 512; i++)
            {
                latent[j] += identity.Embedding[i] * _assets.Emap[(i * 512) + j];
            }
        }

        var norm = MathF.Sqrt(latent.Sum(x => x * x));
        for (var j = 0; j < 512; j++)
        {
            Assert.Equal(latent[j] / norm, identity.Latent.Values[j], 4);
        }
    }

    [Fact]
    public void The_patch_is_the_models_output_for_the_live_identitys_latent_under_a_feathered_mask_on_the_face()
    {
        _assets.TintedIdentity("red", "grace_hopper.jpg", "rr=1:gg=0.3:bb=0.3");
        _assets.TintedIdentity("blue", "grace_hopper.jpg", "rr=0.3:gg=0.3:bb=1");
        using var detector = SwapAssets.Detector();
        using var engine = SwapAssets.Engine();
        var (frame, w, h) = SwapAssets.Decode(SwapAssets.Face("astronaut.png"));
        var track = Assert.Single(SwapAssets.Tracks(detector, frame, w, h));

        var centres = new List<float[]>();
        foreach (var name in new[] { "red", "blue" })
        {
            engine.Configure(_assets.Options(name));
            Assert.Null(engine.Problem);
            var result = new RecordingOutput();
            engine.Process(new FramePixels(frame, w, h, w * 4), [track], result);
            Assert.Equal([(track.Id, false)], result.Faces);
            var patch = Assert.Single(result.Patches);
            Assert.Equal(128, patch.Size);

            // Centre: opaque, 0.5 x the aligned crop + this identity's tint.
            var o = ((64 * 128) + 64) * 4;
            var expected = SwapAssets.ExpectedCentre(frame, w, h, track, engine.LiveIdentity!);
            output.WriteLine($"{name}: tint {string.Join(", ", SwapAssets.Tint(engine.LiveIdentity!).Select(v => v.ToString("0.0")))}; centre BGR {patch.Bgra[o]} {patch.Bgra[o + 1]} {patch.Bgra[o + 2]}, expected {string.Join(' ', expected.Select(v => v.ToString("0.0")))}");
            Assert.Equal(255, patch.Bgra[o + 3]);
            for (var c = 0; c < 3; c++)
            {
                Assert.InRange(patch.Bgra[o + c], expected[c] - 2.5f, expected[c] + 2.5f);
            }

            centres.Add([patch.Bgra[o], patch.Bgra[o + 1], patch.Bgra[o + 2]]);

            // Feathered: transparent corner, ramps in between, opaque centre.
            Assert.Equal(0, patch.Bgra[3]);
            var row = Enumerable.Range(0, 64).Select(x => patch.Bgra[(((64 * 128) + x) * 4) + 3]).ToArray();
            Assert.Contains(row, a => a is > 0 and < 255);
            Assert.True(row.Zip(row.Skip(1)).All(p => p.Second >= p.First), "the mask does not rise monotonically toward the centre");

            // The patch centre lands near the nose.
            var centre = patch.PatchToFrame.Apply(new ObsFaceSwap.Vision.PointF(64, 64));
            Assert.InRange(centre.X - track.Landmarks.Nose.X, -0.15f * track.Box.Width, 0.15f * track.Box.Width);
            Assert.InRange(centre.Y - track.Landmarks.Nose.Y, -0.25f * track.Box.Height, 0.25f * track.Box.Height);
        }

        // The identity decides the tint: red gains red, blue gains blue.
        Assert.True(centres[0][2] - centres[1][2] > 10, "the red identity's patch is not redder");
        Assert.True(centres[1][0] - centres[0][0] > 10, "the blue identity's patch is not bluer");
    }

    [Fact]
    public void In_a_two_face_frame_each_mapped_identity_goes_to_its_face()
    {
        _assets.TintedIdentity("red", "grace_hopper.jpg", "rr=1:gg=0.3:bb=0.3");
        _assets.TintedIdentity("blue", "grace_hopper.jpg", "rr=0.3:gg=0.3:bb=1");
        using var detector = SwapAssets.Detector();
        using var engine = SwapAssets.Engine();
        var (frame, w, h) = SwapAssets.Decode(_assets.TwoFaces());
        var tracks = SwapAssets.Tracks(detector, frame, w, h);
        Assert.Equal(2, tracks.Length);

        foreach (var (map, left, right) in new[] { ("blue,red", "blue", "red"), ("red,-", "red", null) })
        {
            engine.Configure(_assets.Options(mapping: FaceMappingMode.Position, faceMap: map));
            Assert.Null(engine.Problem);
            var result = new RecordingOutput();
            engine.Process(new FramePixels(frame, w, h, w * 4), tracks, result);
            Assert.Equal([(1u, false), (2u, false)], result.Faces);
            Assert.Equal(right is null ? 1 : 2, result.Patches.Count);
            var names = new[] { left, right };
            for (var i = 0; i < result.Patches.Count; i++)
            {
                engine.Configure(_assets.Options(names[i]!));
                var expected = SwapAssets.ExpectedCentre(frame, w, h, tracks[i], engine.LiveIdentity!);
                var o = ((64 * 128) + 64) * 4;
                var patch = result.Patches[i];
                output.WriteLine($"map {map}: face {i + 1} centre BGR {patch.Bgra[o]} {patch.Bgra[o + 1]} {patch.Bgra[o + 2]}, expected for {names[i]} {string.Join(' ', expected.Select(v => v.ToString("0.0")))}");
                for (var c = 0; c < 3; c++)
                {
                    Assert.InRange(patch.Bgra[o + c], expected[c] - 2.5f, expected[c] + 2.5f);
                }

                // And it lies on its own face.
                var centre = patch.PatchToFrame.Apply(new ObsFaceSwap.Vision.PointF(64, 64));
                Assert.InRange(centre.X, tracks[i].Box.X, tracks[i].Box.X + tracks[i].Box.Width);
            }
        }
    }

    [Fact]
    public void An_identity_image_with_two_faces_or_none_is_a_clear_problem_and_mapped_faces_are_reported_unswapped()
    {
        var two = _assets.TwoFaces();
        File.Copy(two, Path.Combine(_assets.Identities, "crowd.png"));
        SwapAssets.Ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=320x240", "-frames:v", "1", Path.Combine(_assets.Identities, "wall.png"));
        using var detector = SwapAssets.Detector();
        using var engine = SwapAssets.Engine();
        var (frame, w, h) = SwapAssets.Decode(SwapAssets.Face("astronaut.png"));
        var tracks = SwapAssets.Tracks(detector, frame, w, h);

        engine.Configure(_assets.Options("crowd"));
        Assert.Contains("2 faces found", engine.Problem, StringComparison.Ordinal);
        Assert.Contains("crowd.png", engine.Problem, StringComparison.Ordinal);
        var result = new RecordingOutput();
        engine.Process(new FramePixels(frame, w, h, w * 4), tracks, result);
        Assert.Equal([(1u, true)], result.Faces);
        Assert.Empty(result.Patches);

        engine.Configure(_assets.Options("wall"));
        Assert.Contains("no face found", engine.Problem, StringComparison.Ordinal);
        Assert.Contains("wall.png", engine.Problem, StringComparison.Ordinal);

        engine.Configure(_assets.Options("nobody"));
        Assert.Contains("no identity 'nobody'", engine.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_is_a_problem_naming_it_and_faces_are_reported_unswapped()
    {
        _assets.TintedIdentity("red", "grace_hopper.jpg", "rr=1:gg=0.3:bb=0.3");
        using var detector = SwapAssets.Detector();
        using var engine = SwapAssets.Engine();
        var missing = Path.Combine(_assets.Folder, "no-such-swapper.onnx");
        engine.Configure(_assets.Options() with { SwapperModel = missing });
        Assert.Contains(missing, engine.Problem, StringComparison.Ordinal);
        var (frame, w, h) = SwapAssets.Decode(SwapAssets.Face("astronaut.png"));
        var result = new RecordingOutput();
        engine.Process(new FramePixels(frame, w, h, w * 4), SwapAssets.Tracks(detector, frame, w, h), result);
        Assert.Equal([(1u, true)], result.Faces);
    }

    [Fact]
    public void A_faulty_model_output_reports_the_face_unswapped_so_the_shim_masks_it()
    {
        _assets.TintedIdentity("red", "grace_hopper.jpg", "rr=1:gg=0.3:bb=0.3");
        var faulty = Path.Combine(_assets.Folder, "nan.onnx");
        InswapperStandIn.Build(fault: InswapperFault.NaN).Save(faulty);
        using var detector = SwapAssets.Detector();
        using var engine = SwapAssets.Engine();
        engine.Configure(_assets.Options() with { SwapperModel = faulty });
        Assert.Null(engine.Problem);
        var (frame, w, h) = SwapAssets.Decode(SwapAssets.Face("astronaut.png"));
        var result = new RecordingOutput();
        engine.Process(new FramePixels(frame, w, h, w * 4), SwapAssets.Tracks(detector, frame, w, h), result);
        Assert.Equal([(1u, true)], result.Faces);
        Assert.Empty(result.Patches);
    }

    [Fact]
    public void A_model_the_store_cannot_give_is_a_problem_not_an_exception()
    {
        _assets.TintedIdentity("red", "grace_hopper.jpg", "rr=1:gg=0.3:bb=0.3");
        using var engine = new SwapEngine(
            id => throw new ObsFaceSwap.Models.ModelMissingException(id, "/cache/" + id, "obs-faceswap models fetch " + id),
            () => SwapAssets.Detector(),
            SwapAssets.Decode);
        engine.Configure(_assets.Options() with { SwapperModel = "inswapper-128" });
        Assert.Contains("inswapper-128", engine.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void After_a_failed_configuration_the_new_face_mapping_applies()
    {
        _assets.TintedIdentity("red", "grace_hopper.jpg", "rr=1:gg=0.3:bb=0.3");
        using var detector = SwapAssets.Detector();
        using var engine = SwapAssets.Engine();
        var (frame, w, h) = SwapAssets.Decode(_assets.TwoFaces());
        var tracks = SwapAssets.Tracks(detector, frame, w, h);

        // The live identity does not exist: a problem, every face reported unswapped.
        engine.Configure(_assets.Options("nobody", FaceMappingMode.Position, "-,red"));
        Assert.NotNull(engine.Problem);
        // Fixed: the left face is left alone, the right one swapped.
        engine.Configure(_assets.Options("red", FaceMappingMode.Position, "-,red"));
        Assert.Null(engine.Problem);
        var result = new RecordingOutput();
        engine.Process(new FramePixels(frame, w, h, w * 4), tracks, result);
        Assert.Equal([(1u, false), (2u, false)], result.Faces);
        var patch = Assert.Single(result.Patches);
        Assert.InRange(patch.PatchToFrame.Apply(new ObsFaceSwap.Vision.PointF(64, 64)).X, tracks[1].Box.X, tracks[1].Box.X + tracks[1].Box.Width);
    }
}
