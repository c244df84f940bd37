using System.Globalization;
using System.Runtime.ExceptionServices;
using Memshare.Layout;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Memshare.Tests.Channel;

/// <summary>
/// Writer recovery from the inside (Linux): a dead writer's state planted in the control block is recovered by the
/// next writer's scan. The black-box crash tests (writers and readers killed mid-stream) are in the portable
/// conformance suite, tests/Memshare.Conformance/Channel.
/// </summary>
[Collection("Spinning")]
public sealed unsafe class SharedChannelCrashTests : IDisposable
{
    private readonly ShmScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedChannelCrashTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void CreateWriter_OwnerDiedAfterCommittingBeforePublishing_RecoveryScanSkipsCommittedRecordsAndPadding()
    {
        const int Capacity = 4096;
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = Capacity });
        using SharedChannelReader reader = channel.CreateReader();
        byte[] buffer = new byte[channel.MaxMessageLength];
        int[] lengths = [500, 500, 500, 500, 500, 100, 2000, 7];
        long rollBackTo, tailAfter;
        using (SharedChannelWriter first = channel.CreateWriter())
        {
            for (int k = 0; k < 5; k++)
            {
                Assert.True(first.TryWrite(ChannelScript.MessageOf(k, lengths[k])));
                Assert.True(reader.TryRead(buffer, out _));
            }

            // Message 5 ends 1328 bytes before the ring's end, so message 6 (a 2016-byte record) needs padding first.
            rollBackTo = ChannelKit.WriterPosition(channel);
            Assert.True(first.TryWrite(ChannelScript.MessageOf(5, lengths[5])));
            Assert.True(first.TryWrite(ChannelScript.MessageOf(6, lengths[6])));
            tailAfter = ChannelKit.WriterPosition(channel);
            Assert.Equal(Capacity + ChannelLayout.RecordSize(lengths[6]), tailAfter); // message 6 starts the second lap
        }

        // As if the writer had died after committing messages 5 and 6 (and the padding) but before publishing any:
        // the published position and count are older, and the role word names a process that no longer exists.
        channel.Writer->Position = rollBackTo;
        channel.Writer->Messages = 5;
        *channel.WriterLock = Memshare.Sync.OwnerToken.Make(0x3FFF_FFFF, 12345);
        long recoveries = ChannelKit.WriterLock(channel).Recoveries;

        using (SharedChannelWriter next = channel.CreateWriter())
        {
            Assert.Equal(tailAfter, ChannelKit.WriterPosition(channel));
            Assert.Equal(7, channel.MessagesWritten);
            Assert.Equal(recoveries + 1, ChannelKit.WriterLock(channel).Recoveries);
            Assert.True(next.TryWrite(ChannelScript.MessageOf(7, lengths[7])));
        }

        for (int k = 5; k < 8; k++)
        {
            Assert.True(reader.TryRead(buffer, out int length));
            Assert.True(buffer.AsSpan(0, length).SequenceEqual(ChannelScript.MessageOf(k, lengths[k])), $"message {k}");
        }

        Assert.False(reader.TryRead(buffer, out _));
    }

    [Theory]
    [InlineData(false)] // died after committing the record, before counting it
    [InlineData(true)]  // died after counting it, before publishing its position
    public void CreateWriter_RecoveryScanAcrossThe32BitSequenceWrap_KeepsTheMessageCount(bool counted)
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = 4096 });
        const long BeforeWrap = 0xFFFF_FFFF; // records carry only the low 32 bits of their number
        channel.Writer->Messages = BeforeWrap;
        long rollBackTo;
        using (SharedChannelWriter first = channel.CreateWriter())
        {
            rollBackTo = ChannelKit.WriterPosition(channel);
            Assert.True(first.TryWrite(ChannelScript.MessageOf(1, 40)));
            Assert.Equal(BeforeWrap + 1, channel.MessagesWritten);
        }

        channel.Writer->Position = rollBackTo;
        channel.Writer->Messages = counted ? BeforeWrap + 1 : BeforeWrap;
        *channel.WriterLock = Memshare.Sync.OwnerToken.Make(0x3FFF_FFFF, 12345);

        using SharedChannelWriter next = channel.CreateWriter();
        Assert.Equal(BeforeWrap + 1, channel.MessagesWritten);
        Assert.NotEqual(rollBackTo, ChannelKit.WriterPosition(channel));
    }

    public void Dispose() => _scope.Dispose();
}
