using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Vision.Tests.Tracking;

/// <summary>Synthetic detections: a square face box with landmarks at fixed fractions of it.</summary>
internal static class SyntheticFaces
{
    public const double Fps = 30;

    public static FaceDetection Face(double cx, double cy, double size, float score = 0.9f, Random? noise = null, double sigma = 0)
    {
        double N() => noise is null ? 0 : Gaussian(noise) * sigma;
        PointF P(double fx, double fy) => new((float)(cx + (fx * size) + N()), (float)(cy + (fy * size) + N()));
        var w = size + N();
        var h = size + N();
        var box = new BoxF((float)(cx - (w / 2) + N()), (float)(cy - (h / 2) + N()), (float)w, (float)h);
        var landmarks = new FiveLandmarks(P(-0.18, -0.1), P(0.18, -0.1), P(0, 0.05), P(-0.15, 0.22), P(0.15, 0.22));
        return new FaceDetection(box, landmarks, score);
    }

    /// <summary>Standard normal sample (Box-Muller).</summary>
    public static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static double[] Flatten(FiveLandmarks l) =>
    [
        l.RightEye.X, l.RightEye.Y, l.LeftEye.X, l.LeftEye.Y, l.Nose.X, l.Nose.Y,
        l.RightMouth.X, l.RightMouth.Y, l.LeftMouth.X, l.LeftMouth.Y,
    ];

    /// <summary>RMS over frames and coordinates of the change from one frame to the next.</summary>
    public static double RmsFrameToFrame(IReadOnlyList<double[]> frames)
    {
        double sum = 0;
        var n = 0;
        for (var f = 1; f < frames.Count; f++)
        {
            for (var i = 0; i < frames[f].Length; i++)
            {
                var d = frames[f][i] - frames[f - 1][i];
                sum += d * d;
                n++;
            }
        }

        return Math.Sqrt(sum / n);
    }

    public static FaceTrack Single(IReadOnlyList<FaceTrack> tracks)
    {
        Assert.Single(tracks);
        return tracks[0];
    }
}
