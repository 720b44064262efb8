namespace ObsFaceSwap.Testing.Media;

/// <summary>
/// A synthetic test clip: the two faces side by side on a coloured background, panning right
/// by a whole number of pixels per frame (so each frame's face positions are known exactly),
/// a frame-index barcode along the top edge, and an AAC sine tone.
/// </summary>
public sealed record ClipSpec
{
    /// <summary>Frame width.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Frame height.</summary>
    public int Height { get; init; } = 360;

    /// <summary>Frames per second.</summary>
    public int Fps { get; init; } = 30;

    /// <summary>Number of frames (the clip loops in OBS).</summary>
    public int FrameCount { get; init; } = 180;

    /// <summary>Background colour as ffmpeg reads it.</summary>
    public string BackgroundColor { get; init; } = "0x3a6ea5";

    /// <summary>Height both faces are scaled to.</summary>
    public int FaceHeight { get; init; } = 220;

    /// <summary>Gap between the faces.</summary>
    public int FaceGap { get; init; } = 10;

    /// <summary>Top edge of the faces.</summary>
    public int FaceTop { get; init; } = 70;

    /// <summary>Left edge of the face strip in frame 0.</summary>
    public int PanStartX { get; init; } = 20;

    /// <summary>Pixels the strip moves right per frame.</summary>
    public int PanPixelsPerFrame { get; init; } = 1;

    /// <summary>Frequency of the audio tone.</summary>
    public int ToneHz { get; init; } = 440;

    /// <summary>Height of the frame-index barcode strip at the top.</summary>
    public int BarcodeHeight { get; init; } = 16;

    /// <summary>Left edge of the face strip in a frame.</summary>
    /// <param name="frameIndex">The frame index.</param>
    /// <returns>The x coordinate.</returns>
    public int FaceStripX(int frameIndex) => PanStartX + (PanPixelsPerFrame * frameIndex);

    /// <summary>Throws <see cref="ArgumentException"/> for values out of range.</summary>
    public void Validate()
    {
        if (Width % FrameIndexBarcode.Bits != 0 || Width % 2 != 0 || Height % 2 != 0)
        {
            throw new ArgumentException($"Width must be even and a multiple of {FrameIndexBarcode.Bits}; Height even.");
        }

        if (FrameCount < 1 || FrameCount >= 1 << FrameIndexBarcode.Bits)
        {
            throw new ArgumentException("FrameCount out of range.", nameof(FrameCount));
        }

        if (FaceTop < BarcodeHeight || FaceTop + FaceHeight > Height)
        {
            throw new ArgumentException("The faces must fit below the barcode.", nameof(FaceTop));
        }
    }
}
