using System.Runtime.InteropServices;
using Memshare.Layout;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Channel;

/// <summary>
/// Overrun bookkeeping from the inside: the reader line's NextSequence (docs/format.md, "Reader") is where the
/// lost-message count of a reader index survives its process. The black-box re-attach tests are in the conformance
/// suite (SharedChannel.Broadcast.Tests.cs).
/// </summary>
public sealed unsafe class SharedChannelOverrunTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void ReaderLine_NextSequence_SitsAtOffset32WithinTheLine()
    {
        Assert.Equal(32, (int)Marshal.OffsetOf<ChannelReaderState>(nameof(ChannelReaderState.NextSequence)));
        Assert.Equal(40, sizeof(ChannelReaderState));
        Assert.True(sizeof(ChannelReaderState) <= ChannelLayout.ReaderStride);
    }

    [Fact]
    public void TryRead_Overrun_PublishesTheNextSequenceWithThePosition()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(),
            new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast, MaxReaders = 2, Overflow = ChannelOverflow.Overrun });
        using SharedChannelWriter writer = channel.CreateWriter();
        Assert.True(writer.TryWrite(new byte[10])); // before reader 1 attaches: not its business
        using SharedChannelReader reader = channel.CreateReader(1);
        Assert.Equal(1, Volatile.Read(ref channel.Reader(1)->NextSequence)); // a fresh index expects the writer's count
        for (int k = 0; k < 3; k++)
        {
            Assert.True(writer.TryWrite(new byte[10]));
        }

        byte[] buffer = new byte[channel.MaxMessageLength];
        Assert.True(reader.TryRead(buffer, out _));
        Assert.True(reader.TryRead(buffer, out _));
        Assert.Equal(3, Volatile.Read(ref channel.Reader(1)->NextSequence));
        Assert.Equal(0, reader.LostMessages);
    }

    [Fact]
    public void CreateReader_SavedNextSequenceBehindTheRing_CountsTheGapOnTheFirstRead()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(),
            new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast, MaxReaders = 1, Overflow = ChannelOverflow.Overrun });
        using SharedChannelWriter writer = channel.CreateWriter();
        using (SharedChannelReader first = channel.CreateReader())
        {
        }

        for (int k = 0; k < 1000; k++)
        {
            Assert.True(writer.TryWrite(BitConverter.GetBytes((long)k)));
        }

        using SharedChannelReader reader = channel.CreateReader();
        byte[] buffer = new byte[channel.MaxMessageLength];
        Assert.True(reader.TryRead(buffer, out _));
        long key = BitConverter.ToInt64(buffer);
        Assert.True(key > 100, $"read message {key}: the writer did not lap the reader");
        Assert.Equal(key, reader.LostMessages); // messages 0 .. key - 1 were never read by this index
    }

    public void Dispose() => _scope.Dispose();
}
