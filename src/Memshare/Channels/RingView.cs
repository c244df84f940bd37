using System.Diagnostics.CodeAnalysis;
using Memshare.Layout;

namespace Memshare.Channels;

/// <summary>
/// A channel's mapped bytes seen as a ring of records (docs/format.md, "Channel"): where each field lives, and
/// the record rules written once: what a committed record at a position is, and the scan over committed records
/// that a writer which died may have left unpublished. Every length read from the ring is checked against the
/// ring before it is used, so a corrupt value never leads outside the mapping.
/// </summary>
internal readonly unsafe struct RingView
{
    internal RingView(byte* regionBase, in ChannelGeometry geometry, ulong salt, string name)
    {
        Base = regionBase;
        Data = regionBase + ChannelLayout.DataOffset(geometry.MaxReaders);
        Capacity = geometry.Capacity;
        Mask = geometry.Capacity - 1;
        MaxMessage = geometry.MaxMessage;
        MaxReaders = geometry.MaxReaders;
        Salt = salt;
        Name = name;
    }

    /// <summary>A record's length when the record at a position is not committed (or is an older lap's).</summary>
    internal const int NotCommitted = -1;

    /// <summary>A record's length when its tag is valid but its length cannot be right (corrupt, or being overwritten).</summary>
    internal const int Invalid = -2;

    internal byte* Base { get; }

    internal byte* Data { get; }

    internal int Capacity { get; }

    internal long Mask { get; }

    internal int MaxMessage { get; }

    internal int MaxReaders { get; }

    internal ulong Salt { get; }

    internal string Name { get; }

    internal ChannelWriterState* Writer => (ChannelWriterState*)(Base + ChannelLayout.WriterLine);

    internal ulong* WriterLock => (ulong*)(Base + ChannelLayout.WriterLockLine);

    internal ChannelReaderState* Reader(int index) => (ChannelReaderState*)(Base + ChannelLayout.ReadersOffset + (index * ChannelLayout.ReaderStride));

    internal WaitWord* Wait(int line) => (WaitWord*)(Base + line);

    internal ChannelCheckpoint* Checkpoint(long sequence) => (ChannelCheckpoint*)(Base + ChannelLayout.CheckpointsOffset) + (sequence & 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal RecordHeader* Header(long position) => (RecordHeader*)(Data + (position & Mask));

    /// <summary>
    /// The committed record at <paramref name="position"/>, moved past a committed padding record: its payload
    /// length (checked to lie within the ring), <see cref="NotCommitted"/> or <see cref="Invalid"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Next(ref long position, out RecordHeader* header)
    {
        while (true)
        {
            long offset = position & Mask;
            header = (RecordHeader*)(Data + offset);
            if (Volatile.Read(ref header->Tag) != ((ulong)position ^ Salt)) // acquire: pairs with the commit's release store
            {
                return NotCommitted;
            }

            int length = header->Length;
            if (length == ChannelLayout.PaddingLength)
            {
                position += Capacity - offset;
                continue;
            }

            return (uint)length <= (uint)MaxMessage && offset + ChannelLayout.RecordSize(length) <= Capacity ? length : Invalid;
        }
    }

    /// <summary>
    /// The recovery scan: moves <paramref name="position"/> past every committed record from there on (a writer
    /// that died after committing but before publishing leaves such records), keeping <paramref name="sequence"/>
    /// in step: each record holds the low 32 bits of its number, and the full one is the nearest to the count so
    /// far. Bounded by one lap, so a corrupt ring cannot make it loop. False if it stopped at a committed record
    /// whose length cannot be right.
    /// </summary>
    internal bool ScanCommitted(ref long position, ref long sequence)
    {
        for (long scanned = 0; scanned < Capacity;)
        {
            long offset = position & Mask;
            RecordHeader* header = (RecordHeader*)(Data + offset);
            if (Volatile.Read(ref header->Tag) != ((ulong)position ^ Salt))
            {
                return true;
            }

            int length = header->Length;
            long size;
            if (length == ChannelLayout.PaddingLength)
            {
                size = Capacity - offset;
            }
            else if ((uint)length <= (uint)MaxMessage && offset + ChannelLayout.RecordSize(length) <= Capacity)
            {
                size = ChannelLayout.RecordSize(length);
                sequence += (int)(header->Sequence - (uint)sequence) + 1;
            }
            else
            {
                return false;
            }

            position += size;
            scanned += size;
        }

        return true;
    }

    /// <summary>The full sequence number of a record that holds <paramref name="low"/>: the one nearest <paramref name="near"/>.</summary>
    internal static long Sequence(uint low, long near) => near + (int)(low - (uint)near);

    /// <summary>Whether <paramref name="position"/> is one a record can start at.</summary>
    internal static bool IsRecordPosition(long position) => position >= 0 && (position & (ChannelLayout.RecordAlignment - 1)) == 0;

    /// <summary>Throws the typed error for a position or record that cannot be right.</summary>
    [DoesNotReturn]
    internal void ThrowCorrupt(string what) => ThrowHelper.ThrowFormat(Name, SR.BadHeaderField, Name, what);
}
