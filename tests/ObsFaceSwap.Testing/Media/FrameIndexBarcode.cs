using System.Globalization;
using ObsFaceSwap.Testing.Video;

namespace ObsFaceSwap.Testing.Media;

/// <summary>
/// A frame's index as 16 black/white blocks across the top edge of the clip (bit i in block i,
/// least significant first), so a recorded frame tells which clip frame it shows, exactly,
/// whatever OBS dropped, repeated or looped.
/// </summary>
public static class FrameIndexBarcode
{
    /// <summary>Number of bits (blocks).</summary>
    public const int Bits = 16;

    /// <summary>The ffmpeg <c>geq</c> luma expression that draws the barcode of frame N on a gray strip.</summary>
    /// <param name="width">Strip width (a multiple of <see cref="Bits"/>).</param>
    /// <returns>The expression (commas escaped for a filter graph).</returns>
    public static string GeqExpression(int width)
    {
        var block = (width / Bits).ToString(CultureInfo.InvariantCulture);
        return $"255*mod(floor(N/pow(2\\,floor(X/{block})))\\,2)";
    }

    /// <summary>Reads the index from a frame (the middle half of each block, thresholded at mid-gray).</summary>
    /// <param name="frame">A decoded frame.</param>
    /// <param name="barcodeHeight">The strip's height.</param>
    /// <returns>The clip frame index.</returns>
    public static int Decode(VideoFrame frame, int barcodeHeight)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var block = frame.Width / Bits;
        var value = 0;
        for (var bit = 0; bit < Bits; bit++)
        {
            long sum = 0;
            var count = 0;
            for (var y = barcodeHeight / 4; y < barcodeHeight * 3 / 4; y++)
            {
                var row = frame.Row(y);
                for (var x = (bit * block) + (block / 4); x < (bit * block) + (block * 3 / 4); x++)
                {
                    sum += row[(4 * x) + 1];
                    count++;
                }
            }

            if (sum > 128L * count)
            {
                value |= 1 << bit;
            }
        }

        return value;
    }
}
