using System.Buffers.Binary;
using System.Globalization;
using Memshare.Layout;
using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Channel;

/// <summary>
/// Bad input: a message over the maximum is refused without touching the channel, and a channel whose shared bytes
/// were corrupted either still works or says it is corrupt (RegionFormatException) — in a child process, so that a
/// crash, a hang or a wild read shows as a failed child rather than taking the test host down.
/// </summary>
public sealed class SharedChannelBadInputTests : IDisposable
{
    private const int Min = ChannelMessage.SelfDescribingMin;
    private const int Large = 1500;

    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedChannelBadInputTests(ITestOutputHelper output) => _output = output;

    public enum Kind
    {
        SingleProducer,
        MultiProducer,
        BackPressure,
        Overrun,
    }

    [Theory]
    [InlineData(Kind.SingleProducer)]
    [InlineData(Kind.MultiProducer)]
    [InlineData(Kind.BackPressure)]
    [InlineData(Kind.Overrun)]
    public async Task Write_MessageOverMaximum_ThrowsArgumentExceptionAndLeavesEveryByteOfTheChannelAlone(Kind kind)
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, Options(kind));
        using SharedChannelReader reader = channel.CreateReader();
        using SharedChannelWriter writer = channel.CreateWriter();
        byte[] buffer = new byte[channel.MaxMessageLength + 1];
        for (long k = 0; k < 20; k++)
        {
            Assert.True(writer.TryWrite(buffer.AsSpan(0, ChannelMessage.Make(buffer, k, Min, Large))));
            if (k % 3 == 0)
            {
                Assert.True(reader.TryRead(buffer, out _));
            }
        }

        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        byte[] before = raw.ReadOnlySpan.ToArray();
        byte[] tooLarge = new byte[channel.MaxMessageLength + 1];

        Assert.Throws<ArgumentException>(() => writer.TryWrite(tooLarge));
        Assert.Throws<ArgumentException>(() => writer.TryWrite(tooLarge, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => writer.Write(tooLarge));
        Assert.Throws<ArgumentException>(() => writer.TryClaim(channel.MaxMessageLength + 1, out _));
        Assert.Throws<ArgumentException>(() => writer.TryClaim(int.MaxValue, out _));
        Assert.Throws<ArgumentException>(() => writer.TryClaim(-1, out _));
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.WriteAsync(tooLarge));

        Assert.True(raw.ReadOnlySpan.SequenceEqual(before), "a refused message changed the channel's bytes");
        Assert.Equal(0UL, ChannelKit.WriterLock(channel).Word & (kind == Kind.MultiProducer ? ~0UL : 0UL)); // the per-message lock is free

        // What was there is still there, and exactly the maximum goes through.
        int count = 0;
        while (reader.TryRead(buffer, out int length))
        {
            Assert.True(ChannelMessage.Identify(buffer.AsSpan(0, length), Min, Large) >= 0);
            count++;
        }

        Assert.True(count >= 13 || kind == Kind.Overrun, $"read {count}");
        Assert.True(writer.TryWrite(tooLarge.AsSpan(0, channel.MaxMessageLength)));
        Assert.True(reader.TryRead(buffer, out int last));
        Assert.Equal(channel.MaxMessageLength, last);
    }

    public void Dispose() => _scope.Dispose();

    private static SharedChannelOptions Options(Kind kind) => new()
    {
        Capacity = 4096,
        Mode = kind switch
        {
            Kind.SingleProducer => ChannelMode.SingleProducer,
            Kind.MultiProducer => ChannelMode.MultiProducer,
            _ => ChannelMode.Broadcast,
        },
        MaxReaders = 2,
        Overflow = kind == Kind.Overrun ? ChannelOverflow.Overrun : ChannelOverflow.BackPressure,
    };
}
