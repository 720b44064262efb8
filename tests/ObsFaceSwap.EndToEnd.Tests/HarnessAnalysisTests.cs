using ObsFaceSwap.Testing;
using ObsFaceSwap.Testing.Analysis;
using ObsFaceSwap.Testing.Media;
using ObsFaceSwap.Testing.Video;

namespace ObsFaceSwap.EndToEnd.Tests;

/// <summary>The harness's own measuring tools, checked before they judge OBS (no OBS needed).</summary>
public sealed class HarnessAnalysisTests
{
    [Fact]
    public async Task Clip_barcode_reads_back_every_frame_index()
    {
        var (clip, frames) = await E2eContext.ClipAsync();

        Assert.Equal(clip.Spec.FrameCount, frames.Count);
        Assert.All(frames, f => Assert.Equal(f.Index, FrameIndexBarcode.Decode(f, clip.Spec.BarcodeHeight)));
    }

    [Fact]
    public async Task Clip_is_cached_by_content()
    {
        var (clip, _) = await E2eContext.ClipAsync();

        var again = await TestClip.EnsureAsync();
        var other = await TestClip.EnsureAsync(new ClipSpec { FrameCount = 30 });

        Assert.Equal(clip.Path, again.Path);
        Assert.NotEqual(clip.Path, other.Path);
        Assert.StartsWith(RepositoryLayout.CacheDirectory, clip.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clip_pans_by_the_known_amount()
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        var spec = clip.Spec;

        // Frame n shifted left by n pixels equals frame 0 where the face strip is (the background is flat).
        var strip = new FrameRegion(spec.FaceStripX(0) + 4, spec.FaceTop + 4, 300, spec.FaceHeight - 8);
        foreach (var n in new[] { 1, 37, 120 })
        {
            var shifted = Shift(frames[n], spec.FaceStripX(n) - spec.FaceStripX(0));
            Assert.True(ImageCompare.MeanAbsoluteDifference(frames[0], shifted, strip) < 3.0, $"frame {n}");
            Assert.True(ImageCompare.MeanAbsoluteDifference(frames[0], frames[n], strip) > 5.0, $"frame {n} did not move");
        }
    }

    [Fact]
    public void Centre_rectangle_is_the_diagnostic_stage_one()
    {
        Assert.Equal(new FrameRegion(160, 90, 320, 180), FrameRegion.Centre(640, 360));
        Assert.Equal(new FrameRegion(480, 270, 960, 540), FrameRegion.Centre(1920, 1080));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Vectorised_difference_equals_a_scalar_reference(bool invert)
    {
        var random = new Random(1234);
        var a = RandomFrame(random, 97, 53);
        var b = RandomFrame(random, 97, 53);
        var region = new FrameRegion(3, 5, 90, 41);

        long expected = 0;
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            for (var x = region.X; x < region.X + region.Width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var i = (4 * ((y * a.Width) + x)) + c;
                    expected += Math.Abs(a.Bgra[i] - (invert ? 255 - b.Bgra[i] : b.Bgra[i]));
                }
            }
        }

        Assert.Equal(expected, ImageCompare.SumAbsoluteDifference(a, b, region, invert));
        Assert.Equal(expected / (3.0 * region.Area), ImageCompare.MeanAbsoluteDifference(a, b, region, invert), 9);
    }

    [Fact]
    public async Task Analyzer_recognises_an_inverted_centre_with_latency()
    {
        var (clip, frames) = await E2eContext.ClipAsync();
        var analyzer = new DiagnosticAnalyzer(frames, clip.Spec);
        var centre = analyzer.Centre;

        // Frame 50 with the inverted centre of frame 47: what a 3-frame pipeline latency records.
        var composed = (byte[])frames[50].Bgra.Clone();
        for (var y = centre.Y; y < centre.Y + centre.Height; y++)
        {
            for (var x = centre.X; x < centre.X + centre.Width; x++)
            {
                var i = 4 * ((y * clip.Spec.Width) + x);
                for (var c = 0; c < 3; c++)
                {
                    composed[i + c] = (byte)(255 - frames[47].Bgra[i + c]);
                }
            }
        }

        var inverted = analyzer.Analyze(new VideoFrame(0, clip.Spec.Width, clip.Spec.Height, composed), clip.Spec.Fps);
        var source = analyzer.Analyze(new VideoFrame(1, clip.Spec.Width, clip.Spec.Height, frames[50].Bgra), clip.Spec.Fps);

        Assert.Equal((50, CentreState.Inverted, 3), (inverted.ClipIndex, inverted.Centre, inverted.InvertedLag));
        Assert.True(inverted.OutsideMad < 0.01);
        Assert.Equal(CentreState.Source, source.Centre);
    }

    [Fact]
    public void Network_namespace_check_lists_interfaces()
    {
        Assert.Contains("lo", NetworkNamespace.InterfaceNames());
    }

    private static VideoFrame RandomFrame(Random random, int width, int height)
    {
        var pixels = new byte[4 * width * height];
        random.NextBytes(pixels);
        for (var i = 3; i < pixels.Length; i += 4)
        {
            pixels[i] = 255;
        }

        return new VideoFrame(0, width, height, pixels);
    }

    private static VideoFrame Shift(VideoFrame frame, int dx)
    {
        var pixels = new byte[frame.Bgra.Length];
        for (var y = 0; y < frame.Height; y++)
        {
            frame.Row(y)[(4 * dx)..].CopyTo(pixels.AsSpan(y * frame.Stride));
        }

        return new VideoFrame(frame.Index, frame.Width, frame.Height, pixels);
    }
}
