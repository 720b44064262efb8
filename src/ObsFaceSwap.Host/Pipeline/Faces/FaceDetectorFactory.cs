using Microsoft.Extensions.Logging;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Inference.Detection;
using ObsFaceSwap.Models;
using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Host.Pipeline.Faces;

/// <summary>
/// Creates the privacy pipeline's face detector: MediaPipe BlazeFace full-range
/// (<c>blazeface-back-256</c> in models/manifest.json; it finds smaller faces than the 128
/// "front" model), resolved and SHA-256-verified through the <see cref="ModelStore"/>, run by
/// ONNX Runtime on the execution provider of the channel's settings (<c>execution_provider</c>).
/// One detector, so one ONNX Runtime session, per channel and provider choice: the channel's
/// <see cref="FaceDetectStage"/> opens it on the first frame that needs it and keeps it until
/// the provider setting changes (its buffers serve one thread).
/// </summary>
internal sealed class FaceDetectorFactory
{
    /// <summary>Manifest id of the detector model.</summary>
    public const string ModelId = "blazeface-back-256";

    private readonly Func<string> _resolveModel;
    private readonly ILogger _logger;

    /// <param name="resolveModel">Returns the verified model path; throws a clear error when the model is missing or corrupt.</param>
    /// <param name="logger">Gets the execution-provider line of each session.</param>
    public FaceDetectorFactory(Func<string> resolveModel, ILogger logger)
    {
        _resolveModel = resolveModel;
        _logger = logger;
    }

    /// <summary>A factory that resolves the model in the default model cache (<see cref="ModelCache.DefaultDirectory()"/>).</summary>
    public static FaceDetectorFactory FromModelStore(ILogger logger) => new(() =>
    {
        using var store = new ModelStore(ModelManifest.LoadEmbedded());
        return store.Resolve(ModelId);
    }, logger);

    /// <summary>
    /// Opens a new detector (expensive: call once per channel and provider). A provider that
    /// cannot run here leaves the CPU running the model, with one log line saying why. Throws
    /// when the model cannot be resolved or loaded.
    /// </summary>
    /// <param name="provider">The requested execution provider.</param>
    public IFaceDetector Create(ExecutionProvider provider = ExecutionProvider.Auto) =>
        BlazeFaceDetector.Open(_resolveModel(), BlazeFaceModel.Back256, inference: new InferenceOptions(provider), logger: _logger);
}
