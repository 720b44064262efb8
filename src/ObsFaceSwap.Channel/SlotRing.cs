namespace ObsFaceSwap.Channel;

/// <summary>
/// The slot state machine of docs/frame-channel.md, shared by frame and result rings and by
/// both sides. Frame and result slot headers agree on the first 16 bytes: <c>state</c> (0),
/// <c>generation</c> (4), <c>frame_id</c> (8). All state changes are sequentially consistent
/// CAS or release stores; reads that lead to payload access are acquire loads.
/// </summary>
internal readonly unsafe struct SlotRing
{
    private const int StateOffset = 0;
    private const int GenerationOffset = 4;
    private const int FrameIdOffset = 8;

    private readonly byte* _base;

    public SlotRing(byte* mappingStart, ulong offset, int count, int slotSize)
    {
        _base = mappingStart + offset;
        Count = count;
        SlotSize = slotSize;
    }

    public int Count { get; }

    public int SlotSize { get; }

    public byte* Slot(int index) => _base + ((nint)index * SlotSize);

    public byte* Payload(int index) => Slot(index) + Wire.SlotHeaderSize;

    public ref uint StateRef(int index) => ref *(uint*)(Slot(index) + StateOffset);

    public ref uint GenerationRef(int index) => ref *(uint*)(Slot(index) + GenerationOffset);

    /// <summary>Acquire load of a slot's state word (may hold any value: it is shared memory).</summary>
    public uint LoadState(int index) => Volatile.Read(ref StateRef(index));

    /// <summary>Acquire load of <c>generation</c>.</summary>
    public uint LoadGeneration(int index) => Volatile.Read(ref GenerationRef(index));

    /// <summary>The <c>frame_id</c> of a slot, for choosing which one to take (a racy read; the CAS decides).</summary>
    public ulong PeekFrameId(int index) => Volatile.Read(ref *(ulong*)(Slot(index) + FrameIdOffset));

    public bool TryTransition(int index, SlotState from, SlotState to)
        => Interlocked.CompareExchange(ref StateRef(index), (uint)to, (uint)from) == (uint)from;

    /// <summary>Release store of a state the caller owns the slot in.</summary>
    public void Store(int index, SlotState state) => Volatile.Write(ref StateRef(index), (uint)state);

    /// <summary>
    /// Finds a READY slot: the one with the smallest <c>frame_id</c> (<paramref name="oldest"/>)
    /// or the largest. Returns -1 when none is READY; <paramref name="readyCount"/> counts them
    /// and <paramref name="frameId"/> is the id the choice was based on.
    /// </summary>
    public int FindReady(bool oldest, out int readyCount, out ulong frameId)
    {
        var best = -1;
        frameId = 0;
        readyCount = 0;
        for (var i = 0; i < Count; i++)
        {
            if (LoadState(i) != (uint)SlotState.Ready)
            {
                continue;
            }

            readyCount++;
            var id = PeekFrameId(i);
            if (best < 0 || (oldest ? id < frameId : id > frameId))
            {
                best = i;
                frameId = id;
            }
        }

        return best;
    }

    /// <summary>
    /// Producer step 1: when <paramref name="queueDepth"/> or more slots are READY, reclaim the
    /// oldest READY one (a drop); otherwise take a FREE one. Returns the slot now in WRITING,
    /// or -1 when neither succeeded (the producer skips; it never waits).
    /// </summary>
    public int BeginWrite(int queueDepth, out bool reclaimed)
    {
        reclaimed = false;
        var oldest = FindReady(oldest: true, out var ready, out _);
        if (ready >= queueDepth && oldest >= 0 && TryTransition(oldest, SlotState.Ready, SlotState.Writing))
        {
            reclaimed = true;
            return OpenPayload(oldest);
        }

        for (var i = 0; i < Count; i++)
        {
            if (LoadState(i) == (uint)SlotState.Free && TryTransition(i, SlotState.Free, SlotState.Writing))
            {
                return OpenPayload(i);
            }
        }

        return -1;
    }

    /// <summary>
    /// Producer step 3 (after the payload is written): generation even again, then a release
    /// store of READY.
    /// </summary>
    public void Publish(int index)
    {
        ref var generation = ref GenerationRef(index);
        Volatile.Write(ref generation, generation + 1);
        Store(index, SlotState.Ready);
    }

    /// <summary>
    /// Consumer steps 1-2: picks the oldest (frames) or newest (results) READY slot and CASes
    /// it to READING, picking again if the producer reclaimed it meanwhile. Returns -1 when
    /// none is READY.
    /// </summary>
    /// <remarks>
    /// The choice reads <c>frame_id</c> before the CAS, so the CAS alone is not enough: between
    /// the two the producer can reclaim the slot and republish a newer frame into it (ABA), and
    /// the CAS then succeeds on a frame that is not the one chosen while an older one is still
    /// READY. So after the CAS the id is read again; if it changed, the slot is handed back
    /// (READING -> READY, a release store on a slot this side owns; the producer sees an
    /// ordinary READY slot) and the choice is made again.
    /// <para>Nor is the scan a snapshot: it can pass a slot while the producer is still writing
    /// frame N there, and find frame N + 1 READY in a later slot once both are published. So
    /// oldest-first also looks again, after the CAS, for a READY slot with a smaller id, and
    /// hands the slot back if there is one. That second look cannot miss: a frame older than the
    /// claimed one was published before it and leaves READY only when this side takes it or the
    /// producer reclaims it (a drop, replaced by a newer id).</para>
    /// </remarks>
    public int BeginRead(bool oldest)
    {
        // Each retry means the producer published meanwhile; the bound keeps a misbehaving
        // peer from spinning us forever (the caller then waits and looks again).
        for (var attempt = 0; attempt < 4 * Count; attempt++)
        {
            var index = FindReady(oldest, out _, out var chosenId);
            if (index < 0)
            {
                return -1;
            }

            if (!TryTransition(index, SlotState.Ready, SlotState.Reading))
            {
                continue;
            }

            if (PeekFrameId(index) != chosenId || (oldest && HasOlderReady(chosenId)))
            {
                Store(index, SlotState.Ready);
                continue;
            }

            return index;
        }

        return -1;
    }

    /// <summary>Whether some READY slot holds a frame older than <paramref name="frameId"/>.</summary>
    private bool HasOlderReady(ulong frameId)
    {
        for (var i = 0; i < Count; i++)
        {
            if (LoadState(i) == (uint)SlotState.Ready && PeekFrameId(i) < frameId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Re-reads <c>generation</c> after the payload was read, with a full fence so that the
    /// payload reads cannot move after it.
    /// </summary>
    public uint ReloadGeneration(int index)
    {
        Interlocked.MemoryBarrier();
        return LoadGeneration(index);
    }

    /// <summary>Producer step 2: <c>generation</c> becomes odd (the next odd value) before any payload write.</summary>
    private int OpenPayload(int index)
    {
        ref var generation = ref GenerationRef(index);
        var odd = (Volatile.Read(ref generation) + 1) | 1u;

        // Interlocked.Exchange is a full fence: the odd value is visible before any payload store.
        Interlocked.Exchange(ref generation, odd);
        return index;
    }
}
