using ObsFaceSwap.Inference.Scrfd;

namespace ObsFaceSwap.Scrfd.Tests.Scrfd;

/// <summary>Hand-made SCRFD outputs: all zero except the anchors a test sets.</summary>
internal sealed class ScrfdTensors
{
    public ScrfdTensors(int width = 640, int height = 640)
    {
        Width = width;
        Height = height;
        for (var s = 0; s < 3; s++)
        {
            var anchors = ScrfdContract.AnchorCount(width, height, ScrfdContract.Strides[s]);
            Scores[s] = new float[anchors];
            Boxes[s] = new float[anchors * 4];
            Keypoints[s] = new float[anchors * 10];
        }
    }

    public int Width { get; }

    public int Height { get; }

    public float[][] Scores { get; } = new float[3][];

    public float[][] Boxes { get; } = new float[3][];

    public float[][] Keypoints { get; } = new float[3][];

    /// <summary>The anchor index of grid cell (x, y), anchor 0 or 1, at stride index s.</summary>
    public int Anchor(int strideIndex, int x, int y, int anchor = 0) =>
        (((y * (Width / ScrfdContract.Strides[strideIndex])) + x) * 2) + anchor;

    public void Set(int strideIndex, int anchor, float score, float[] distances, float[]? keypoints = null)
    {
        Scores[strideIndex][anchor] = score;
        distances.CopyTo(Boxes[strideIndex], anchor * 4);
        (keypoints ?? new float[10]).CopyTo(Keypoints[strideIndex], anchor * 10);
    }

    /// <summary>All nine in det_10g's order: scores, boxes, keypoints, each for strides 8, 16, 32.</summary>
    public float[][] All => [.. Scores, .. Boxes, .. Keypoints];

    public ScrfdOutputs Outputs() =>
        new(Scores[0], Scores[1], Scores[2], Boxes[0], Boxes[1], Boxes[2], Keypoints[0], Keypoints[1], Keypoints[2]);
}
