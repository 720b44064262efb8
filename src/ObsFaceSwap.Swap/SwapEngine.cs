using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Swap;
using ObsFaceSwap.Models;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Alignment;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Swap;

/// <summary>
/// The swap pipeline after tracking, shared by the host's swap stage and offline processing:
/// opens the swap and embedding models for the options (once per change), loads and caches
/// identities (embedding and latent computed once per identity), maps tracked faces to
/// identities (<see cref="FaceMapper"/>) and swaps each mapped face (<see cref="FaceSwapper"/>).
/// What cannot be set up (a missing model or identity, an identity image with no face) is
/// kept as <see cref="Problem"/> and logged once; every face the mapping says to swap is then
/// reported unswapped, so the shim masks it (fail closed). One thread at a time.
/// </summary>
public sealed class SwapEngine : IDisposable
{
    private readonly Func<string, string> _resolveModel;
    private readonly Func<IFaceDetector> _createDetector;
    private readonly Func<string, (byte[] Bgra, int Width, int Height)> _decodeImage;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Identity> _identities = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _unusable = new(StringComparer.OrdinalIgnoreCase);
    private readonly float[] _embedding = new float[ArcFaceContract.EmbeddingLength];
    private SwapOptions? _options;
    private SwapperSession? _swapper;
    private ArcFaceEmbedder? _embedder;
    private IFaceDetector? _detector;
    private IdentityEncoder? _encoder;
    private FaceSwapper? _faceSwapper;
    private FaceMapper _mapper = new(FaceMappingMode.All);
    private IReadOnlyList<IdentitySource> _sources = [];
    private Identity? _live;
    private byte[] _patch = [];
    private string?[] _mapped = new string?[16];
    private string? _loggedProblem;

    /// <summary>Creates the engine; nothing is opened until <see cref="Configure"/>.</summary>
    /// <param name="resolveModel">Manifest id -> verified model path; throws a clear error when missing or corrupt.</param>
    /// <param name="createDetector">Opens a face detector for identity and reference images (owned by the engine, disposed with it).</param>
    /// <param name="decodeImage">Decodes an image file to packed BGRA; throws naming the file when it cannot.</param>
    /// <param name="logger">Problems and model choices.</param>
    public SwapEngine(Func<string, string> resolveModel, Func<IFaceDetector> createDetector, Func<string, (byte[] Bgra, int Width, int Height)> decodeImage, ILogger? logger = null)
    {
        _resolveModel = resolveModel;
        _createDetector = createDetector;
        _decodeImage = decodeImage;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Why faces cannot be swapped now (null when they can): a missing model, identity or face.</summary>
    public string? Problem { get; private set; }

    /// <summary>The live identity, when loaded.</summary>
    public Identity? LiveIdentity => _live;

    /// <summary>The open swap model (null until configured or when it cannot open).</summary>
    public SwapperSession? Swapper => _swapper;

    /// <summary>
    /// Applies <paramref name="options"/>: reopens the models when their paths or the provider
    /// change, reloads identities when the folder, the live identity or the models change, and
    /// rebuilds the face mapping. Cheap when nothing changed. Never throws for bad settings: it
    /// sets <see cref="Problem"/> instead.
    /// </summary>
    /// <param name="options">The options.</param>
    public void Configure(SwapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options == _options)
        {
            return;
        }

        var previous = _options;
        var previousProblem = Problem;
        _options = options;
        Problem = null;
        _unusable.Clear();
        try
        {
            var modelsChanged = previous is null || previous.SwapperModel != options.SwapperModel
                || previous.EmbedderModel != options.EmbedderModel || previous.Provider != options.Provider || _swapper is null || _embedder is null;
            if (modelsChanged)
            {
                OpenModels(options);
            }

            if (modelsChanged || previous!.IdentityFolder != options.IdentityFolder)
            {
                _identities.Clear();
                _sources = [];
                _sources = IdentityFolder.Scan(options.IdentityFolder);
            }

            // The mapping first: a mapping must never be left over from an earlier setting
            // (a face mapped to "-" must not be swapped because a later step failed).
            if (modelsChanged || previousProblem is not null || previous!.Mapping != options.Mapping || previous.FaceMap != options.FaceMap)
            {
                _mapper = new FaceMapper(FaceMappingMode.All);
                _mapper = BuildMapper(options);
            }

            _live = null;
            _live = Load(IdentityFolder.Resolve(_sources, options.Identity));
        }
        catch (Exception e) when (e is IdentityNotFoundException or IdentityImageException or ModelLoadException or ModelStoreException or FormatException
            or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            Problem = e.Message;
        }

        if (Problem is not null && Problem != _loggedProblem)
        {
            SwapLogMessages.CannotSwap(_logger, Problem);
        }
        else if (Problem is null && _live is not null && _logger.IsEnabled(LogLevel.Information))
        {
            var mapping = SwapOptions.MappingName(options.Mapping);
            SwapLogMessages.Ready(_logger, _live.Name, _live.ImageCount, mapping, _swapper!.ModelPath);
        }

        _loggedProblem = Problem;
    }

