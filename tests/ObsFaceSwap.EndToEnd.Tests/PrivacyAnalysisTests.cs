using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Video;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary><see cref="PrivacyAnalyzer"/> checked on frames made from the clip (no OBS needed).</summary>
public sealed class PrivacyAnalysisTests
{
    [Fact]
    public async Task PrivacyAnalyzer_sees_the_raw_faces_of_every_clip_frame()
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        var analyzer = new PrivacyAnalyzer(frames, clip.Spec);

        foreach (var n in new[] { 0, 1, 59, 120, 179 })
        {
            var verdict = analyzer.Analyze(frames[n], clip.Spec.Fps);
            Assert.True(verdict.RawFace, $"frame {n}: {verdict}");
            Assert.Equal(n, verdict.RawFaceClipIndex);
            Assert.True(verdict.RestClose, $"frame {n}: {verdict}");
            Assert.False(verdict.WholeMasked, $"frame {n}: {verdict}");
        }
    }

    [Fact]
    public async Task PrivacyAnalyzer_face_cores_lie_on_the_faces()
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        var analyzer = new PrivacyAnalyzer(frames, clip.Spec);

        // A core one frame off (shifted by one pixel) differs clearly: the cores are textured
        // (eyes, mouth), not flat background, which would match any frame.
        foreach (var (name, region) in analyzer.FaceParts(40))
        {
            Assert.True(ImageCompare.MeanAbsoluteDifference(frames[40], frames[42], region) > 8.0, $"{name} in frame 40 is flat");
        }

        // Inside the face images (astronaut 220x220 from the strip's left edge, Hopper from 230).
        foreach (var face in analyzer.Faces)
        {
            var core = face.In(clip.Spec, 0);
            var imageLeft = clip.Spec.FaceStripX(0) + (face.Name == "hopper" ? 230 : 0);
            var imageWidth = face.Name == "hopper" ? 188 : 220;
            Assert.InRange(core.X, imageLeft, imageLeft + imageWidth - core.Width);
            Assert.InRange(core.Y, clip.Spec.FaceTop, clip.Spec.FaceTop + clip.Spec.FaceHeight - core.Height);
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public async Task PrivacyAnalyzer_pixelated_faces_are_not_raw_and_the_rest_is_close(int cell)
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        var analyzer = new PrivacyAnalyzer(frames, clip.Spec);

        foreach (var n in new[] { 3, 90, 177 })
        {
            // A mask lagging 3 frames behind (the faces moved 3 px since), over the core with 20 % padding.
            var masked = frames[n].Bgra.ToArray();
            foreach (var face in analyzer.Faces)
            {
                var core = face.In(clip.Spec, Math.Max(0, n - 3));
                Pixelate(masked, clip.Spec.Width, Pad(core, 0.2), cell);
            }

            var verdict = analyzer.Analyze(new VideoFrame(n, clip.Spec.Width, clip.Spec.Height, masked), clip.Spec.Fps);
            Assert.False(verdict.RawFace, $"frame {n}, cell {cell}: {verdict}");
            Assert.True(verdict.RestClose, $"frame {n}, cell {cell}: {verdict}");
            Assert.False(verdict.WholeMasked, $"frame {n}, cell {cell}: {verdict}");
            Assert.Equal(n, verdict.ClipIndex);
        }
    }

    [Fact]
    public async Task PrivacyAnalyzer_a_half_masked_face_is_raw()
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        var analyzer = new PrivacyAnalyzer(frames, clip.Spec);
        var masked = frames[60].Bgra.ToArray();
        foreach (var face in analyzer.Faces)
        {
            var core = face.In(clip.Spec, 60);
            // Only the lower half: the eyes stay raw.
            Pixelate(masked, clip.Spec.Width, core with { Y = core.Y + (core.Height / 2), Height = core.Height - (core.Height / 2) }, 8);
        }

        var verdict = analyzer.Analyze(new VideoFrame(0, clip.Spec.Width, clip.Spec.Height, masked), clip.Spec.Fps);

        Assert.True(verdict.RawFace, verdict.ToString());
        Assert.EndsWith("-eyes", verdict.RawFaceName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivacyAnalyzer_a_whole_frame_mask_hides_faces_and_rest()
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        var analyzer = new PrivacyAnalyzer(frames, clip.Spec);

        // What the filter draws when failing closed: the whole frame pixelated, cells 1/8 of the width.
        var masked = frames[100].Bgra.ToArray();
        Pixelate(masked, clip.Spec.Width, FrameRegion.Whole(clip.Spec.Width, clip.Spec.Height), clip.Spec.Width / 8);
        var verdict = analyzer.Analyze(new VideoFrame(0, clip.Spec.Width, clip.Spec.Height, masked), clip.Spec.Fps);

        Assert.False(verdict.RawFace, verdict.ToString());
        Assert.False(verdict.RestClose, verdict.ToString());
        Assert.True(verdict.WholeMasked, verdict.ToString());
    }

    private static FrameRegion Pad(FrameRegion r, double fraction)
    {
        var dx = (int)(r.Width * fraction);
        var dy = (int)(r.Height * fraction);
        return new FrameRegion(r.X - dx, r.Y - dy, r.Width + (2 * dx), r.Height + (2 * dy));
    }

    /// <summary>Each cell takes the colour of the source pixel at its centre (as the Pixelate technique does).</summary>
    private static void Pixelate(byte[] bgra, int width, FrameRegion region, int cell)
    {
        var source = bgra.ToArray();
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            var cy = Math.Min(region.Y + region.Height - 1, region.Y + (((y - region.Y) / cell) * cell) + (cell / 2));
            for (var x = region.X; x < region.X + region.Width; x++)
            {
                var cx = Math.Min(region.X + region.Width - 1, region.X + (((x - region.X) / cell) * cell) + (cell / 2));
                Array.Copy(source, 4 * ((cy * width) + cx), bgra, 4 * ((y * width) + x), 4);
            }
        }
    }
}
