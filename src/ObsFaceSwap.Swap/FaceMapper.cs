using System.Numerics.Tensors;
using ObsFaceSwap.Vision.Tracking;

namespace ObsFaceSwap.Swap;

/// <summary>How tracked faces are given identities (settings key <c>face_mapping</c>).</summary>
public enum FaceMappingMode
{
    /// <summary>"all": every face gets the live identity.</summary>
    All,

    /// <summary>"order": the n-th track to appear gets the n-th name of <c>face_map</c>.</summary>
    Order,

    /// <summary>"position": on each frame, the n-th face from the left gets the n-th name.</summary>
    Position,

    /// <summary>"similarity": a face gets the identity of the most similar reference face (ArcFace cosine similarity at least the threshold).</summary>
    Similarity,
}

/// <summary>A reference face for <see cref="FaceMappingMode.Similarity"/>: whoever looks like it gets <paramref name="Identity"/>.</summary>
/// <param name="Identity">The identity name to swap in.</param>
/// <param name="Embedding">The reference face's L2-normalised ArcFace embedding (512 floats).</param>
public sealed record ReferenceFace(string Identity, float[] Embedding);

/// <summary>
/// Decides, per frame, which identity each tracked face gets, or none (the face is left as it
/// is), so the wrong person is not swapped. Decisions stick to track ids: by order, a new track
/// takes the lowest slot no present track holds and keeps it (so a face that leaves and comes
/// back gets its slot again when nobody took it); by similarity, a track's identity is decided
/// once, from its first embedding. State for ids that left is dropped. Channel thread only.
/// </summary>
public sealed class FaceMapper
{
    /// <summary>ArcFace cosine similarity above which two faces count as the same person by default (InsightFace's verification threshold is about 0.3-0.4 for w600k_r50).</summary>
    public const float DefaultSimilarityThreshold = 0.35f;

    private readonly FaceMappingMode _mode;
    private readonly IReadOnlyList<string?> _names;
    private readonly IReadOnlyList<ReferenceFace> _references;
    private readonly float _threshold;
    private readonly Dictionary<uint, int> _slotById = [];
    private readonly Dictionary<uint, string?> _similarById = [];
    private readonly HashSet<uint> _present = [];
    private readonly List<uint> _gone = [];

    /// <summary>Creates a mapper.</summary>
    /// <param name="mode">The mapping mode.</param>
    /// <param name="names">Order and position: identity per slot, null to leave that face alone.</param>
    /// <param name="references">Similarity: the reference faces.</param>
    /// <param name="threshold">Similarity: the least cosine similarity that maps a face, -1..1.</param>
    public FaceMapper(FaceMappingMode mode, IReadOnlyList<string?>? names = null, IReadOnlyList<ReferenceFace>? references = null, float threshold = DefaultSimilarityThreshold)
    {
        _mode = mode;
        _names = names ?? [];
        _references = references ?? [];
        _threshold = threshold;
    }

    /// <summary>
    /// Parses <c>face_map</c> for order and position: names separated by commas, <c>-</c> (or
    /// an empty entry) leaving that face alone. Whitespace around names is ignored.
    /// </summary>
    /// <param name="faceMap">The setting's value.</param>
    /// <returns>One entry per slot.</returns>
    public static IReadOnlyList<string?> ParseNames(string faceMap) =>
        faceMap.Split(',').Select(n => n.Trim()).Select(n => n is "" or "-" ? null : n).ToArray();

    /// <summary>
    /// Parses <c>face_map</c> for similarity: <c>reference-image=identity</c> pairs separated by
    /// commas (the image path may not contain a comma).
    /// </summary>
    /// <param name="faceMap">The setting's value.</param>
    /// <returns>(image path, identity) pairs.</returns>
    /// <exception cref="FormatException">An entry without <c>=</c>, or with an empty side, naming the entry.</exception>
    public static IReadOnlyList<(string ImagePath, string Identity)> ParseReferences(string faceMap)
    {
        var pairs = new List<(string, string)>();
        foreach (var entry in faceMap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = entry.LastIndexOf('=');
            if (eq <= 0 || eq == entry.Length - 1)
            {
                throw new FormatException($"face_map entry '{entry}' is not reference-image=identity");
            }

            pairs.Add((entry[..eq].Trim(), entry[(eq + 1)..].Trim()));
        }

        return pairs;
    }

