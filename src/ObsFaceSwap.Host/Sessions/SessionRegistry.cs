using System.Collections.Concurrent;
using ObsFaceSwap.Host.Stats;

namespace ObsFaceSwap.Host.Sessions;

/// <summary>Every attached channel of every connection, for stats and the periodic log.</summary>
internal sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<(int ConnectionId, ulong ChannelId), ChannelSession> _sessions = new();

    public int Count => _sessions.Count;

    public void Add(int connectionId, ChannelSession session) => _sessions[(connectionId, session.ChannelId)] = session;

    public void Remove(int connectionId, ChannelSession session)
        => _sessions.TryRemove(new KeyValuePair<(int, ulong), ChannelSession>((connectionId, session.ChannelId), session));

    /// <summary>
    /// Stats of every channel (<paramref name="channelId"/> 0) or of those with that id, ordered by
    /// id; only the channels of connection <paramref name="connectionId"/> when it is given.
    /// </summary>
    public List<ChannelStats> Snapshot(ulong channelId = 0, int? connectionId = null)
    {
        var list = new List<ChannelStats>();
        foreach (var (key, session) in _sessions)
        {
            if ((channelId == 0 || key.ChannelId == channelId) && (connectionId is null || key.ConnectionId == connectionId))
            {
                list.Add(session.Snapshot());
            }
        }

        list.Sort((a, b) => a.ChannelId.CompareTo(b.ChannelId));
        return list;
    }
}