    /// <summary>
    /// Maps and swaps this frame's tracked faces. Every track is reported once through
    /// <see cref="ISwapOutput.Face"/>; each swapped face also gets a patch.
    /// </summary>
    /// <param name="frame">The frame the tracks were found in.</param>
    /// <param name="tracks">The tracked faces.</param>
    /// <param name="output">Receives faces and patches.</param>
    public void Process(in FramePixels frame, ReadOnlySpan<FaceTrack> tracks, ISwapOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_mapped.Length < tracks.Length)
        {
            _mapped = new string?[tracks.Length * 2];
        }

        var ready = Problem is null && _options is not null && _faceSwapper is not null && _encoder is not null;
        if (ready)
        {
            for (var i = 0; i < tracks.Length; i++)
            {
                if (_mapper.NeedsEmbedding(tracks[i].Id) && tracks[i].State == FaceTrackState.Confirmed)
                {
                    _encoder!.Embed(frame, tracks[i].Landmarks, _embedding);
                    _mapper.SetEmbedding(tracks[i].Id, _embedding);
                }
            }

            _mapper.Map(tracks, _live?.Name, _mapped);
        }
        else
        {
            // Nothing can be swapped: with mapping "all" (or anything that would map) every face
            // is reported unswapped, so the shim masks it.
            _mapped.AsSpan(0, tracks.Length).Fill(string.Empty);
        }

