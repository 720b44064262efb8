using Microsoft.Extensions.Logging;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Media;
using ObsFaceSwap.Models;
using ObsFaceSwap.Swap;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Blending;
using ObsFaceSwap.Vision.Masks;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Cli;

/// <summary>Settings of <c>process --mode swap</c>.</summary>
/// <param name="Identity"><c>--identity</c>: an image file (one identity, named after the file) or a folder of identities (the filter's <c>identity_folder</c>).</param>
/// <param name="IdentityName"><c>--identity-name</c>: the identity to swap in, a name or <c>#N</c> (from 1).</param>
/// <param name="Mapping"><c>--face-mapping</c>: which face gets which identity.</param>
/// <param name="FaceMap"><c>--face-map</c>: order and position: names in order (<c>-</c> leaves a face alone); similarity: <c>reference-image=identity</c> pairs.</param>
/// <param name="SwapperModel"><c>--swapper-model</c>: a manifest id or the path of an .onnx file.</param>
/// <param name="EmbedderModel"><c>--embedder-model</c>: a manifest id or the path of an .onnx file.</param>
/// <param name="ColourCorrection"><c>--colour-correction</c>, percent 0..100.</param>
/// <param name="Opacity"><c>--opacity</c>, percent 0..100.</param>
internal sealed record SwapSettings(
    string Identity,
    string IdentityName = "#1",
    FaceMappingMode Mapping = FaceMappingMode.All,
    string FaceMap = "",
    string SwapperModel = SwapOptions.DefaultSwapper,
    string EmbedderModel = SwapOptions.DefaultEmbedder,
    int ColourCorrection = 50,
    int Opacity = 100)
{
    /// <summary>The engine's options for <paramref name="identityFolder"/> (the folder <see cref="Identity"/> names, or a folder holding just its image).</summary>
    /// <param name="identityFolder">The identity folder.</param>
    /// <param name="provider">Execution provider of both models.</param>
    /// <returns>The options.</returns>
    public SwapOptions ToOptions(string identityFolder, ExecutionProvider provider) =>
        new(identityFolder, IdentityName, Mapping, FaceMap, SwapperModel, EmbedderModel, ColourCorrection / 100f, Opacity / 100f, provider);
}

/// <summary>
/// Mode swap: the live filter's swap pipeline on the CPU. <see cref="SwapEngine"/> maps and swaps
/// the tracked faces against the unchanged frame (as the host does), then the patches are pasted
/// back (<see cref="PatchCompositor"/>, as the shim's composite draws them) and every face the
/// engine reports unswapped (a model fault), and every untracked detection, is masked with the
/// privacy mask (pixelate; fail closed, as the shim masks <c>OFS_FACE_FLAG_UNSWAPPED</c> faces).
/// Faces the mapping leaves alone stay as they are.
/// </summary>
internal sealed class SwapRenderer : IFaceRenderer, ISwapOutput
{
    private readonly SwapEngine _engine;
    private readonly FaceMasker _masker;
    private readonly string? _temporaryFolder;
    private readonly List<BoxF> _unswapped = [];
    private readonly List<PendingPatch> _patches = [];
    private FaceTrack[] _tracks = new FaceTrack[16];
    private int _patchCount;
    private long _swappedFrames;
    private long _maskedFrames;
    private long _faultFaces;

    private SwapRenderer(SwapEngine engine, FaceMasker masker, string? temporaryFolder)
    {
        _engine = engine;
        _masker = masker;
        _temporaryFolder = temporaryFolder;
    }

    public string Summary => FormattableString.Invariant(
        $"faces swapped in {_swappedFrames}, masked in {_maskedFrames}{(_faultFaces > 0 ? $" ({_faultFaces} faces the swap model failed on, masked)" : string.Empty)}");

