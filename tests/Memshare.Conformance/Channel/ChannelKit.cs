using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Memshare.Conformance.Channel;

/// <summary>Reads a channel's shared state for the channel tests; driving child processes is <see cref="ChannelScript"/>'s job.</summary>
internal static class ChannelKit
{
    // Offsets from docs/format.md ("Channel"): the tests read the documented format through a raw read-only view,
    // the way a peer in another language would, so they check the same bytes on every OS.
    private const int WriterLine = 256;      // Position u64, Messages u64
    private const int WriterLockLine = 384;  // owner token u64, Recoveries u64
    private const int ReadersOffset = 768;   // reader i at 768 + 128 i: Position u64
    private const int ReaderStride = 128;
    private const int SaltOffset = 24;       // RegionHeader.Fingerprint holds a channel's Salt
    private const int PaddingLength = -1;

    /// <summary>The writer position that the channel publishes (the end of the last committed record).</summary>
    public static long WriterPosition(SharedChannel channel) => ReadLong(channel, WriterLine);

    /// <summary>Reader <paramref name="index"/>'s durable position (the next record it will read).</summary>
    public static long ReaderPosition(SharedChannel channel, int index) => ReadLong(channel, ReadersOffset + (ReaderStride * index));

    /// <summary>The writer lock word (0: free; otherwise the holder's owner token) and the times it was taken from a dead owner.</summary>
    public static (ulong Word, long Recoveries) WriterLock(SharedChannel channel) =>
        ((ulong)ReadLong(channel, WriterLockLine), ReadLong(channel, WriterLockLine + 8));

    /// <summary>
    /// The sequence number of the first message reader <paramref name="index"/> has not consumed, read from its
    /// durable position in the ring without attaching (skipping a padding record), or the channel's message count if
    /// that record is not committed yet.
    /// </summary>
    public static long FirstUnconsumedSequence(SharedChannel channel, int index)
    {
        using SharedMemory raw = RawView(channel);
        long position = Read<long>(raw, ReadersOffset + (ReaderStride * index));
        ulong salt = Read<ulong>(raw, SaltOffset);
        int dataOffset = DataOffset(channel);
        long mask = channel.Capacity - 1;
        for (int hop = 0; hop < 2; hop++)
        {
            int record = dataOffset + (int)(position & mask); // Length i32, Sequence u32, Tag u64
            if (Read<ulong>(raw, record + 8) != ((ulong)position ^ salt))
            {
                break;
            }

            if (Read<int>(raw, record) != PaddingLength)
            {
                return Read<uint>(raw, record + 4);
            }

            position += channel.Capacity - (position & mask);
        }

        return channel.MessagesWritten;
    }

    /// <summary>Whether the record at ring <paramref name="position"/> is committed (its tag matches), and the sequence number its header holds.</summary>
    public static (bool Committed, uint Sequence) RecordAt(SharedChannel channel, long position)
    {
        using SharedMemory raw = RawView(channel);
        int record = DataOffset(channel) + (int)(position & (channel.Capacity - 1));
        return (Read<ulong>(raw, record + 8) == ((ulong)position ^ Read<ulong>(raw, SaltOffset)), Read<uint>(raw, record + 4));
    }

    /// <summary>Where the ring starts: the reader lines rounded up to a page.</summary>
    private static int DataOffset(SharedChannel channel) => (ReadersOffset + (ReaderStride * channel.MaxReaders) + 4095) & ~4095;

    private static long ReadLong(SharedChannel channel, int offset)
    {
        using SharedMemory raw = RawView(channel);
        return Read<long>(raw, offset);
    }

    private static SharedMemory RawView(SharedChannel channel) =>
        SharedMemory.OpenExisting(channel.Name, new SharedMemoryOptions { Access = SharedMemoryAccess.Read });

    private static T Read<T>(SharedMemory raw, int offset)
        where T : unmanaged =>
        MemoryMarshal.Read<T>(raw.GetReadOnlySpan(offset, Unsafe.SizeOf<T>()));
}
