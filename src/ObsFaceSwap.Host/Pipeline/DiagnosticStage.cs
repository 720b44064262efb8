using ObsFaceSwap.Channel;

namespace ObsFaceSwap.Host.Pipeline;

/// <summary>
/// The diagnostic stage of docs/frame-channel.md: one <see cref="ItemKind.Patch"/> holding the
/// colour-inverted copy (B, G, R -> 255 - value, alpha 255) of the central rectangle
/// x = W/4, y = H/4, w = W/2, h = H/2 (integer division), placed back with affine
/// {1, 0, W/4, 0, 1, H/4} and opacity 1. NV12 frames are converted to BGRA with BT.709
/// limited range first. A rectangle side over <see cref="Wire.MaxPatchSide"/> (frames wider or
/// taller than 2048) is split into tiles of at most that size, one item each, translated to
/// their place: the same picture, within the wire limits.
/// </summary>
internal sealed class DiagnosticStage : IFrameStage
{
    public const string StageName = "diagnostic";

    private const int Tile = (int)Wire.MaxPatchSide;

    public string Name => StageName;

    /// <summary>The central rectangle of a <paramref name="width"/> x <paramref name="height"/> frame.</summary>
    public static (int X, int Y, int Width, int Height) CentralRect(int width, int height)
        => (width / 4, height / 4, width / 2, height / 2);

    public void Process(in FrameContext frame, ResultBuilder result)
    {
        var (rx, ry, rw, rh) = CentralRect(frame.Width, frame.Height);
        for (var ty = 0; ty < rh; ty += Tile)
        {
            for (var tx = 0; tx < rw; tx += Tile)
            {
                var w = Math.Min(Tile, rw - tx);
                var h = Math.Min(Tile, rh - ty);
                var x0 = rx + tx;
                var y0 = ry + ty;
                var patch = result.AddPatch(w, h, [1f, 0f, x0, 0f, 1f, y0], opacity: 1f);
                for (var y = 0; y < h; y++)
                {
                    var row = patch.Slice(y * w * 4, w * 4);
                    var fy = y0 + y;
                    if (frame.Format == PixelFormat.Bgra)
                    {
                        PixelKernels.InvertBgraOpaque(frame.Plane0.Slice((fy * frame.Stride) + (x0 * 4), w * 4), row);
                    }
                    else
                    {
                        var yRow = frame.Plane0.Slice(fy * frame.Stride, frame.Width);
                        var uvRow = frame.UvPlane.Slice(fy / 2 * frame.UvStride, frame.Width);
                        PixelKernels.Nv12ToInvertedBgra(yRow, uvRow, x0, row);
                    }
                }
            }
        }
    }
}