    /// <summary>
    /// Sets the swap up before any frame is read: resolves both models from the store (or checks
    /// their paths), opens them, loads the identity and every identity the face map names, and
    /// turns anything the engine reports as its <see cref="SwapEngine.Problem"/> into an error.
    /// </summary>
    /// <param name="store">The verified model store.</param>
    /// <param name="settings">The process settings; <see cref="ProcessSettings.Swap"/> is set.</param>
    /// <param name="mask">The mask of faces that cannot be swapped (pixelate).</param>
    /// <param name="log">stderr: model and identity lines, "obs-faceswap: " prefixed.</param>
    /// <param name="cancellationToken">Cancels image decoding.</param>
    /// <returns>The renderer, ready.</returns>
    /// <exception cref="ModelStoreException">A model id is unknown, not in the cache, or does not verify.</exception>
    /// <exception cref="ModelLoadException">A model cannot be opened (a path that does not exist, or the wrong contract).</exception>
    /// <exception cref="MediaInputException">The identity is missing or unusable: no such file or folder, no face or several in an image, no such identity name.</exception>
    public static SwapRenderer Open(ModelStore store, ProcessSettings settings, FaceMasker mask, TextWriter log, CancellationToken cancellationToken)
    {
        var swap = settings.Swap ?? throw new ArgumentException("not a swap run", nameof(settings));
        var provider = ExecutionProviders.Parse(settings.Provider);
        ResolveModel(store, swap.SwapperModel, "--swapper-model");
        ResolveModel(store, swap.EmbedderModel, "--embedder-model");
        var (folder, temporary) = IdentityFolderFor(swap.Identity);
        var logger = new SetupLogger(new TextWriterLogger(log, LogLevel.Information));
        SwapEngine? engine = null;
        try
        {
            engine = new SwapEngine(
                store.Resolve,
                () => OfflineSupport.OpenDetector(store, settings.Model, "cpu"),
                path => MediaTools.DecodeImageAsync(path, cancellationToken).GetAwaiter().GetResult(),
                logger);
            var options = swap.ToOptions(folder, provider);

            // Every identity the face map names is loaded (and cached) now, so a missing one or an
            // image without a face stops the run here instead of masking that face in every frame.
            foreach (var name in MappedIdentities(swap).Append(swap.IdentityName))
            {
                engine.Configure(options with { Identity = name });
                ThrowOnProblem(engine, swap, temporary ? folder : null);
            }

            engine.Configure(options);
            ThrowOnProblem(engine, swap, temporary ? folder : null);
            logger.Setup = false;
            var renderer = new SwapRenderer(engine, mask, temporary ? folder : null);
            engine = null;
            return renderer;
        }
        finally
        {
            if (engine is not null)
            {
                engine.Dispose();
                if (temporary)
                {
                    TryDeleteFolder(folder);
                }
            }
        }
    }

    public void Render(Span<byte> frame, int width, int height, int stride, IReadOnlyList<FaceTrack> tracks, IReadOnlyList<FaceDetection> untracked)
    {
        if (_tracks.Length < tracks.Count)
        {
            _tracks = new FaceTrack[tracks.Count * 2];
        }

        for (var i = 0; i < tracks.Count; i++)
        {
            _tracks[i] = tracks[i];
        }

        _patchCount = 0;
        _unswapped.Clear();

        // The engine reads the unchanged frame for every face; patches go on afterwards.
        _engine.Process(new FramePixels(frame, width, height, stride), _tracks.AsSpan(0, tracks.Count), this);
        for (var i = 0; i < _patchCount; i++)
        {
            var p = _patches[i];
            PatchCompositor.Composite(frame, width, height, stride, p.Pixels, p.Size, p.Size, p.Size * 4, p.PatchToFrame, p.Opacity);
        }

        var masked = false;
        foreach (var box in _unswapped)
        {
            masked |= !_masker.Apply(frame, width, height, stride, box).IsEmpty;
        }

        foreach (var d in untracked)
        {
            masked |= !_masker.Apply(frame, width, height, stride, d.Box).IsEmpty;
        }

        _swappedFrames += _patchCount > 0 ? 1 : 0;
        _maskedFrames += masked ? 1 : 0;
    }

    void ISwapOutput.Face(in FaceTrack track, bool unswapped)
    {
        if (unswapped)
        {
            _unswapped.Add(track.Box);
            _faultFaces++;
        }
    }

    void ISwapOutput.Patch(uint faceId, ReadOnlySpan<byte> bgra, int size, Affine2x3 patchToFrame, float opacity)
    {
        if (_patchCount == _patches.Count)
        {
            _patches.Add(new PendingPatch());
        }

        var p = _patches[_patchCount++];
        if (p.Pixels.Length != size * size * 4)
        {
            p.Pixels = new byte[size * size * 4];
        }

        bgra[..(size * size * 4)].CopyTo(p.Pixels);
        p.Size = size;
        p.PatchToFrame = patchToFrame;
        p.Opacity = opacity;
    }

