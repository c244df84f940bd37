using System.Buffers.Binary;
using Memshare.Layout;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Channel;

/// <summary>
/// Checkpoints committed with messages: the newest message's checkpoint is found again by a new writer (as after a
/// crash), a message without one hides the older one, a slot filled for a record never committed is not mistaken
/// for the next record's, and the bytes sit where docs/format.md says.
/// </summary>
public sealed class SharedChannelCheckpointTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void TryGetCheckpoint_AfterWriterReopens_ReturnsNewestMessagesCheckpoint()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name());
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            Assert.False(writer.TryGetCheckpoint(out _));
            for (long i = 0; i < 1000; i++)
            {
                Assert.True(writer.TryWrite([(byte)i], 5000 + i) || Drain(channel));
            }

            Assert.True(writer.TryGetCheckpoint(out long checkpoint));
            Assert.Equal(5999, checkpoint);
        }

        using SharedChannelWriter again = channel.CreateWriter();
        Assert.True(again.TryGetCheckpoint(out long found));
        Assert.Equal(5999, found);
    }

    [Fact]
    public async Task WriteAsync_WaitsForRoom_ThenCommitsWithCheckpoint()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelWriter writer = channel.CreateWriter();
        using SharedChannelReader reader = channel.CreateReader();
        byte[] message = new byte[1000];
        while (writer.TryWrite(message, 1))
        {
        }

        ValueTask pending = writer.WriteAsync(message, 42);
        Assert.False(pending.IsCompleted);
        Assert.True(reader.TryRead(new byte[2032], out _));
        await pending.AsTask().WaitAsync(ChannelScript.Deadline);

        Assert.True(writer.TryGetCheckpoint(out long checkpoint));
        Assert.Equal(42, checkpoint);
    }

    [Fact]
    public void MessageWithoutCheckpoint_HidesTheOlderOne()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name());
        using SharedChannelWriter writer = channel.CreateWriter();
        Assert.True(writer.TryWrite([1], 7));
        Assert.True(writer.TryWrite([2]));

        Assert.False(writer.TryGetCheckpoint(out _));
    }

    [Fact]
    public unsafe void SlotFilledForARecordNeverCommitted_IsNotTakenAsTheNextRecordsCheckpoint()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name());
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            Assert.True(writer.TryWrite([1], 7));
        }

        // A writer that died after filling the slot for record 1 but before committing it.
        ChannelCheckpoint* slots = (ChannelCheckpoint*)(channel.Base + ChannelLayout.CheckpointsOffset);
        slots[1].Value = 999;
        slots[1].Count = 2;

        using SharedChannelWriter next = channel.CreateWriter();
        Assert.True(next.TryGetCheckpoint(out long before));
        Assert.Equal(7, before);
        Assert.True(next.TryWrite([2])); // record 1, without a checkpoint
        Assert.False(next.TryGetCheckpoint(out _));
    }

    [Fact]
    public unsafe void CheckpointSlots_SitWhereFormatSays()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name());
        using SharedChannelWriter writer = channel.CreateWriter();
        Assert.True(writer.TryWrite([1], 0x1111));
        Assert.True(writer.TryWrite([2], 0x2222));
        var bytes = new ReadOnlySpan<byte>(channel.Base, 768);

        Assert.Equal(320, ChannelLayout.CheckpointsOffset);
        Assert.Equal(1, BinaryPrimitives.ReadInt64LittleEndian(bytes[320..])); // slot 0: record 0, Count = 1
        Assert.Equal(0x1111, BinaryPrimitives.ReadInt64LittleEndian(bytes[328..]));
        Assert.Equal(2, BinaryPrimitives.ReadInt64LittleEndian(bytes[336..])); // slot 1: record 1, Count = 2
        Assert.Equal(0x2222, BinaryPrimitives.ReadInt64LittleEndian(bytes[344..]));
        Assert.Equal(-1, bytes[292..320].IndexOfAnyExcept((byte)0));
        Assert.Equal(-1, bytes[352..384].IndexOfAnyExcept((byte)0));
    }

    public void Dispose() => _scope.Dispose();

    private static bool Drain(SharedChannel channel)
    {
        using SharedChannelReader reader = channel.CreateReader();
        while (reader.TryRead(new byte[channel.MaxMessageLength], out _))
        {
        }

        return true;
    }
}