        for (var i = 0; i < tracks.Length; i++)
        {
            var name = _mapped[i];
            if (name is null)
            {
                output.Face(tracks[i], unswapped: false);
                continue;
            }

            if (!ready || !TryIdentity(name, out var identity) || !TrySwap(frame, tracks[i], identity, output))
            {
                output.Face(tracks[i], unswapped: true);
                continue;
            }

            output.Face(tracks[i], unswapped: false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _swapper?.Dispose();
        _embedder?.Dispose();
        _detector?.Dispose();
        _swapper = null;
        _embedder = null;
        _detector = null;
    }

    private bool TrySwap(in FramePixels frame, in FaceTrack track, Identity identity, ISwapOutput output)
    {
        var swapper = _faceSwapper!;
        var size = swapper.PatchSize;
        if (_patch.Length != size * size * 4)
        {
            _patch = new byte[size * size * 4];
        }

        Affine2x3 patchToFrame;
        try
        {
            if (!swapper.TrySwap(frame, track.Landmarks, identity.Latent, _options!.ColourCorrection, _patch, size * 4, out patchToFrame))
            {
                return false;
            }
        }
        catch (ArgumentException)
        {
            return false; // degenerate landmarks: no transform
        }

        output.Patch(track.Id, _patch, size, patchToFrame, _options.Opacity);
        return true;
    }

    private bool TryIdentity(string name, out Identity identity)
    {
        if (_live is not null && string.Equals(_live.Name, name, StringComparison.OrdinalIgnoreCase))
        {
            identity = _live;
            return true;
        }

        if (_identities.TryGetValue(name, out identity!))
        {
            return true;
        }

        if (_unusable.Contains(name))
        {
            return false; // tried since the last Configure: do not decode its images every frame
        }

        try
        {
            identity = Load(IdentityFolder.Resolve(_sources, name));
            return true;
        }
        catch (Exception e) when (e is IdentityNotFoundException or IdentityImageException)
        {
            if (e.Message != _loggedProblem)
            {
                SwapLogMessages.CannotSwap(_logger, e.Message);
                _loggedProblem = e.Message;
            }

            _unusable.Add(name);
            identity = null!;
            return false;
        }
    }

    private Identity Load(IdentitySource source)
    {
        if (_identities.TryGetValue(source.Name, out var cached))
        {
            return cached;
        }

        var identity = _encoder!.Encode(source);
        _identities[source.Name] = identity;
        SwapLogMessages.IdentityLoaded(_logger, identity.Name, identity.ImageCount);
        return identity;
    }

    private void OpenModels(SwapOptions options)
    {
        Dispose();
        _encoder = null;
        _faceSwapper = null;
        var inference = new InferenceOptions(options.Provider);
        var swapperPath = ModelPath(options.SwapperModel);
        var fallback = string.Equals(options.SwapperModel, "inswapper-128-fp16", StringComparison.OrdinalIgnoreCase) ? Fp32Fallback() : null;
        _swapper = SwapperSession.Open(swapperPath, fallback, inference, _logger);
        _embedder = ArcFaceEmbedder.Open(ModelPath(options.EmbedderModel), inference, _logger);
        var emap = EmbeddingMap.Read(swapperPath, _swapper.LatentLength);
        _detector = _createDetector();
        _encoder = new IdentityEncoder(_detector, _embedder, emap, _decodeImage);
        _faceSwapper = new FaceSwapper(_swapper);
    }

    private string ModelPath(string idOrPath)
    {
        if (idOrPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || Path.IsPathRooted(idOrPath))
        {
            return File.Exists(idOrPath)
                ? idOrPath
                : throw new ModelLoadException(idOrPath, "no such model file (a swap setting names it as a path)");
        }

        return _resolveModel(idOrPath);
    }

    private string? Fp32Fallback()
    {
        try
        {
            return _resolveModel(SwapOptions.Fp32Swapper);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SwapLogMessages.NoFallback(_logger, e.Message);
            return null;
        }
    }

    private FaceMapper BuildMapper(SwapOptions options)
    {
        switch (options.Mapping)
        {
            case FaceMappingMode.Order:
            case FaceMappingMode.Position:
                return new FaceMapper(options.Mapping, FaceMapper.ParseNames(options.FaceMap));
            case FaceMappingMode.Similarity:
                var references = new List<ReferenceFace>();
                foreach (var (image, identity) in FaceMapper.ParseReferences(options.FaceMap))
                {
                    var reference = _encoder!.Encode(new IdentitySource(identity, [image]));
                    references.Add(new ReferenceFace(identity, reference.Embedding));
                }

                return new FaceMapper(FaceMappingMode.Similarity, references: references);
            default:
                return new FaceMapper(FaceMappingMode.All);
        }
    }
}

/// <summary>Log lines of the swap engine (event ids 620-623).</summary>
internal static partial class SwapLogMessages
{
    [LoggerMessage(EventId = 620, Level = LogLevel.Error, Message = "face swap cannot run, mapped faces are masked: {Problem}")]
    public static partial void CannotSwap(ILogger logger, string problem);

    [LoggerMessage(EventId = 621, Level = LogLevel.Information, Message = "face swap ready: identity '{Identity}' ({Images} image(s)), mapping {Mapping}, model {Model}")]
    public static partial void Ready(ILogger logger, string identity, int images, string mapping, string model);

    [LoggerMessage(EventId = 622, Level = LogLevel.Information, Message = "identity '{Identity}' loaded from {Images} image(s): embedding and swap latent cached")]
    public static partial void IdentityLoaded(ILogger logger, string identity, int images);

    [LoggerMessage(EventId = 623, Level = LogLevel.Warning, Message = "the fp16 swap model has no fp32 fallback: {Reason}")]
    public static partial void NoFallback(ILogger logger, string reason);
}
