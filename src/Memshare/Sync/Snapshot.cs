using System.Buffers.Binary;
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
internal readonly unsafe struct Snapshot : ISnapshotSource
{
    private readonly byte* _base;
    private readonly SnapshotShape _shape;

    internal Snapshot(byte* regionBase, in SnapshotShape shape)
    {
        _base = regionBase;
        _shape = shape;
    }

    private ref SnapshotHeader Header => ref Unsafe.AsRef<SnapshotHeader>(_base + SnapshotHeader.Offset);

    /// <summary>Completed writes so far.</summary>
    internal ulong Version => Volatile.Read(ref Header.Sequence);

    /// <summary>Writers that died holding the lock and were recovered from.</summary>
    internal ulong Recoveries => Volatile.Read(ref Header.Recoveries);

    internal byte* Slot(ulong sequence) => _base + _shape.HeaderSize + ((int)(sequence & 1) * _shape.Stride);

    /// <summary>Reads the current payload until the copy is untorn; see <see cref="Read{TSource}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal SnapshotReadStatus Read(Span<byte> destination, out ulong sequence, out int length) =>
        Read(in this, _shape, destination, int.MaxValue, out sequence, out length);

    /// <summary>
    /// The reader protocol, written once for the live mapping and for the inspector's file reads: read the
    /// sequence s, copy slot s&amp;1 (for a string, its length and then that many bytes), full barrier, read the
    /// sequence again, and accept only if unchanged; otherwise spin and retry, at most <paramref name="attempts"/> times.
    /// </summary>
    /// <param name="source">Where the bytes are: the mapping (always readable) or a file that may end early.</param>
    /// <param name="shape">Where the slots are, and what they hold.</param>
    /// <param name="destination">Receives the value, or the string's bytes (at most its length).</param>
    /// <param name="attempts">How many torn copies to tolerate before giving up.</param>
    /// <param name="sequence">The write count the copy belongs to.</param>
    /// <param name="length">Bytes the slot holds: the value's size, or the string's stored length.</param>
    internal static SnapshotReadStatus Read<TSource>(in TSource source, in SnapshotShape shape, Span<byte> destination, int attempts, out ulong sequence, out int length)
        where TSource : struct, ISnapshotSource
    {
        Span<byte> prefix = stackalloc byte[StringLayout.LengthPrefix];
        var spinner = default(SpinWait);
        length = 0;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            if (!source.TryReadSequence(out sequence))
            {
                return SnapshotReadStatus.Unreadable;
            }

            long slot = shape.HeaderSize + ((long)(sequence & 1) * shape.Stride);
            bool plausible = true;
            if (shape.LengthPrefixed)
            {
                if (!source.TryCopy(slot, prefix))
                {
                    return SnapshotReadStatus.Unreadable;
                }

                length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
                plausible = (uint)length <= (uint)shape.Capacity;
                slot += StringLayout.LengthPrefix;
            }
            else
            {
                length = shape.Capacity;
            }

            if (plausible && !source.TryCopy(slot, destination[..Math.Min(length, destination.Length)]))
            {
                return SnapshotReadStatus.Unreadable;
            }

            Interlocked.MemoryBarrier(); // orders the copy before the re-read; pairs with EndWrite's exchange
            if (source.TryReadSequence(out ulong again) && again == sequence)
            {
                return plausible ? SnapshotReadStatus.Copied : SnapshotReadStatus.BadLength;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        sequence = 0;
        return SnapshotReadStatus.Torn;
    }

    /// <inheritdoc/>
    public bool TryReadSequence(out ulong sequence)
    {
        sequence = Volatile.Read(ref Header.Sequence);
        return true;
    }

    /// <inheritdoc/>
    public bool TryCopy(long offset, Span<byte> destination)
    {
        BulkCopy.Copy(new ReadOnlySpan<byte>(_base + offset, destination.Length), destination); // in bounds: the header was validated
        return true;
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

/// <summary>Where a double buffer's bytes are read from: the live mapping, or a region's backing file (the inspector).</summary>
internal interface ISnapshotSource
{
    /// <summary>Reads <see cref="SnapshotHeader.Sequence"/> (a volatile read on a mapping); false if the file ends first.</summary>
    bool TryReadSequence(out ulong sequence);

    /// <summary>Copies <c>destination.Length</c> bytes from <paramref name="offset"/> in the region; false if it ends first.</summary>
    bool TryCopy(long offset, Span<byte> destination);
}

/// <summary>Where a double buffer's slots are and what they hold (<see cref="ValueLayout"/>, <see cref="StringLayout"/>).</summary>
/// <param name="HeaderSize">Offset of slot 0.</param>
/// <param name="Stride">Bytes from slot 0 to slot 1.</param>
/// <param name="Capacity">A value's size, or a string's capacity in bytes.</param>
/// <param name="LengthPrefixed">True for a string: each slot starts with its length.</param>
internal readonly record struct SnapshotShape(int HeaderSize, int Stride, int Capacity, bool LengthPrefixed);

/// <summary>How <see cref="Snapshot.Read{TSource}"/> ended.</summary>
internal enum SnapshotReadStatus
{
    /// <summary>An untorn copy.</summary>
    Copied,

    /// <summary>Writers kept publishing for all the attempts allowed.</summary>
    Torn,

    /// <summary>The file ended before the header or the slot.</summary>
    Unreadable,

    /// <summary>An untorn read found a string length beyond the capacity: the region is corrupt.</summary>
    BadLength,
}
