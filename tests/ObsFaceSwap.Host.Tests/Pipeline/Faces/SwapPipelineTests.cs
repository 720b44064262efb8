using ObsFaceSwap.Channel;
using ObsFaceSwap.Host.Pipeline;
using ObsFaceSwap.Media;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Host.Tests.Pipeline.Faces;

/// <summary>
/// Swap mode through the host's pipeline (detect, track, swap) on the real BlazeFace model,
/// with synthetic ArcFace and inswapper models that have the real contracts: what reaches the
/// wire.
/// </summary>
public sealed unsafe class SwapPipelineTests : IDisposable
{
    private const ulong FrameNs = 33_333_333;
    private readonly string _folder = Directory.CreateTempSubdirectory("ofs-host-swap-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Swap settings with the synthetic embedder and one identity (Grace Hopper) written under <paramref name="folder"/>.</summary>
    internal static PipelineSettings SwapSettings(string folder, string swapperPath)
    {
        var identities = Directory.CreateDirectory(Path.Combine(folder, "identities")).FullName;
        File.Copy(Path.Combine(FaceFixture.Root(), "tests", "fixtures", "faces", "grace_hopper.jpg"), Path.Combine(identities, "grace.jpg"), overwrite: true);
        var embedder = Path.Combine(folder, "arcface.onnx");
        ArcFaceStandIn.Build().Save(embedder);
        return new PipelineSettings(PipelineMode.Swap, Swap: new SwapOptions(identities, "grace", SwapperModel: swapperPath, EmbedderModel: embedder));
    }

    /// <summary>The host's pipeline with a swap engine that takes models by path.</summary>
    internal static FramePipeline Pipeline()
    {
        var detectors = FaceFixture.Detectors();
        return FramePipeline.Create(detectors.Create, () => new SwapEngine(
            id => throw new InvalidOperationException(id),
            () => detectors.Create(ObsFaceSwap.Inference.ExecutionProvider.Cpu),
            path => MediaTools.DecodeImageAsync(path, CancellationToken.None).GetAwaiter().GetResult()));
    }

    [Fact]
    public void Each_frame_carries_the_face_and_its_patch_with_the_affine_onto_the_face()
    {
        var swapper = Path.Combine(_folder, "inswapper.onnx");
        InswapperStandIn.Build().Save(swapper);
        var settings = SwapSettings(_folder, swapper);
        var (bgra, w, h) = FaceFixture.AstronautBgra();
        var pipeline = Pipeline();
        var result = new ResultBuilder(1 << 20);
        for (var i = 0; i < 3; i++)
        {
            result.Reset();
            pipeline.Run(new FrameContext((ulong)i + 1, (ulong)i * FrameNs, PixelFormat.Bgra, w, h, bgra, w * 4, default, 0, settings), result, PipelineMode.Swap);
            var items = result.Items.ToArray();
            var face = Assert.Single(items, it => it.Kind == (uint)ItemKind.Face);
            var patch = Assert.Single(items, it => it.Kind == (uint)ItemKind.Patch);
            Assert.Equal(0u, face.Flags);
            Assert.Equal((128u, 128u, 1f), (patch.PatchWidth, patch.PatchHeight, patch.Opacity));

            // The patch centre (64, 64) lands inside the face box.
            var cx = (patch.Affine[0] * 64) + (patch.Affine[1] * 64) + patch.Affine[2];
            var cy = (patch.Affine[3] * 64) + (patch.Affine[4] * 64) + patch.Affine[5];
            Assert.InRange(cx, face.Box[0], face.Box[0] + face.Box[2]);
            Assert.InRange(cy, face.Box[1], face.Box[1] + face.Box[3]);
        }

        Assert.Equal(3, pipeline.SnapshotStages().Single(s => s.Name == "swap").Count);
        pipeline.DisposeStages();
    }

    [Fact]
    public void Without_a_usable_model_every_face_is_flagged_unswapped_and_no_patch_is_sent()
    {
        var settings = SwapSettings(_folder, Path.Combine(_folder, "missing.onnx"));
        var (nv12, w, h) = FaceFixture.AstronautNv12();
        var pipeline = Pipeline();
        var result = new ResultBuilder(1 << 20);
        pipeline.Run(new FrameContext(1, 0, PixelFormat.Nv12, w, h, nv12.AsSpan(0, w * h), w, nv12.AsSpan(w * h), w, settings), result, PipelineMode.Swap);
        var face = Assert.Single(result.Items.ToArray());
        Assert.Equal((uint)ItemKind.Face, face.Kind);
        Assert.Equal(Wire.FaceFlagUnswapped, face.Flags & Wire.FaceFlagUnswapped);
        pipeline.DisposeStages();
    }
}