    /// <summary>
    /// Maps this frame's tracks: <paramref name="identities"/>[i] gets the identity of
    /// <paramref name="tracks"/>[i], or null to leave the face alone.
    /// </summary>
    /// <param name="tracks">The frame's tracks.</param>
    /// <param name="liveIdentity">The live identity (mode <see cref="FaceMappingMode.All"/>); null: none loaded.</param>
    /// <param name="identities">Output, at least as long as <paramref name="tracks"/>.</param>
    /// <remarks>Similarity: a track without a decision (<see cref="NeedsEmbedding"/>) maps to null.</remarks>
    public void Map(ReadOnlySpan<FaceTrack> tracks, string? liveIdentity, Span<string?> identities)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(identities.Length, tracks.Length, nameof(identities));
        _present.Clear();
        for (var i = 0; i < tracks.Length; i++)
        {
            _present.Add(tracks[i].Id);
        }

        Forget(_slotById);
        Forget(_similarById);
        switch (_mode)
        {
            case FaceMappingMode.All:
                identities[..tracks.Length].Fill(liveIdentity);
                break;
            case FaceMappingMode.Order:
                for (var i = 0; i < tracks.Length; i++)
                {
                    if (!_slotById.TryGetValue(tracks[i].Id, out var slot))
                    {
                        slot = 0;
                        while (_slotById.ContainsValue(slot))
                        {
                            slot++;
                        }

                        _slotById[tracks[i].Id] = slot;
                    }

                    identities[i] = slot < _names.Count ? _names[slot] : null;
                }

                break;
            case FaceMappingMode.Position:
                for (var i = 0; i < tracks.Length; i++)
                {
                    var cx = tracks[i].Box.X + (tracks[i].Box.Width / 2);
                    var rank = 0;
                    for (var j = 0; j < tracks.Length; j++)
                    {
                        var other = tracks[j].Box.X + (tracks[j].Box.Width / 2);
                        rank += other < cx || (other == cx && j < i) ? 1 : 0;
                    }

                    identities[i] = rank < _names.Count ? _names[rank] : null;
                }

                break;
            case FaceMappingMode.Similarity:
                for (var i = 0; i < tracks.Length; i++)
                {
                    identities[i] = _similarById.GetValueOrDefault(tracks[i].Id);
                }

                break;
        }
    }

    /// <summary>Similarity: true when track <paramref name="id"/> has no decision yet (give it <see cref="SetEmbedding"/> before <see cref="Map"/>).</summary>
    /// <param name="id">The track id.</param>
    /// <returns>False in the other modes.</returns>
    public bool NeedsEmbedding(uint id) => _mode == FaceMappingMode.Similarity && !_similarById.ContainsKey(id);

    /// <summary>Similarity: decides track <paramref name="id"/>'s identity, once, from its face's embedding.</summary>
    /// <param name="id">The track id.</param>
    /// <param name="embedding">The face's L2-normalised ArcFace embedding.</param>
    public void SetEmbedding(uint id, ReadOnlySpan<float> embedding) => _similarById[id] = MostSimilar(embedding);

    private string? MostSimilar(ReadOnlySpan<float> embedding)
    {
        string? best = null;
        var bestScore = _threshold;
        foreach (var reference in _references)
        {
            var score = TensorPrimitives.Dot(embedding, reference.Embedding);
            if (score >= bestScore)
            {
                bestScore = score;
                best = reference.Identity;
            }
        }

        return best;
    }

    private void Forget<T>(Dictionary<uint, T> byId)
    {
        _gone.Clear();
        foreach (var id in byId.Keys)
        {
            if (!_present.Contains(id))
            {
                _gone.Add(id);
            }
        }

        foreach (var id in _gone)
        {
            byId.Remove(id);
        }
    }
}
