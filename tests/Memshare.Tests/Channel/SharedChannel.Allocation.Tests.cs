using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Channel;

/// <summary>The channel's hot paths allocate nothing per message once warm, in every mode.</summary>
public sealed class SharedChannelAllocationTests : IDisposable
{
    private const int Iterations = 20_000;

    private readonly ShmScope _scope = new();

    public static TheoryData<ChannelMode, ChannelOverflow> Modes => new()
    {
        { ChannelMode.SingleProducer, ChannelOverflow.BackPressure },
        { ChannelMode.MultiProducer, ChannelOverflow.BackPressure },
        { ChannelMode.Broadcast, ChannelOverflow.BackPressure },
        { ChannelMode.Broadcast, ChannelOverflow.Overrun },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void TryWriteTryReadClaimCommitPeekAdvance_SteadyState_AllocateNothing(ChannelMode mode, ChannelOverflow overflow)
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(),
            new SharedChannelOptions { Capacity = 4096, Mode = mode, MaxReaders = 2, Overflow = overflow });
        using SharedChannelReader reader = channel.CreateReader();
        using SharedChannelWriter writer = channel.CreateWriter();
        bool peek = overflow != ChannelOverflow.Overrun; // an overrun reader cannot read in place
        byte[] message = new byte[300];
        byte[] buffer = new byte[channel.MaxMessageLength];
        long sum = Round(writer, reader, message, buffer, 1000, peek); // warm-up: every path runs and gets compiled

        long before = GC.GetAllocatedBytesForCurrentThread();
        sum += Round(writer, reader, message, buffer, Iterations, peek);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
        Assert.Equal(2L * (1000 + Iterations), channel.MessagesWritten);
    }

    public void Dispose() => _scope.Dispose();

    /// <summary>Per iteration: TryWrite + TryRead, then TryClaim + Commit(length) + TryPeek + Advance (or TryRead); lengths vary so the ring wraps and pads.</summary>
    private static long Round(SharedChannelWriter writer, SharedChannelReader reader, byte[] message, byte[] buffer, int iterations, bool peek)
    {
        long sum = 0;
        for (int i = 0; i < iterations; i++)
        {
            int length = (i * 37) % message.Length;
            message[0] = (byte)i;
            Assert.True(writer.TryWrite(message.AsSpan(0, length)));
            Assert.True(reader.TryRead(buffer, out int read));
            sum += read;

            Assert.True(writer.TryClaim(length + 16, out Span<byte> claimed));
            claimed[0] = (byte)i;
            writer.Commit(length + 1);
            if (peek)
            {
                Assert.True(reader.TryPeek(out ReadOnlySpan<byte> view));
                sum += view.Length + view[0];
                reader.Advance();
            }
            else
            {
                Assert.True(reader.TryRead(buffer, out read));
                sum += read + buffer[0];
            }
        }

        return sum;
    }
}
