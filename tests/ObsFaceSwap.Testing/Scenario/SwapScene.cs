using System.Text.Json.Nodes;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Media;
using ObsFaceSwap.Models;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Onnx;

namespace ObsFaceSwap.Testing.Scenario;

/// <summary>
/// Swap mode with synthetic models that have the real ArcFace and inswapper contracts (the
/// real ones cannot be fetched here), chosen so each identity's tint is distinct: the
/// embedder's embedding is the face's mean colour, the emap mixes the first three latent
/// components. <see cref="Tints"/> computes each identity's expected tint with the same
/// <see cref="SwapEngine"/> code the host runs.
/// </summary>
public sealed class SwapScene : IDisposable
{
    private SwapScene(string directory, string identityFolder, string swapper, string embedder, IReadOnlyList<SwapTint> tints)
    {
        Directory = directory;
        IdentityFolder = identityFolder;
        Swapper = swapper;
        Embedder = embedder;
        Tints = tints;
    }

    /// <summary>The folder holding the models and the identity folder (deleted on dispose).</summary>
    public string Directory { get; }

    /// <summary>The identity folder: one image per identity.</summary>
    public string IdentityFolder { get; }

    /// <summary>The synthetic inswapper (output 0.5 x target + sigmoid(latent[c])).</summary>
    public string Swapper { get; }

    /// <summary>The synthetic ArcFace (embedding = the face's mean colour).</summary>
    public string Embedder { get; }

    /// <summary>The identities' tints, in #N order.</summary>
    public IReadOnlyList<SwapTint> Tints { get; }

    /// <summary>Writes the models and an identity folder with <paramref name="faces"/> (fixture file names).</summary>
    /// <param name="faces">Fixture face images, one identity each.</param>
    /// <returns>The scene.</returns>
    public static SwapScene Create(params string[] faces) => Create(faces, InswapperFault.None);

    /// <summary>As <see cref="Create(string[])"/>, with a faulty swapper.</summary>
    /// <param name="faces">Fixture face images, one identity each.</param>
    /// <param name="fault">How the swapper misbehaves.</param>
    /// <returns>The scene.</returns>
    public static SwapScene Create(string[] faces, InswapperFault fault)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ofs-e2e-swap-" + Guid.NewGuid().ToString("N"));
        var identities = Path.Combine(directory, "identities");
        System.IO.Directory.CreateDirectory(identities);
        foreach (var face in faces)
        {
            File.Copy(FaceImages.PathOf(face), Path.Combine(identities, face));
        }

        var projection = new float[3 * ArcFaceContract.EmbeddingLength];
        for (var c = 0; c < 3; c++)
        {
            projection[(c * ArcFaceContract.EmbeddingLength) + c] = 1f;
        }

        var n = InswapperContract.LatentLength;
        var emap = new float[n * n];
        float[] d = [1 / MathF.Sqrt(2), 0f, -1 / MathF.Sqrt(2)];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                emap[(i * n) + j] = (i == j ? 1f : 0f) - (i < 3 && j < 3 ? 0.9f * d[i] * d[j] : 0f);
            }
        }

        var embedder = Path.Combine(directory, "arcface-stand-in.onnx");
        var swapper = Path.Combine(directory, $"inswapper-stand-in-{fault.ToString().ToLowerInvariant()}.onnx");
        ArcFaceStandIn.Build(projection: projection).Save(embedder);
        InswapperStandIn.Build(emap: emap, fault: fault).Save(swapper);
        return new SwapScene(directory, identities, swapper, embedder, ComputeTints(identities, swapper, embedder));
    }

    /// <summary>Swap-mode filter settings for these models (colour correction off, so the tint is exact).</summary>
    public JsonObject Settings() => new()
    {
        ["mode"] = "swap",
        ["identity_folder"] = IdentityFolder,
        ["identity"] = "#1",
        ["face_mapping"] = "all",
        ["swapper_model"] = Swapper,
        ["embedder_model"] = Embedder,
        ["colour_correction"] = 0,
        ["swap_opacity"] = 100,
        ["privacy_style"] = "pixelate",
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up.
        }
    }

    private static List<SwapTint> ComputeTints(string identityFolder, string swapper, string embedder)
    {
        using var store = new ModelStore(ModelManifest.LoadEmbedded());
        using var engine = new SwapEngine(
            store.Resolve,
            () => BlazeFaceDetector.Open(store.Resolve("blazeface-back-256"), BlazeFaceModel.Back256, inference: new InferenceOptions(ExecutionProvider.Cpu)),
            path => MediaTools.DecodeImageAsync(path, CancellationToken.None).GetAwaiter().GetResult());
        var tints = new List<SwapTint>();
        foreach (var source in Swap.IdentityFolder.Scan(identityFolder))
        {
            engine.Configure(new SwapOptions(identityFolder, source.Name, SwapperModel: swapper, EmbedderModel: embedder, ColourCorrection: 0, Provider: ExecutionProvider.Cpu));
            var identity = engine.LiveIdentity ?? throw new InvalidOperationException($"identity {source.Name} does not load: {engine.Problem}");
            var latent = identity.Latent.Values;
            tints.Add(new SwapTint(identity.Name, Tint(latent[0]), Tint(latent[1]), Tint(latent[2])));
        }

        return tints;
    }

    private static double Tint(float latent) => 255.0 / (1.0 + Math.Exp(-latent));
}
