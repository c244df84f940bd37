using Memshare.Layout;

namespace Memshare.Sync;

/// <summary>
/// Untorn reads and crash-safe writes of a payload kept in two slots (a double-buffered seqlock).
/// </summary>
/// <remarks>
/// <para><b>Write</b> (under <see cref="RobustLock"/>): read <c>Sequence</c> = s, fill slot (s+1)&amp;1, then
/// publish s+1 with <see cref="Interlocked.Exchange(ref ulong, ulong)"/>. That full fence orders the slot's
/// bytes before the new sequence, and the next writer's bytes after it. A writer killed at any instant has
/// touched only the unpublished slot, so readers keep seeing the previous value and the next writer simply
/// overwrites the half-written slot.</para>
/// <para><b>Read</b>: read s with <see cref="Volatile.Read(ref readonly ulong)"/>, copy slot s&amp;1, full barrier,
/// read the sequence again; accept only if unchanged. A writer can touch slot s&amp;1 only after publishing s+1,
/// so an unchanged sequence proves the copy was not written under us. Readers never block writers.</para>
/// <para>Callers never hand out a reference into a slot for synchronised access: copy in, copy out.</para>
/// </remarks>
internal readonly unsafe struct Snapshot
{
    private readonly byte* _base;
    private readonly int _headerSize;
    private readonly int _stride;

    internal Snapshot(byte* regionBase, int headerSize, int stride)
    {
        _base = regionBase;
        _headerSize = headerSize;
        _stride = stride;
    }

    private ref SnapshotHeader Header => ref Unsafe.AsRef<SnapshotHeader>(_base + SnapshotHeader.Offset);

    /// <summary>Completed writes so far.</summary>
    internal ulong Version => Volatile.Read(ref Header.Sequence);

    /// <summary>Writers that died holding the lock and were recovered from.</summary>
    internal ulong Recoveries => Volatile.Read(ref Header.Recoveries);

    internal byte* Slot(ulong sequence) => _base + _headerSize + ((int)(sequence & 1) * _stride);

    /// <summary>Starts a read: returns the sequence to pass to <see cref="EndRead"/> and the slot to copy from.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong BeginRead(out byte* slot)
    {
        ulong s = Volatile.Read(ref Header.Sequence);
        slot = Slot(s);
        return s;
    }

    /// <summary>True if nothing was published since <see cref="BeginRead"/>, so the copy is untorn.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool EndRead(ulong sequence)
    {
        Interlocked.MemoryBarrier(); // orders the copy before the re-read; pairs with EndWrite's exchange
        return Volatile.Read(ref Header.Sequence) == sequence;
    }

    /// <summary>
    /// Takes the writer lock and returns the spare slot to fill. <paramref name="recovered"/> is true if the
    /// lock was taken over from a writer that died holding it. Follow with <see cref="EndWrite"/> or
    /// <see cref="AbortWrite"/>.
    /// </summary>
    internal ulong BeginWrite(string name, out byte* spare, out bool recovered)
    {
        ref SnapshotHeader h = ref Header;
        recovered = RobustLock.Acquire(ref h.WriterLock, name);
        if (recovered)
        {
            Interlocked.Increment(ref h.Recoveries);
        }

        ulong s = Volatile.Read(ref h.Sequence);
        spare = Slot(s + 1);
        return s;
    }

    /// <summary>Publishes the spare slot and releases the writer lock.</summary>
    internal void EndWrite(ulong sequence)
    {
        ref SnapshotHeader h = ref Header;
        Interlocked.Exchange(ref h.Sequence, sequence + 1); // full fence: the slot's bytes become visible first
        RobustLock.Release(ref h.WriterLock);
    }

    /// <summary>Releases the writer lock without publishing.</summary>
    internal void AbortWrite() => RobustLock.Release(ref Header.WriterLock);
}
