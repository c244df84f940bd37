using System.Buffers.Binary;

namespace Memshare.Tests.Nats;

/// <summary>
/// Test messages whose bytes say which message they are: message i is 8 to 2048 bytes (sizes mixed by a hash of
/// i), its index in the first 8 bytes and a pattern derived from i after, so a reader can tell a duplicate, a gap,
/// a reordering or a corrupted byte apart.
/// </summary>
internal static class BridgeTraffic
{
    public static int SizeOf(long i) => 8 + (int)((ulong)(i * 2654435761L) % 2041);

    public static void Fill(Span<byte> message, long i)
    {
        BinaryPrimitives.WriteInt64LittleEndian(message, i);
        for (int j = 8; j < message.Length; j++)
        {
            message[j] = (byte)((i * 31) + j);
        }
    }

    /// <summary>Writes messages 0 to <paramref name="count"/> − 1, waiting for room, then completes the channel.</summary>
    public static void WriteAll(SharedChannel channel, long count, CancellationToken cancellationToken)
    {
        using SharedChannelWriter writer = channel.CreateWriter();
        byte[] buffer = new byte[2048];
        for (long i = 0; i < count; i++)
        {
            Span<byte> message = buffer.AsSpan(0, SizeOf(i));
            Fill(message, i);
            writer.Write(message, cancellationToken);
        }

        writer.Complete();
    }

    /// <summary>The index a message carries, after checking its size and every byte; throws on a corrupt message.</summary>
    public static long Check(ReadOnlySpan<byte> message)
    {
        Assert.True(message.Length >= 8, $"a message of {message.Length} bytes is too short to carry an index");
        long i = BinaryPrimitives.ReadInt64LittleEndian(message);
        Assert.True(i >= 0 && message.Length == SizeOf(i), $"message {i} has {message.Length} bytes, expected {SizeOf(Math.Max(0, i))}");
        for (int j = 8; j < message.Length; j++)
        {
            if (message[j] != (byte)((i * 31) + j))
            {
                Assert.Fail($"message {i} byte {j} is {message[j]}, expected {(byte)((i * 31) + j)}");
            }
        }

        return i;
    }

    /// <summary>What a reader saw: messages, duplicates and gaps (an index more than one past the previous).</summary>
    public sealed class Tally
    {
        private long _next;

        public long Received { get; private set; }

        public long Duplicates { get; private set; }

        public long Gaps { get; private set; }

        /// <summary>Messages received in order so far (readable from another thread).</summary>
        public long Progress => Interlocked.Read(ref _next);

        public void Add(long i)
        {
            Received++;
            if (i < _next)
            {
                Duplicates++;
            }
            else
            {
                if (i > _next)
                {
                    Gaps++;
                }

                Interlocked.Exchange(ref _next, i + 1);
            }
        }

        public override string ToString() => $"received {Received}, in order up to {_next}, duplicates {Duplicates}, gaps {Gaps}";
    }

    /// <summary>Reads the channel until it is complete and drained (or <paramref name="cancellationToken"/>), checking every message.</summary>
    public static void ReadAll(SharedChannel channel, Tally tally, CancellationToken cancellationToken)
    {
        using SharedChannelReader reader = channel.CreateReader();
        byte[] buffer = new byte[channel.MaxMessageLength];
        while (true)
        {
            while (reader.TryRead(buffer, out int length))
            {
                tally.Add(Check(buffer.AsSpan(0, length)));
            }

            if (reader.WaitToRead(TimeSpan.FromMilliseconds(200), cancellationToken) == ChannelWaitResult.Completed)
            {
                if (!reader.TryRead(buffer, out int length))
                {
                    return;
                }

                tally.Add(Check(buffer.AsSpan(0, length)));
            }
        }
    }
}
