using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Channel;

/// <summary>
/// Broadcast channels with reader processes: with back-pressure every reader sees every message in order and the
/// writer waits for the slowest; with overrun a slow reader loses messages, is told exactly how many, and never gets
/// a torn one. Reader indices are exclusive across processes, and a fresh reader starts at the newest message.
/// </summary>
[Collection("Spinning")]
public sealed class SharedChannelBroadcastTests : IDisposable
{
    private const int Min = ChannelMessage.SelfDescribingMin;

    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedChannelBroadcastTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void BackPressure_ThreeReaderProcessesOneSlow_EachSeesEveryMessageInOrder()
    {
        long Count = Stress.Count(200_000, 50_000);
        const int Large = 3000;
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name,
            new SharedChannelOptions { Capacity = 16 * 1024, Mode = ChannelMode.Broadcast, MaxReaders = 3 });
        var readers = new Child[3];
        for (int i = 0; i < readers.Length; i++)
        {
            // Reader 2 dawdles after every message: the writer must wait for it rather than overwrite what it has not read.
            readers[i] = _scope.Track(Child.Helper(ChannelScript.ReadArgs(name, i, Count - 1, Min, Large, i == 2 ? "slow=300,detach" : "detach")));
        }

        foreach (Child reader in readers)
        {
            ChannelScript.ExpectLine(reader, "ready"); // attached before the first message: a fresh reader starts at the newest
        }

        Child writer = _scope.Track(Child.Helper(ChannelScript.WriteArgs(name, 0, Count, Min, Large)));
        ChannelScript.ExpectLine(writer, "start 0");
        for (int i = 0; i < readers.Length; i++)
        {
            Dictionary<string, long> r = ChannelScript.Summary(ChannelScript.ExpectLine(readers[i], "done"));
            _output.WriteLine($"reader {i}: {string.Join(' ', r.Select(kv => $"{kv.Key}={kv.Value}"))}");
            Assert.Equal(Count, r["received"]);
            Assert.Equal(0, r["bad"]);
            Assert.Equal(0, r["gaps"]);
            Assert.Equal(0, r["regress"]);
            Assert.Equal(0, r["first"]);
            Assert.Equal(Count - 1, r["last"]);
            Assert.Equal(0, r["lost"]);
            ChannelScript.ExpectExit0(readers[i]);
        }

