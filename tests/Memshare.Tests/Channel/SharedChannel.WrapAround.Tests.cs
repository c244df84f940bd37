using Memshare.Layout;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Channel;

/// <summary>
/// Records that start at every 16-byte offset of a 4 KiB ring and end just before, exactly at and just after the
/// ring's end (where the writer must pad to the end and start again at offset 0), written and read through every
/// API, arrive intact; the published writer and reader positions move exactly as the layout says.
/// </summary>
public sealed class SharedChannelWrapAroundTests : IDisposable
{
    private const int Capacity = 4096;

    private readonly ShmScope _scope = new();

    private enum WriteApi
    {
        TryWrite,
        ClaimCommit,
        ClaimMoreCommitLength,
    }

    [Fact]
    public void Records_AtEveryOffsetEndingBeforeAtAndAfterRingEnd_ArriveIntactAndPositionsFollowLayout()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = Capacity });
        using SharedChannelWriter writer = channel.CreateWriter();
        using SharedChannelReader reader = channel.CreateReader();
        int max = channel.MaxMessageLength;
        Assert.Equal(2032, max);
        var model = new Model(channel, writer, reader);
        int cases = 0, padded = 0;

        for (int offset = 0; offset < Capacity; offset += ChannelLayout.RecordAlignment)
        {
            int toEnd = Capacity - offset;
            var lengths = new SortedSet<int> { 0, 1, 15, 16, max - 1, max };
            foreach (int size in new[] { toEnd - 16, toEnd, toEnd + 16 })
            {
                // Two lengths per record size: a multiple of 16 and the shortest that rounds up to the same size.
                foreach (int length in new[] { size - 16, size - 31 })
                {
                    if (length >= 0 && length <= max)
                    {
                        lengths.Add(length);
                    }
                }
            }

            foreach (int length in lengths)
            {
                foreach (WriteApi api in Enum.GetValues<WriteApi>())
                {
                    model.MoveTo(offset);
                    padded += model.Write(length, api) ? 1 : 0;
                    model.Follow(); // a record right behind it, wherever it ended
                    model.ReadAll(inPlace: (cases & 1) == 1);
                    cases++;
                }
            }
        }

        Assert.True(cases > 256 * 3 * 6, $"{cases} cases");
        Assert.True(padded > 256, $"{padded} padded");
        Assert.False(reader.TryRead(new byte[max], out _));
    }

    [Fact]
    public void Commit_ShorterThanClaimAcrossRingEnd_PadsForTheClaimAndPublishesTheShortRecord()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = Capacity });
        using SharedChannelWriter writer = channel.CreateWriter();
        using SharedChannelReader reader = channel.CreateReader();
        var model = new Model(channel, writer, reader);

        // 64 bytes before the end: a claim of the maximum does not fit there, so the writer pads and claims at 0;
        // committing 10 bytes of it publishes a 32-byte record at 0, and the next record follows it.
        model.MoveTo(Capacity - 64);
        Assert.True(model.Write(10, WriteApi.ClaimMoreCommitLength, claim: channel.MaxMessageLength));
        Assert.Equal(Capacity + 32, ChannelKit.WriterPosition(channel));
        model.Write(0, WriteApi.ClaimCommit);
        model.ReadAll(inPlace: true);
        Assert.Equal(Capacity + 48, ChannelKit.ReaderPosition(channel, 0));
    }

    public void Dispose() => _scope.Dispose();

    /// <summary>Writes and reads through the channel while predicting its positions from the layout.</summary>
    private sealed class Model(SharedChannel channel, SharedChannelWriter writer, SharedChannelReader reader)
    {
        private readonly Queue<(long Key, int Length)> _pending = new();
        private readonly byte[] _buffer = new byte[Capacity];
        private long _tail;
        private long _head;
        private long _key;

        /// <summary>Writes a 7-byte record; if the ring has no room for it, first checks that TryWrite says so and drains.</summary>
        public void Follow()
        {
            long at = _tail & (Capacity - 1);
            int size = ChannelLayout.RecordSize(7);
            long end = _tail + (Capacity - at < size ? Capacity - at : 0) + size;
            if (end - _head > Capacity)
            {
                Assert.False(writer.TryWrite(new byte[7]), $"wrote past the reader at {_head} (tail {_tail})");
                ReadAll(inPlace: false);
            }

            Write(7, WriteApi.TryWrite);
        }

        /// <summary>Writes and reads filler records until the next record would start at <paramref name="offset"/>.</summary>
        public void MoveTo(int offset)
        {
            while ((_tail & (Capacity - 1)) != offset)
            {
                long at = _tail & (Capacity - 1);
                long gap = offset > at ? offset - at : Capacity - at; // up to the target, or first up to the end exactly
                int size = (int)Math.Min(gap, ChannelLayout.RecordSize(channel.MaxMessageLength));
                Assert.False(Write(size - ChannelLayout.RecordHeaderSize, WriteApi.TryWrite)); // never needs padding
                ReadAll(inPlace: false);
            }
        }

        /// <summary>Writes one record of <paramref name="length"/> bytes; returns whether the writer had to pad the ring's end.</summary>
        public bool Write(int length, WriteApi api, int claim = -1)
        {
            long key = _key++;
            byte[] message = ChannelScript.MessageOf(key, length);
            claim = api == WriteApi.ClaimMoreCommitLength && claim < 0 ? Math.Min(length + 40, channel.MaxMessageLength) : claim < 0 ? length : claim;
            switch (api)
            {
                case WriteApi.TryWrite:
                    Assert.True(writer.TryWrite(message));
                    break;
                default:
                    Assert.True(writer.TryClaim(claim, out Span<byte> buffer), $"claim {claim} for {length} at {_tail}");
                    Assert.Equal(claim, buffer.Length);
                    message.CopyTo(buffer);
                    if (api == WriteApi.ClaimCommit)
                    {
                        writer.Commit();
                    }
                    else
                    {
                        writer.Commit(length);
                    }

                    break;
            }

            // The record (sized for the claim when deciding) never straddles the end: padding fills the rest first.
            long at = _tail & (Capacity - 1);
            bool pad = Capacity - at < ChannelLayout.RecordSize(claim);
            _tail += (pad ? Capacity - at : 0) + ChannelLayout.RecordSize(length);
            Assert.Equal(_tail, ChannelKit.WriterPosition(channel));
            _pending.Enqueue((key, length));
            return pad;
        }

        /// <summary>Reads everything written, with TryRead or TryPeek+Advance, checking each message's bytes.</summary>
        public void ReadAll(bool inPlace)
        {
            while (_pending.TryDequeue(out (long Key, int Length) next))
            {
                byte[] expected = ChannelScript.MessageOf(next.Key, next.Length);
                if (inPlace)
                {
                    Assert.True(reader.TryPeek(out ReadOnlySpan<byte> message));
                    Assert.True(message.SequenceEqual(expected), $"message {next.Key} ({next.Length} bytes) differs");
                    Assert.True(reader.TryPeek(out ReadOnlySpan<byte> again)); // peeking twice sees the same message
                    Assert.Equal(next.Length, again.Length);
                    reader.Advance();
                }
                else
                {
                    Assert.True(reader.TryRead(_buffer, out int length));
                    Assert.True(_buffer.AsSpan(0, length).SequenceEqual(expected), $"message {next.Key} ({next.Length} bytes, got {length}) differs");
                }
            }

            Assert.False(reader.TryPeek(out _));
            Assert.Equal(_tail, ChannelKit.ReaderPosition(channel, 0));
            _head = _tail;
        }
    }
}