    public void Dispose()
    {
        _engine.Dispose();
        if (_temporaryFolder is not null)
        {
            TryDeleteFolder(_temporaryFolder);
        }
    }

    /// <summary>Identity names the face map refers to (order and position: its names; similarity: the identities of its pairs).</summary>
    private static IEnumerable<string> MappedIdentities(SwapSettings swap) => swap.Mapping switch
    {
        FaceMappingMode.Order or FaceMappingMode.Position => FaceMapper.ParseNames(swap.FaceMap).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase),
        FaceMappingMode.Similarity => FaceMapper.ParseReferences(swap.FaceMap).Select(r => r.Identity).Distinct(StringComparer.OrdinalIgnoreCase),
        _ => [],
    };

    private static void ThrowOnProblem(SwapEngine engine, SwapSettings swap, string? temporaryFolder)
    {
        if (engine.Problem is not { } problem)
        {
            return;
        }

        if (engine.Swapper is null || problem.StartsWith("Cannot use ONNX model", StringComparison.Ordinal))
        {
            // The models did not open: ONNX Runtime rejected a file, or it lacks the contract.
            throw new ModelLoadException($"cannot swap: {problem}");
        }

        if (temporaryFolder is not null)
        {
            // A single image: name the user's file, not its copy in the temporary folder.
            problem = problem.Replace(Path.Combine(temporaryFolder, Path.GetFileName(swap.Identity)), swap.Identity, StringComparison.Ordinal);
        }

        throw new MediaInputException($"cannot swap with --identity '{swap.Identity}': {problem}");
    }

    /// <summary>Resolves a manifest id through the store (clear "not in the cache, fetch it with ..." errors); checks that a path exists.</summary>
    private static void ResolveModel(ModelStore store, string idOrPath, string option)
    {
        // The engine's rule: a name ending in .onnx, or a rooted path, is a file; anything else a manifest id.
        if (idOrPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || Path.IsPathRooted(idOrPath))
        {
            if (!File.Exists(idOrPath))
            {
                throw new ModelLoadException(idOrPath, $"no such model file ({option} names it as a path)");
            }

            return;
        }

        store.Resolve(idOrPath);
    }

    /// <summary>
    /// The folder the engine scans: <paramref name="identity"/> itself when it is a folder; for an
    /// image file, a new temporary folder holding a copy of just it (the identity keeps the file's name).
    /// </summary>
    private static (string Folder, bool Temporary) IdentityFolderFor(string identity)
    {
        if (Directory.Exists(identity))
        {
            return (Path.GetFullPath(identity), false);
        }

        if (!File.Exists(identity))
        {
            throw new MediaInputException($"--identity '{identity}': no such file or folder (expected a face image or a folder of identities)");
        }

        var extension = Path.GetExtension(identity).ToLowerInvariant();
        if (!IdentityFolder.ImageExtensions.Contains(extension))
        {
            throw new MediaInputException(
                $"--identity '{identity}' is not an image: expected {string.Join(", ", IdentityFolder.ImageExtensions)}, or a folder of identities");
        }

        var folder = Directory.CreateTempSubdirectory("ofs-identity-").FullName;
        try
        {
            File.Copy(identity, Path.Combine(folder, Path.GetFileName(identity)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDeleteFolder(folder);
            throw new MediaInputException($"--identity '{identity}': cannot read it: {e.Message}", e);
        }

        return (folder, true);
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A patch kept until the engine is done with the frame.</summary>
    private sealed class PendingPatch
    {
        public byte[] Pixels { get; set; } = [];

        public int Size { get; set; }

        public Affine2x3 PatchToFrame { get; set; }

        public float Opacity { get; set; }
    }

    /// <summary>
    /// The engine's log on stderr; during setup its "face swap cannot run" line (event 620) is
    /// dropped, since setup turns that problem into the run's error message.
    /// </summary>
    private sealed class SetupLogger(ILogger inner) : ILogger
    {
        public bool Setup { get; set; } = true;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!(Setup && eventId.Id == 620))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