        Assert.Equal("done " + Count, ChannelScript.ExpectLine(writer, "done"));
        ChannelScript.ExpectExit0(writer);
    }

    [Fact]
    public void Overrun_SlowReaderProcess_LosesMessagesCountsExactlyTheGapAndNeverReadsATornOne()
    {
        long Count = Stress.Count(1_000_000, 200_000);
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name,
            new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast, MaxReaders = 2, Overflow = ChannelOverflow.Overrun });
        int large = channel.MaxMessageLength;

        // Reader 0 reads at full speed and reader 1 dawdles; neither holds the writer back.
        Child fast = _scope.Track(Child.Helper(ChannelScript.ReadArgs(name, 0, Count - 1, Min, large, "detach")));
        Child slow = _scope.Track(Child.Helper(ChannelScript.ReadArgs(name, 1, Count - 1, Min, large, "slow=2000,detach")));
        ChannelScript.ExpectLine(fast, "ready");
        ChannelScript.ExpectLine(slow, "ready");
        Child writer = _scope.Track(Child.Helper(ChannelScript.WriteArgs(name, 0, Count, Min, large)));
        ChannelScript.ExpectLine(writer, "start 0");
        Assert.Equal("done " + Count, ChannelScript.ExpectLine(writer, "done"));
        ChannelScript.ExpectExit0(writer);

        long lostTotal = 0;
        foreach ((string who, Child reader) in new[] { ("fast", fast), ("slow", slow) })
        {
            Dictionary<string, long> r = ChannelScript.Summary(ChannelScript.ExpectLine(reader, "done"));
            _output.WriteLine($"{who} reader: {string.Join(' ', r.Select(kv => $"{kv.Key}={kv.Value}"))}");
            Assert.Equal(0, r["bad"]);       // every message it got was whole and intact
            Assert.Equal(0, r["regress"]);   // and newer than the one before
            Assert.Equal(Count - 1, r["last"]);
            Assert.Equal(r["gapsum"], r["lost"]); // LostMessages is exactly what it saw missing
            Assert.Equal(Count, r["received"] + r["gapsum"]);
            ChannelScript.ExpectExit0(reader);
            lostTotal += r["lost"];
        }

        Assert.True(lostTotal > 0, "the slow reader never fell a ring behind; the test proved nothing");
    }

    [Fact]
    public void ReaderIndex_AttachedByTwoProcesses_SecondGetsInvalidOperationExceptionUntilFirstCloses()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast, MaxReaders = 3 });
        ChannelPeer first = ChannelPeer.Start(_scope, name);
        ChannelPeer second = ChannelPeer.Start(_scope, name);
        first.Expect("reader 1", "reader");
        Assert.StartsWith("error InvalidOperationException ", second.Do("reader 1"), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => channel.CreateReader(1));
        second.Expect("reader 2", "reader"); // another index is free

        first.Expect("dispose-reader", "ok");
        second.Expect("dispose-reader", "ok");
        second.Expect("reader 1", "reader");
        using (SharedChannelReader mine = channel.CreateReader(0))
        {
            Assert.Throws<InvalidOperationException>(() => channel.CreateReader(0)); // also within one process
        }

        // The writer role of a broadcast channel is exclusive too.
        first.Expect("writer", "writer");
        Assert.Throws<InvalidOperationException>(() => channel.CreateWriter());
        first.Exit();
        second.Exit();
        using SharedChannelWriter writer = channel.CreateWriter();
    }

    [Fact]
    public void SingleReaderChannel_ReaderInTwoProcesses_SecondGetsInvalidOperationException()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });
        ChannelPeer peer = ChannelPeer.Start(_scope, name);
        peer.Expect("reader 0", "reader");
        peer.Expect("writer", "writer");
        Assert.Throws<InvalidOperationException>(() => channel.CreateReader());
        Assert.Throws<InvalidOperationException>(() => channel.CreateWriter());
        Assert.Throws<ArgumentOutOfRangeException>(() => channel.CreateReader(1));
        peer.Exit();
        using SharedChannelReader reader = channel.CreateReader();
        using SharedChannelWriter writer = channel.CreateWriter();
    }

    [Fact]
    public void FreshBroadcastReader_InOtherProcess_StartsAtTheNewestMessage()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast, MaxReaders = 3 });
        using SharedChannelWriter writer = channel.CreateWriter();
        for (long k = 0; k < 10; k++)
        {
            Assert.True(writer.TryWrite(Message(k)));
        }

        ChannelPeer peer = ChannelPeer.Start(_scope, name);
        peer.Expect("reader 2", "reader");
        peer.Expect("read", "empty");   // nothing of what came before
        Assert.True(writer.TryWrite(Message(10)));
        peer.Expect("read", "msg 10");
        peer.Expect("read", "empty");
        peer.Expect("lost", "lost 0");

        // Detached, the index starts afresh next time; merely closed, it resumes where it was.
        Assert.True(writer.TryWrite(Message(11)));
        peer.Expect("dispose-reader", "ok");
        peer.Expect("reader 2", "reader");
        peer.Expect("read", "msg 11");
        peer.Expect("detach", "ok");
        Assert.True(writer.TryWrite(Message(12)));
        peer.Expect("reader 2", "reader");
        peer.Expect("read", "empty");
        Assert.True(writer.TryWrite(Message(13)));
        peer.Expect("read", "msg 13");
        peer.Exit();
    }

    [Fact]
    public void Overrun_ReaderIndexReattachedAfterBeingLappedWhileAway_LostGrowsByExactlyTheGap()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name,
            new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast, MaxReaders = 2, Overflow = ChannelOverflow.Overrun });
        using SharedChannelWriter writer = channel.CreateWriter();
        using (SharedChannelReader away = channel.CreateReader(0))
        {
            Assert.True(writer.TryWrite(Message(0)));
            Assert.Equal(0, ReadKey(away));
        }

        // Many laps while index 0 is away: its saved record is long overwritten.
        for (long k = 1; k <= 2000; k++)
        {
            Assert.True(writer.TryWrite(Message(k)));
        }

        using SharedChannelReader back = channel.CreateReader(0);
        AssertLostIsTheGap(back, lastConsumed: 0, lastWritten: 2000);
    }

    [Fact]
    public void Overrun_ReaderProcessKilledWhileAttachedThenLapped_ReattachedIndexCountsExactlyTheGap()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name,
            new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast, MaxReaders = 2, Overflow = ChannelOverflow.Overrun });
        using SharedChannelWriter writer = channel.CreateWriter();
        ChannelPeer peer = ChannelPeer.Start(_scope, name);
        peer.Expect("reader 0", "reader");
        for (long k = 0; k < 5; k++)
        {
            Assert.True(writer.TryWrite(Message(k)));
        }

        peer.Expect("read", "msg 0");
        peer.Expect("read", "msg 1");
        peer.Child.Kill(); // dies holding reader index 0, having consumed messages 0 and 1

        for (long k = 5; k <= 3000; k++)
        {
            Assert.True(writer.TryWrite(Message(k)));
        }

        using SharedChannelReader back = channel.CreateReader(0); // recovered from the dead owner
        AssertLostIsTheGap(back, lastConsumed: 1, lastWritten: 3000);
    }

    /// <summary>Reads to the end: Lost must grow by exactly the sequence gaps between consecutive messages this index consumed.</summary>
    private static void AssertLostIsTheGap(SharedChannelReader reader, long lastConsumed, long lastWritten)
    {
        long lostBefore = reader.LostMessages;
        long gaps = 0;
        long previous = lastConsumed;
        long key;
        while ((key = ReadKey(reader)) >= 0)
        {
            Assert.True(key > previous, $"message {key} after {previous}");
            gaps += key - previous - 1;
            previous = key;
            Assert.Equal(gaps, reader.LostMessages - lostBefore);
        }

        Assert.Equal(lastWritten, previous);
        Assert.True(gaps > 1000, $"only {gaps} messages were skipped; the writer did not lap the reader");
    }

    /// <summary>The next message's key, or -1 if none is waiting.</summary>
    private static long ReadKey(SharedChannelReader reader)
    {
        byte[] buffer = new byte[reader.Channel.MaxMessageLength];
        return reader.TryRead(buffer, out int length) ? ChannelMessage.Identify(buffer.AsSpan(0, length), Min, 0) : -1;
    }

    public void Dispose() => _scope.Dispose();

    private static byte[] Message(long key) => ChannelScript.MessageOf(key, ChannelMessage.Length(key, Min, 0));
}
