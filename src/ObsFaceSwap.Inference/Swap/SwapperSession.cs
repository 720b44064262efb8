using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// The swap model a pipeline runs: a preferred model (typically inswapper_128.fp16.onnx) and,
/// optionally, the fp32 model to fall back to when the preferred one's output is faulty (users
/// report black or green boxes from the fp16 model on some GPUs).
/// </summary>
/// <remarks>
/// <para>Every output is inspected (<see cref="SwapOutputCheck"/>: NaN or infinity, or a flat
/// channel). On the first faulty output of the preferred model, the fallback model is loaded
/// (a one-time stall of the time it takes to load, seconds for the 555 MB fp32 file; it is not
/// loaded up front, to keep one model's memory on the GPU), the same frame is swapped again on
/// it, the preferred model is released, and one Warning line (event 610) names the faulty model,
/// the fault and the fallback. The fallback then runs for the rest of the session.</para>
/// <para>With no fallback (none given, its file missing, unloadable or of another contract, or
/// faulty itself), <see cref="Swap(ReadOnlySpan{float}, SwapLatent, Span{float})"/> returns <see cref="SwapResult.Faulted"/> for each faulty
/// output, <see cref="LastFault"/> says why, and one Error line (event 611) says so once; the
/// caller masks the face. Outputs that are fine are still returned as
/// <see cref="SwapResult.Swapped"/>.</para>
/// <para>The latent: compute it once per identity with <see cref="SwapLatent.Create"/> from the
/// preferred model's <see cref="EmbeddingMap"/>; the fp16 and fp32 inswapper files carry the same
/// emap (the fp16 one possibly rounded to float16), so the latent serves both.</para>
/// <para>One caller at a time. <see cref="Swap(ReadOnlySpan{float}, SwapLatent, Span{float})"/> allocates nothing, except on the one call that
/// falls back.</para>
/// </remarks>
public sealed class SwapperSession : IDisposable
{
    private readonly string? _fallbackPath;
    private readonly InferenceOptions _inference;
    private readonly ILogger _logger;
    private InswapperSwapper _active;
    private bool _fallbackTried;
    private bool _reported;
    private bool _disposed;

    private SwapperSession(InswapperSwapper preferred, string? fallbackPath, InferenceOptions inference, ILogger logger)
    {
        _active = preferred;
        _fallbackPath = fallbackPath;
        _inference = inference;
        _logger = logger;
        CropSize = preferred.CropSize;
        LatentLength = preferred.LatentLength;
    }

    /// <summary>The model now running (the fallback's path once <see cref="UsingFallback"/>).</summary>
    public string ModelPath => _active.ModelPath;

    /// <summary>The execution provider of the model now running.</summary>
    public ExecutionProvider Provider => _active.Provider;

    /// <summary>True once the preferred model faulted and the fallback model runs instead.</summary>
    public bool UsingFallback { get; private set; }

    /// <summary>Side S of the square target crop and of the output, pixels, from the model's <c>target</c> shape.</summary>
    public int CropSize { get; }

    /// <summary>Length of the latent (512).</summary>
    public int LatentLength { get; }

    /// <summary>Floats in one target or output tensor: 3 * S * S.</summary>
    public int TensorLength => 3 * CropSize * CropSize;

    /// <summary>The fault of the last <see cref="Swap(ReadOnlySpan{float}, SwapLatent, Span{float})"/> that returned <see cref="SwapResult.Faulted"/>, else <see cref="SwapFault.None"/>.</summary>
    public SwapFault LastFault { get; private set; }

    /// <summary>
    /// Loads the preferred swap model; remembers the fallback's path for later. Expensive: do it once.
    /// </summary>
    /// <param name="modelPath">The preferred model, e.g. inswapper_128.fp16.onnx.</param>
    /// <param name="fallbackModelPath">The fp32 model to fall back to (inswapper_128.onnx), or null for none. Only checked when needed.</param>
    /// <param name="inference">Execution provider and threads, for both models; <see cref="InferenceOptions.Default"/> when null.</param>
    /// <param name="logger">Gets each model's provider line, and the fault lines (events 610 and 611).</param>
    /// <returns>The session.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="ModelLoadException">The preferred model cannot be loaded or is not a swap model (see <see cref="InswapperSwapper.Open"/>).</exception>
    public static SwapperSession Open(string modelPath, string? fallbackModelPath, InferenceOptions? inference = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        inference ??= InferenceOptions.Default;
        inference.Validate();
        logger ??= NullLogger.Instance;
        var preferred = InswapperSwapper.Open(modelPath, inference, logger);
        return new SwapperSession(preferred, string.IsNullOrEmpty(fallbackModelPath) ? null : fallbackModelPath, inference, logger);
    }

