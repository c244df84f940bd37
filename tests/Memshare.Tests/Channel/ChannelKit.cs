using Memshare.Layout;

namespace Memshare.Tests.Channel;

/// <summary>Reads a channel's shared state for the channel tests; driving child processes is <see cref="ChannelScript"/>'s job.</summary>
internal static unsafe class ChannelKit
{
    /// <summary>The writer position that the channel publishes (the end of the last committed record).</summary>
    public static long WriterPosition(SharedChannel channel) => Volatile.Read(ref channel.Writer->Position);

    /// <summary>Reader <paramref name="index"/>'s durable position (the next record it will read).</summary>
    public static long ReaderPosition(SharedChannel channel, int index) => Volatile.Read(ref channel.Reader(index)->Position);

    /// <summary>The writer lock word (0: free; otherwise the holder's owner token) and the times it was taken from a dead owner.</summary>
    public static (ulong Word, long Recoveries) WriterLock(SharedChannel channel) =>
        (Volatile.Read(ref *channel.WriterLock), Volatile.Read(ref *(long*)(channel.WriterLock + 1)));

    /// <summary>
    /// The sequence number of the first message reader <paramref name="index"/> has not consumed, read from its
    /// durable position in the ring without attaching (skipping a padding record), or the channel's message count if
    /// that record is not committed yet.
    /// </summary>
    public static long FirstUnconsumedSequence(SharedChannel channel, int index)
    {
        long position = ReaderPosition(channel, index);
        for (int hop = 0; hop < 2; hop++)
        {
            var header = (RecordHeader*)(channel.Data + (position & channel.Mask));
            if (Volatile.Read(ref header->Tag) != ((ulong)position ^ channel.Salt))
            {
                break;
            }

            if (header->Length != ChannelLayout.PaddingLength)
            {
                return header->Sequence;
            }

            position += channel.Capacity - (position & channel.Mask);
        }

        return channel.MessagesWritten;
    }
}
