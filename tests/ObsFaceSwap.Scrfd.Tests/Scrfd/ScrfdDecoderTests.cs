using ObsFaceSwap.Inference.Scrfd;
using ObsFaceSwap.Vision;

namespace ObsFaceSwap.Scrfd.Tests.Scrfd;

public class ScrfdDecoderTests
{
    private const float Tolerance = 1e-3f;

    private static readonly float[] Kps = [1f, 1f, 2f, 1f, 1.5f, 2f, 1f, 3f, 2f, 3f];

    [Fact]
    public void Anchor_counts_for_640_are_those_of_det_10g()
    {
        var decoder = new ScrfdDecoder(640, 640);
        Assert.Equal(12800, decoder.AnchorCount(0));
        Assert.Equal(3200, decoder.AnchorCount(1));
        Assert.Equal(800, decoder.AnchorCount(2));
        Assert.Equal(16800, decoder.TotalAnchors);
    }

    [Fact]
    public void One_firing_anchor_gives_one_box_at_its_centre_plus_distances_times_stride()
    {
        var t = new ScrfdTensors();
        // Stride 8, cell (7, 5): anchor centre (56, 40). Second anchor of the cell.
        t.Set(0, t.Anchor(0, 7, 5, anchor: 1), 0.9f, [1f, 2f, 3f, 4f], Kps);

        var faces = new ScrfdDecoder(640, 640).Decode(t.Outputs(), ScrfdLetterbox.Identity);

        var face = Assert.Single(faces);
        Assert.Equal(0.9f, face.Score);
        AssertBox(new BoxF(48, 24, 32, 48), face.Box);
        AssertPoint(new PointF(64, 48), face.Landmarks.RightEye);
        AssertPoint(new PointF(72, 48), face.Landmarks.LeftEye);
        AssertPoint(new PointF(68, 56), face.Landmarks.Nose);
        AssertPoint(new PointF(64, 64), face.Landmarks.RightMouth);
        AssertPoint(new PointF(72, 64), face.Landmarks.LeftMouth);
    }

    [Fact]
    public void Coarse_strides_use_their_own_grid()
    {
        var t = new ScrfdTensors();
        // Stride 32 has 20 columns at 640: cell (3, 2) is centred at (96, 64).
        t.Set(2, t.Anchor(2, 3, 2), 0.8f, [1f, 1f, 1f, 1f]);
        // Stride 16 has 40 columns: cell (39, 0) is centred at (624, 0).
        t.Set(1, t.Anchor(1, 39, 0, anchor: 1), 0.7f, [0.5f, 0f, 0.5f, 1f]);

        var faces = new ScrfdDecoder(640, 640).Decode(t.Outputs(), ScrfdLetterbox.Identity);

        Assert.Equal(2, faces.Count);
        AssertBox(new BoxF(64, 32, 64, 64), faces[0].Box);
        AssertBox(new BoxF(616, 0, 16, 16), faces[1].Box);
    }

    [Fact]
    public void A_non_square_input_has_as_many_columns_as_its_width_allows()
    {
        var t = new ScrfdTensors(width: 640, height: 480);
        t.Set(0, t.Anchor(0, 79, 59), 0.6f, [1f, 1f, 1f, 1f]);

        var faces = new ScrfdDecoder(640, 480).Decode(t.Outputs(), ScrfdLetterbox.Identity);

        AssertBox(new BoxF(624, 464, 16, 16), Assert.Single(faces).Box);
    }

    [Fact]
    public void Two_overlapping_boxes_keep_only_the_better_one()
    {
        var t = new ScrfdTensors();
        // Both anchors of one cell, nearly the same box (IoU well above 0.4).
        t.Set(0, t.Anchor(0, 10, 10, 0), 0.8f, [2f, 2f, 2f, 2f]);
        t.Set(0, t.Anchor(0, 10, 10, 1), 0.95f, [2f, 2f, 2.2f, 2f]);
        // The same face seen at stride 16, slightly shifted: suppressed too.
        t.Set(1, t.Anchor(1, 5, 5), 0.85f, [1f, 1f, 1f, 1f]);

        var faces = new ScrfdDecoder(640, 640).Decode(t.Outputs(), ScrfdLetterbox.Identity);

        var face = Assert.Single(faces);
        Assert.Equal(0.95f, face.Score);
        AssertBox(new BoxF(64, 64, 33.6f, 32), face.Box);
    }

    [Fact]
    public void Boxes_overlapping_at_most_the_iou_threshold_are_both_kept_best_first()
    {
        var t = new ScrfdTensors();
        // Two 32x32 boxes 16 px apart horizontally: IoU = 16*32 / (2*1024 - 512) = 1/3 < 0.4.
        t.Set(0, t.Anchor(0, 10, 10), 0.7f, [2f, 2f, 2f, 2f]);
        t.Set(0, t.Anchor(0, 12, 10), 0.9f, [2f, 2f, 2f, 2f]);

        var faces = new ScrfdDecoder(640, 640).Decode(t.Outputs(), ScrfdLetterbox.Identity);

        Assert.Equal([0.9f, 0.7f], faces.Select(f => f.Score));
        AssertBox(new BoxF(80, 64, 32, 32), faces[0].Box);
        AssertBox(new BoxF(64, 64, 32, 32), faces[1].Box);
    }