    /// <summary>Swaps one aligned target face to the identity of <paramref name="latent"/>.</summary>
    /// <param name="target"><see cref="TensorLength"/> floats: R, G, B planes of the aligned S x S crop, <c>x / 255</c>.</param>
    /// <param name="latent">The identity's latent, <see cref="LatentLength"/> values.</param>
    /// <param name="output">Receives <see cref="TensorLength"/> floats: R, G, B planes in [0,1] when the result is <see cref="SwapResult.Swapped"/>.</param>
    /// <returns>
    /// <see cref="SwapResult.Swapped"/>, or <see cref="SwapResult.Faulted"/> when the output is
    /// faulty and no fallback is left (<see cref="LastFault"/> says how): mask the face.
    /// </returns>
    /// <exception cref="ArgumentException">A span or the latent has the wrong length.</exception>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public SwapResult Swap(ReadOnlySpan<float> target, SwapLatent latent, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(latent);
        return Swap(target, latent.Values, output);
    }

    /// <summary><see cref="Swap(ReadOnlySpan{float}, SwapLatent, Span{float})"/> with the latent as a span.</summary>
    /// <param name="target"><see cref="TensorLength"/> floats, <c>x / 255</c>.</param>
    /// <param name="latent"><see cref="LatentLength"/> floats, unit norm.</param>
    /// <param name="output">Receives <see cref="TensorLength"/> floats.</param>
    /// <returns>Swapped or Faulted.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public SwapResult Swap(ReadOnlySpan<float> target, ReadOnlySpan<float> latent, Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var fault = _active.Swap(target, latent, output);
        if (fault == SwapFault.None)
        {
            LastFault = SwapFault.None;
            return SwapResult.Swapped;
        }

        if (!_fallbackTried)
        {
            _fallbackTried = true;
            var faulty = _active;
            if (TryOpenFallback(faulty, fault) is { } fallback)
            {
                var again = fallback.Swap(target, latent, output);
                _active = fallback;
                UsingFallback = true;
                faulty.Dispose();
                SwapLog.FellBack(_logger, Path.GetFileName(faulty.ModelPath), fault, Path.GetFileName(fallback.ModelPath));
                if (again == SwapFault.None)
                {
                    LastFault = SwapFault.None;
                    return SwapResult.Swapped;
                }

                fault = again;
                Report(fault, $"the fallback {Path.GetFileName(fallback.ModelPath)} faulted too");
            }
        }
        else
        {
            Report(fault, UsingFallback ? "this is the fallback model" : "none available");
        }

        LastFault = fault;
        return SwapResult.Faulted;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _active.Dispose();
    }

    private InswapperSwapper? TryOpenFallback(InswapperSwapper faulty, SwapFault fault)
    {
        string reason;
        if (_fallbackPath is null)
        {
            reason = "no fp32 model was given";
        }
        else if (!File.Exists(_fallbackPath))
        {
            reason = $"the fp32 model is not at '{_fallbackPath}'";
        }
        else
        {
            try
            {
                var fallback = InswapperSwapper.Open(_fallbackPath, _inference, _logger);
                if (fallback.CropSize == faulty.CropSize && fallback.LatentLength == faulty.LatentLength)
                {
                    return fallback;
                }

                reason = $"{Path.GetFileName(_fallbackPath)} has crop {fallback.CropSize} and latent {fallback.LatentLength}, the preferred model {faulty.CropSize} and {faulty.LatentLength}";
                fallback.Dispose();
            }
            catch (ModelLoadException e)
            {
                reason = e.Message;
            }
        }

        Report(fault, reason);
        return null;
    }

    private void Report(SwapFault fault, string reason)
    {
        if (_reported)
        {
            return;
        }

        _reported = true;
        SwapLog.NoFallback(_logger, Path.GetFileName(_active.ModelPath), fault, reason);
    }
}
