using Microsoft.Extensions.Logging;
using ObsFaceSwap.Inference;
using ObsFaceSwap.Media;
using ObsFaceSwap.Models;
using ObsFaceSwap.Swap;

namespace ObsFaceSwap.Host.Pipeline.Faces;

/// <summary>Creates a channel's swap engine with the host's model store, detector and ffmpeg image decoding.</summary>
internal static class SwapEngines
{
    /// <summary>
    /// An engine whose models come from the default model cache (SHA-256 verified; a setting
    /// may name an .onnx path instead), whose identity images are decoded by ffmpeg and whose
    /// identity faces are found by the channel's detector model on the CPU.
    /// </summary>
    /// <param name="detectors">The host's detector factory.</param>
    /// <param name="logger">The swap log.</param>
    /// <returns>A new engine (one per channel).</returns>
    public static SwapEngine FromModelStore(FaceDetectorFactory detectors, ILogger logger) => new(
        id =>
        {
            using var store = new ModelStore(ModelManifest.LoadEmbedded());
            return store.Resolve(id);
        },
        () => detectors.Create(ExecutionProvider.Cpu),
        path => MediaTools.DecodeImageAsync(path, CancellationToken.None).GetAwaiter().GetResult(),
        logger);
}