    [Fact]
    public void Scores_below_the_threshold_give_nothing_and_a_score_at_it_passes()
    {
        var t = new ScrfdTensors();
        t.Set(0, t.Anchor(0, 1, 1), 0.49f, [1f, 1f, 1f, 1f]);
        t.Set(2, t.Anchor(2, 1, 1), 0.2f, [1f, 1f, 1f, 1f]);
        var decoder = new ScrfdDecoder(640, 640);

        Assert.Empty(decoder.Decode(t.Outputs(), ScrfdLetterbox.Identity));

        t.Scores[0][t.Anchor(0, 1, 1)] = 0.5f;
        Assert.Equal(0.5f, Assert.Single(decoder.Decode(t.Outputs(), ScrfdLetterbox.Identity)).Score);
    }

    [Fact]
    public void Nan_scores_never_pass()
    {
        var t = new ScrfdTensors();
        t.Set(0, 0, float.NaN, [1f, 1f, 1f, 1f]);

        Assert.Empty(new ScrfdDecoder(640, 640).Decode(t.Outputs(), ScrfdLetterbox.Identity));
    }

    [Fact]
    public void The_top_left_letterbox_is_undone()
    {
        var t = new ScrfdTensors();
        t.Set(0, t.Anchor(0, 7, 5), 0.9f, [1f, 2f, 3f, 4f], Kps);
        // A 1280x720 frame in a 640 input: scale 0.5, frame at the top-left.
        var letterbox = ScrfdLetterbox.TopLeft(1280, 720, 640, 640);
        Assert.Equal(new ScrfdLetterbox(0.5f, 0, 0), letterbox);

        var face = Assert.Single(new ScrfdDecoder(640, 640).Decode(t.Outputs(), letterbox));

        AssertBox(new BoxF(96, 48, 64, 96), face.Box);
        AssertPoint(new PointF(128, 96), face.Landmarks.RightEye);
        AssertPoint(new PointF(128, 128), face.Landmarks.RightMouth);
        AssertPoint(new PointF(144, 128), face.Landmarks.LeftMouth);
    }

    [Fact]
    public void A_centred_letterbox_with_padding_is_undone()
    {
        var t = new ScrfdTensors();
        t.Set(0, t.Anchor(0, 7, 5), 0.9f, [1f, 2f, 3f, 4f], Kps);
        // A 320x160 frame scaled by 2 into 640, centred: 160 px of padding above.
        var letterbox = new ScrfdLetterbox(2f, 0f, 160f);

        var face = Assert.Single(new ScrfdDecoder(640, 640).Decode(t.Outputs(), letterbox));

        AssertBox(new BoxF(24, -68, 16, 24), face.Box);
        AssertPoint(new PointF(32, -56), face.Landmarks.RightEye);
    }

    [Fact]
    public void Max_faces_caps_the_result_best_first()
    {
        var t = new ScrfdTensors();
        for (var i = 0; i < 5; i++)
        {
            t.Set(2, t.Anchor(2, i * 4, 0), 0.5f + (i * 0.1f), [1f, 1f, 1f, 1f]);
        }

        var faces = new ScrfdDecoder(640, 640, new ScrfdOptions(MaxFaces: 2)).Decode(t.Outputs(), ScrfdLetterbox.Identity);

        Assert.Equal(2, faces.Count);
        Assert.Equal(0.9f, faces[0].Score, Tolerance);
        Assert.Equal(0.8f, faces[1].Score, Tolerance);
    }

    [Fact]
    public void Tensors_too_short_for_the_input_size_are_rejected()
    {
        var small = new ScrfdTensors(320, 320);

        var ex = Assert.Throws<ArgumentException>(() => new ScrfdDecoder(640, 640).Decode(small.Outputs(), ScrfdLetterbox.Identity));
        Assert.Contains("stride 8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_out_of_range_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScrfdDecoder(640, 640, new ScrfdOptions(ScoreThreshold: 1.5f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScrfdDecoder(640, 640, new ScrfdOptions(IouThreshold: -0.1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScrfdDecoder(640, 640, new ScrfdOptions(MaxFaces: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScrfdOptions(InputSize: 600).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScrfdDecoder(16, 640));
    }

    internal static void AssertBox(BoxF expected, BoxF actual)
    {
        Assert.Equal(expected.X, actual.X, Tolerance);
        Assert.Equal(expected.Y, actual.Y, Tolerance);
        Assert.Equal(expected.Width, actual.Width, Tolerance);
        Assert.Equal(expected.Height, actual.Height, Tolerance);
    }

    internal static void AssertPoint(PointF expected, PointF actual)
    {
        Assert.Equal(expected.X, actual.X, Tolerance);
        Assert.Equal(expected.Y, actual.Y, Tolerance);
    }
}
