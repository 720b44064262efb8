namespace ObsFaceSwap.Testing.Video;

/// <summary>A rectangle of pixels.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
public readonly record struct FrameRegion(int X, int Y, int Width, int Height)
{
    /// <summary>The diagnostic stage's rectangle: <c>x = W/4, y = H/4, w = W/2, h = H/2</c> (integer division).</summary>
    /// <param name="width">Frame width.</param>
    /// <param name="height">Frame height.</param>
    /// <returns>The central rectangle.</returns>
    public static FrameRegion Centre(int width, int height) => new(width / 4, height / 4, width / 2, height / 2);

    /// <summary>The whole frame.</summary>
    /// <param name="width">Frame width.</param>
    /// <param name="height">Frame height.</param>
    /// <returns>The rectangle.</returns>
    public static FrameRegion Whole(int width, int height) => new(0, 0, width, height);

    /// <summary>Number of pixels.</summary>
    public int Area => Width * Height;

    /// <summary>Shrinks the rectangle by a margin on every side (to keep away from edges that codecs blur).</summary>
    /// <param name="margin">Pixels to drop on each side.</param>
    /// <returns>The smaller rectangle.</returns>
    public FrameRegion Inset(int margin) => new(X + margin, Y + margin, Width - (2 * margin), Height - (2 * margin));
}
