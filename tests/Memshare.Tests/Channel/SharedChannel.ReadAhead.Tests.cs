using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Channel;

/// <summary>
/// Reading ahead: many messages looked at in place with their sequence numbers, consumed later in order; a
/// rewind starts again at the first unconsumed one; a reader that closes without advancing loses nothing;
/// sequences stay right across the ring's end.
/// </summary>
public sealed class SharedChannelReadAheadTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void TryReadAhead_ThenAdvance_ConsumesOnlyTheOldest()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name());
        using SharedChannelWriter writer = channel.CreateWriter();
        for (byte i = 0; i < 10; i++)
        {
            Assert.True(writer.TryWrite([i, i]));
        }

        using (SharedChannelReader reader = channel.CreateReader())
        {
            for (long i = 0; i < 10; i++)
            {
                Assert.True(reader.TryReadAhead(out ReadOnlySpan<byte> message, out long sequence));
                Assert.Equal(i, sequence);
                Assert.Equal([(byte)i, (byte)i], message.ToArray());
            }

            Assert.False(reader.TryReadAhead(out _, out _));
            reader.AdvanceReadAhead(4);
            Assert.Throws<ArgumentOutOfRangeException>(() => reader.AdvanceReadAhead(7));
            reader.RewindReadAhead();
            Assert.True(reader.TryReadAhead(out _, out long again));
            Assert.Equal(4, again);
        }

        // Closed without advancing past 4: a new reader starts there.
        using SharedChannelReader next = channel.CreateReader();
        Assert.True(next.TryReadAhead(out ReadOnlySpan<byte> first, out long firstSequence));
        Assert.Equal(4, firstSequence);
        Assert.Equal([4, 4], first.ToArray());
    }

    [Fact]
    public void ReadAhead_AcrossManyLapsOfASmallRing_KeepsSequencesAndBytes()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelWriter writer = channel.CreateWriter();
        using SharedChannelReader reader = channel.CreateReader();
        long written = 0, read = 0;
        var random = new Random(12);
        byte[] buffer = new byte[2032];
        while (read < 20_000)
        {
            while (written < 20_000)
            {
                int length = random.Next(0, 700);
                buffer.AsSpan(0, length).Fill((byte)written);
                if (!writer.TryWrite(buffer.AsSpan(0, length)))
                {
                    break;
                }

                written++;
            }

            int ahead = 0;
            while (reader.TryReadAhead(out ReadOnlySpan<byte> message, out long sequence))
            {
                Assert.Equal(read + ahead, sequence);
                Assert.Equal(-1, message.IndexOfAnyExcept((byte)sequence));
                ahead++;
            }

            reader.AdvanceReadAhead(ahead);
            read += ahead;
        }

        Assert.Equal(20_000, channel.MessagesWritten);
    }

    public void Dispose() => _scope.Dispose();
}
