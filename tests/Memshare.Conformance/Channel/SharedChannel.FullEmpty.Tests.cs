using System.Globalization;
using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Channel;

/// <summary>
/// Full and empty channels: the non-blocking calls say no, the blocking ones time out, and a writer or reader blocked
/// in one process is released by the other side acting in another. Complete() ends reading once drained.
/// </summary>
public sealed class SharedChannelFullEmptyTests : IDisposable
{
    private const int Min = ChannelMessage.SelfDescribingMin; // the peer's messages (see ChannelRepl)
    private const int Large = 0;

    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    private readonly RegionScope _scope = new();

    public static TheoryData<ChannelMode> Modes => new() { ChannelMode.SingleProducer, ChannelMode.MultiProducer, ChannelMode.Broadcast };

    [Theory]
    [MemberData(nameof(Modes))]
    public void TryWrite_WhenFull_ReturnsFalseAndContentIsIntactAfterDraining(ChannelMode mode)
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = 4096, Mode = mode });
        using SharedChannelReader reader = channel.CreateReader(); // a broadcast channel is full only for an attached reader
        using SharedChannelWriter writer = channel.CreateWriter();
        byte[] buffer = new byte[channel.MaxMessageLength];

        for (int round = 0; round < 3; round++)
        {
            long first = channel.MessagesWritten;
            long key = first;
            while (writer.TryWrite(Message(buffer, key)))
            {
                key++;
            }

            long written = key - first;
            Assert.True(written > 4096 / (16 + ChannelMessage.SmallMax), $"only {written} messages fit");

            // Top up with empty messages (16-byte records fit at any offset) until not a byte is left.
            int empties = 0;
            while (writer.TryWrite([]))
            {
                empties++;
            }

            Assert.Equal(4096, ChannelKit.WriterPosition(channel) - ChannelKit.ReaderPosition(channel, 0));
            Assert.False(writer.TryWrite(Message(buffer, key)));
            Assert.False(writer.TryClaim(0, out _));
            Assert.False(writer.TryWrite(Message(buffer, key), Short));
            Assert.Equal(key + empties, channel.MessagesWritten);

            for (long k = first; k < key; k++)
            {
                Assert.True(reader.TryRead(buffer, out int length), $"message {k} of {first}..{key - 1} missing");
                Assert.Equal(k, ChannelMessage.Identify(buffer.AsSpan(0, length), Min, Large));
            }

            for (int e = 0; e < empties; e++)
            {
                Assert.True(reader.TryRead(buffer, out int length));
                Assert.Equal(0, length);
            }

            Assert.False(reader.TryRead(buffer, out _));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void TryRead_WhenEmpty_ReturnsFalseAndWaitToReadTimesOut(ChannelMode mode)
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = 4096, Mode = mode });
        using SharedChannelReader reader = channel.CreateReader();
        byte[] buffer = new byte[channel.MaxMessageLength];
        Assert.False(reader.TryRead(buffer, out int length));
        Assert.Equal(0, length);
        Assert.False(reader.TryPeek(out _));
        Assert.Equal(ChannelWaitResult.TimedOut, reader.WaitToRead(Short));
        Assert.Equal(ChannelWaitResult.TimedOut, reader.WaitToRead(TimeSpan.Zero));

        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            Assert.True(writer.TryWrite(Message(buffer, 1)));
        }

        Assert.Equal(ChannelWaitResult.Ready, reader.WaitToRead(TimeSpan.Zero));
        Assert.True(reader.TryRead(buffer, out length));
        Assert.Equal(1, ChannelMessage.Identify(buffer.AsSpan(0, length), Min, Large));
        Assert.False(reader.TryRead(buffer, out _));
        Assert.Equal(ChannelWaitResult.TimedOut, reader.WaitToRead(Short));
    }

    [Fact]
    public void ClaimCommitAndPeekAdvance_MisusedInOrder_ThrowInvalidOperationAndChangeNothing()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name(), new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelWriter writer = channel.CreateWriter();
        using SharedChannelReader reader = channel.CreateReader();
        Assert.Throws<InvalidOperationException>(() => writer.Commit());
        Assert.Throws<InvalidOperationException>(() => reader.Advance());

        Assert.True(writer.TryClaim(5, out Span<byte> claimed));
        "hello"u8.CopyTo(claimed);
        Assert.Throws<InvalidOperationException>(() => writer.TryClaim(5, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Commit(6));
        Assert.False(reader.TryPeek(out _)); // nothing visible before the commit
        writer.Commit(5);
        Assert.True(reader.TryPeek(out ReadOnlySpan<byte> message));
        Assert.True(message.SequenceEqual("hello"u8));
        reader.Advance();
        Assert.Throws<InvalidOperationException>(() => reader.Advance());

        Assert.True(writer.TryClaim(3, out _));
        writer.Abandon(); // dropped: readers never see it
        Assert.False(reader.TryPeek(out _));
        Assert.True(writer.TryWrite("x"u8));
        Assert.True(reader.TryPeek(out message));
        Assert.True(message.SequenceEqual("x"u8));
        Assert.Equal(2, channel.MessagesWritten);
    }

    [Theory]
    [InlineData(ChannelMode.SingleProducer)]
    [InlineData(ChannelMode.MultiProducer)]
    public void TryWriteWithTimeout_BlockedOnFullChannelInOtherProcess_IsReleasedWhenThisProcessDrains(ChannelMode mode)
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096, Mode = mode });
        using SharedChannelReader reader = channel.CreateReader();
        ChannelPeer peer = ChannelPeer.Start(_scope, name);
        peer.Expect("writer", "writer");
        string reply = peer.Do("fill 0");
        Assert.StartsWith("filled ", reply, StringComparison.Ordinal);
        long filled = long.Parse(reply["filled ".Length..], CultureInfo.InvariantCulture);
        Assert.True(filled > 10, $"filled {filled}");

        peer.Child.WriteLine("write-wait " + filled + " 30000");
        Assert.Throws<TimeoutException>(() => peer.Child.ReadLine(TimeSpan.FromMilliseconds(300))); // still blocked: full

        byte[] buffer = new byte[channel.MaxMessageLength];
        for (long k = 0; k < filled; k++)
        {
            Assert.True(reader.TryRead(buffer, out int length));
            Assert.Equal(k, ChannelMessage.Identify(buffer.AsSpan(0, length), Min, Large));
        }

        Assert.Equal("ok", peer.Child.ReadLine(ChannelScript.Deadline));
        Assert.Equal(ChannelWaitResult.Ready, reader.WaitToRead(ChannelScript.Deadline));
        Assert.True(reader.TryRead(buffer, out int last));
        Assert.Equal(filled, ChannelMessage.Identify(buffer.AsSpan(0, last), Min, Large));
        peer.Exit();
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void WaitToRead_BlockedInOtherProcess_IsReleasedByWriteFromThisProcess(ChannelMode mode)
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096, Mode = mode });
        ChannelPeer peer = ChannelPeer.Start(_scope, name);
        peer.Expect("reader 0", "reader");
        using SharedChannelWriter writer = channel.CreateWriter();

        peer.Child.WriteLine("wait-read 30000");
        Assert.Throws<TimeoutException>(() => peer.Child.ReadLine(TimeSpan.FromMilliseconds(300))); // still waiting: empty
        byte[] buffer = new byte[channel.MaxMessageLength];
        Assert.True(writer.TryWrite(Message(buffer, 5)));
        Assert.Equal("ready", peer.Child.ReadLine(ChannelScript.Deadline));
        peer.Expect("read", "msg 5");
        peer.Expect("wait-read 0", "timedout");
        peer.Exit();
    }

    [Fact]
    public void Complete_ReaderInOtherProcess_WaitToReadReturnsFalseOnlyAfterDrain()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });
        ChannelPeer peer = ChannelPeer.Start(_scope, name);
        peer.Expect("reader 0", "reader");
        byte[] buffer = new byte[channel.MaxMessageLength];
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            // A reader already asleep in WaitToRead is woken by Complete and told the channel is done.
            peer.Child.WriteLine("wait-read 30000");
            Assert.Throws<TimeoutException>(() => peer.Child.ReadLine(TimeSpan.FromMilliseconds(200)));
            writer.Complete();
            Assert.Equal("completed", peer.Child.ReadLine(ChannelScript.Deadline));
        }

        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            Assert.False(channel.IsCompleted); // a new writer clears the mark
            for (long k = 0; k < 3; k++)
            {
                Assert.True(writer.TryWrite(Message(buffer, k)));
            }

            writer.Complete();
            Assert.True(channel.IsCompleted);
        }

        peer.Expect("wait-read 30000", "ready"); // complete, but not drained
        peer.Expect("drain", "drained 3 first 0 last 2 bad 0");
        peer.Expect("wait-read 30000", "completed");
        peer.Expect("wait-read 0", "completed");
        peer.Expect("read", "empty");
        peer.Exit();
    }

    [Fact]
    public async Task ReadAllAsync_WriterProcessCompletes_EndsAfterEveryMessage()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelReader reader = channel.CreateReader();
        ChannelPeer peer = ChannelPeer.Start(_scope, name);
        peer.Expect("writer", "writer");

        using var cts = new CancellationTokenSource(ChannelScript.Deadline);
        var received = new List<long>();
        Task consumer = Task.Run(async () =>
        {
            await foreach (byte[] message in reader.ReadAllAsync(cts.Token))
            {
                received.Add(ChannelMessage.Identify(message, Min, Large));
            }
        });

        const int Count = 200; // more than the ring holds: the peer waits for room while this process reads
        for (int k = 0; k < Count; k++)
        {
            peer.Expect($"write-wait {k} 30000", "ok");
        }

        peer.Expect("complete", "completed");
        await consumer.WaitAsync(ChannelScript.Deadline);
        Assert.Equal(Enumerable.Range(0, Count).Select(k => (long)k), received);
        peer.Exit();
    }

    [Fact]
    public void ReadAllAsync_InReaderProcess_EndsWhenThisProcessCompletes()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });
        ChannelPeer peer = ChannelPeer.Start(_scope, name);
        peer.Expect("reader 0", "reader");
        peer.Child.WriteLine("read-all-async 30000");
        byte[] buffer = new byte[channel.MaxMessageLength];
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            for (long k = 0; k < 100; k++)
            {
                Assert.True(writer.TryWrite(Message(buffer, k), ChannelScript.Deadline));
            }

            writer.Complete();
        }

        Assert.Equal("done 100 bad 0", peer.Child.ReadLine(ChannelScript.Deadline));
        peer.Exit();
    }

    public void Dispose() => _scope.Dispose();

    private static ReadOnlySpan<byte> Message(byte[] buffer, long key) => buffer.AsSpan(0, ChannelMessage.Make(buffer, key, Min, Large));
}
