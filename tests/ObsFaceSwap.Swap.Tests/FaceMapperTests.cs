using ObsFaceSwap.Swap;
using ObsFaceSwap.Vision;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Swap.Tests;

public sealed class FaceMapperTests
{
    private static FaceTrack Track(uint id, float x) =>
        new(id, new BoxF(x, 50, 100, 120), default, 0.9f, FaceTrackState.Confirmed, 0);

    private static string N(params string?[] names) => string.Join(",", names.Select(n => n ?? "-"));

    private static string?[] Map(FaceMapper mapper, string? live, params FaceTrack[] tracks)
    {
        var identities = new string?[tracks.Length];
        mapper.Map(tracks, live, identities);
        return identities;
    }

    [Fact]
    public void All_gives_every_face_the_live_identity_or_none_without_one()
    {
        var mapper = new FaceMapper(FaceMappingMode.All);
        Assert.Equal(N("alice", "alice"), N(Map(mapper, "alice", Track(1, 10), Track(2, 300))));
        Assert.Equal(N(null, null), N(Map(mapper, null, Track(1, 10), Track(2, 300))));
    }

    [Fact]
    public void Order_follows_first_appearance_and_a_freed_slot_is_taken_by_the_next_new_face()
    {
        var mapper = new FaceMapper(FaceMappingMode.Order, FaceMapper.ParseNames("alice, bob"));
        Assert.Equal(N("alice"), N(Map(mapper, "x", Track(5, 400))));
        // Order is by appearance, not by position: the new face on the left is second.
        Assert.Equal(N("alice", "bob"), N(Map(mapper, "x", Track(5, 400), Track(7, 10))));
        Assert.Equal(N("alice", "bob", null), N(Map(mapper, "x", Track(5, 400), Track(7, 10), Track(9, 200))));
        // Track 5 leaves; the next new face takes its slot, track 9 keeps none.
        Assert.Equal(N("bob", null), N(Map(mapper, "x", Track(7, 10), Track(9, 200))));
        Assert.Equal(N("bob", null, "alice"), N(Map(mapper, "x", Track(7, 10), Track(9, 200), Track(11, 500))));
    }

    [Fact]
    public void Order_dash_leaves_that_face_alone()
    {
        var mapper = new FaceMapper(FaceMappingMode.Order, FaceMapper.ParseNames("-,bob"));
        Assert.Equal(N(null, "bob"), N(Map(mapper, "x", Track(1, 0), Track(2, 0))));
    }

    [Fact]
    public void Position_ranks_faces_left_to_right_on_every_frame()
    {
        var mapper = new FaceMapper(FaceMappingMode.Position, FaceMapper.ParseNames("alice,bob"));
        Assert.Equal(N("bob", "alice"), N(Map(mapper, "x", Track(1, 300), Track(2, 20))));
        // The two people change places: the names follow the positions.
        Assert.Equal(N("alice", "bob"), N(Map(mapper, "x", Track(1, 20), Track(2, 300))));
        Assert.Equal(N("alice", "bob", null), N(Map(mapper, "x", Track(1, 20), Track(2, 300), Track(3, 600))));
    }

    [Fact]
    public void Similarity_maps_to_the_most_similar_reference_above_the_threshold_once_per_track()
    {
        float[] Unit(params float[] v)
        {
            var n = MathF.Sqrt(v.Sum(x => x * x));
            return v.Select(x => x / n).ToArray();
        }

        var references = new[] { new ReferenceFace("alice", Unit(1, 0, 0)), new ReferenceFace("bob", Unit(0, 1, 0)) };
        var mapper = new FaceMapper(FaceMappingMode.Similarity, references: references, threshold: 0.5f);
        var faces = new Dictionary<uint, float[]?>
        {
            [1] = Unit(0.2f, 1, 0),   // bob (0.98)
            [2] = Unit(1, 0.3f, 0),   // alice (0.96)
            [3] = Unit(0, 0, 1),      // nobody (0)
            [4] = null,               // no embedding yet
        };
        var tracks = new[] { Track(1, 0), Track(2, 100), Track(3, 200), Track(4, 300) };
        var identities = new string?[4];
        void Frame()
        {
            foreach (var t in tracks)
            {
                if (mapper.NeedsEmbedding(t.Id) && faces[t.Id] is { } e)
                {
                    mapper.SetEmbedding(t.Id, e);
                }
            }

            mapper.Map(tracks, "live", identities);
        }

        Frame();
        Assert.Equal(N("bob", "alice", null, null), N(identities));
        Assert.False(mapper.NeedsEmbedding(1));
        Assert.True(mapper.NeedsEmbedding(4));
        faces[4] = Unit(0.9f, 0.1f, 0);
        Frame();
        Assert.Equal(N("bob", "alice", null, "alice"), N(identities));
        Assert.False(mapper.NeedsEmbedding(4));
        // Other modes never ask for embeddings.
        Assert.False(new FaceMapper(FaceMappingMode.All).NeedsEmbedding(1));
    }

    [Fact]
    public void Reference_pairs_parse_and_a_malformed_entry_is_named()
    {
        var pairs = FaceMapper.ParseReferences(" /refs/streamer.png = alice , C:\\refs\\guest.jpg=bob ");
        Assert.Equal([("/refs/streamer.png", "alice"), ("C:\\refs\\guest.jpg", "bob")], pairs);
        var e = Assert.Throws<FormatException>(() => FaceMapper.ParseReferences("a.png=alice,bob.png"));
        Assert.Contains("'bob.png'", e.Message, StringComparison.Ordinal);
    }
}
