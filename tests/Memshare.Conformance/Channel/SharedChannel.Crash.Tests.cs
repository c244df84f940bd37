using System.Globalization;
using System.Runtime.ExceptionServices;
using Memshare.Layout;
using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Channel;

/// <summary>
/// Crash semantics: a writer process SIGKILLed at random points (often mid-message) never leaves a partial or corrupt
/// message for the reader, and the next writer process takes the role over from the dead one and continues the
/// sequence; a reader process killed mid-stream and restarted with the same index resumes at its first unconsumed
/// message, with no gap and no duplicate.
/// </summary>
[Collection("Spinning")]
public sealed unsafe class SharedChannelCrashTests : IDisposable
{
    private const int WriterLarge = 6000;

    /// <summary>
    /// The writers spin this long between claim and commit (a producer filling its claim in place), so that they spend
    /// most of their time inside a message rather than waiting for room, and most kills land mid-message.
    /// </summary>
    private const int HoldSpins = 300;

    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedChannelCrashTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void WriterProcessKilledRepeatedlyAtRandomPoints_ReaderGetsOnlyWholeMessagesAndEachNextWriterContinues()
    {
        int Kills = Stress.Count(120, 10);
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 16 * 1024 });
        using SharedChannelReader reader = channel.CreateReader();
        const int Large = WriterLarge;

        // This process reads on another thread and checks every message against the next key: the writers continue
        // one sequence (each starts at MessagesWritten), so a partial, torn, lost or repeated message shows at once.
        long received = 0;
        bool stop = false;
        Exception? readerError = null;
        var readerThread = new Thread(() =>
        {
            try
            {
                byte[] buffer = new byte[channel.MaxMessageLength];
                while (!Volatile.Read(ref stop))
                {
                    if (!reader.TryRead(buffer, out int length))
                    {
                        _ = reader.WaitToRead(TimeSpan.FromMilliseconds(20)); // sleeps: leaves the cores to the writers
                        continue;
                    }

                    long key = Volatile.Read(ref received);
                    if (!ChannelMessage.Check(buffer.AsSpan(0, length), key, 0, Large))
                    {
                        Assert.Fail($"message {key}: {length} bytes (expected {ChannelMessage.Length(key, 0, Large)}), "
                            + $"identifies as {ChannelMessage.Identify(buffer.AsSpan(0, length), 0, Large)}");
                    }

                    Volatile.Write(ref received, key + 1);
                }
            }
            catch (Exception e)
            {
                readerError = e;
            }
        });
        readerThread.Start();

        var random = new Random(1234);
        int committedUnpublished = 0, claimedUncommitted = 0, between = 0;
        try
        {
            Child writer = StartWriter(name);
            for (int kill = 0; kill < Kills; kill++)
            {
                ChannelScript.ExpectLine(writer, "ready");
                writer.WriteLine("go");
                long first = long.Parse(ChannelScript.ExpectLine(writer, "start ")["start ".Length..], CultureInfo.InvariantCulture);
                Child next = StartWriter(name); // starts while this one writes

                // Its first message arrived (so it took the role and writes), then it dies at a random point.
                ChannelScript.SpinUntil(() => Volatile.Read(ref received) > first || readerError is not null, $"writer {kill}'s first message {first} arrived");
                Thread.Sleep(random.Next(0, 4));
                writer.Kill(); // SIGKILL on POSIX, TerminateProcess on Windows: no chance to clean up
                Assert.Null(readerError);

                switch (Classify(channel))
                {
                    case 1: committedUnpublished++; break;
                    case 2: claimedUncommitted++; break;
                    default: between++; break;
                }

                writer = next;
            }

            writer.Kill(); // never took the role

            // This process takes the role over from the last dead writer too, and its messages arrive.
            using SharedChannelWriter last = channel.CreateWriter();
            long key = channel.MessagesWritten;
            for (int i = 0; i < 100; i++, key++)
            {
                Assert.True(last.TryWrite(ChannelScript.MessageOf(key, ChannelMessage.Length(key, 0, Large)), ChannelScript.Deadline));
            }

            ChannelScript.SpinUntil(() => Volatile.Read(ref received) == key || readerError is not null, "the last writer's messages arrived");
        }
        finally
        {
            Volatile.Write(ref stop, true);
            readerThread.Join();
        }

        if (readerError is not null)
        {
            ExceptionDispatchInfo.Throw(readerError);
        }

        _output.WriteLine($"{received} messages; {Kills} writers killed: {claimedUncommitted} mid-message, {committedUnpublished} after the commit "
            + $"but before publishing the position, {between} between messages; recoveries {ChannelKit.WriterLock(channel).Recoveries}");
        Assert.Equal(channel.MessagesWritten, received);
        Assert.Equal(Kills, ChannelKit.WriterLock(channel).Recoveries); // every writer after the first took the role from a dead one
        Assert.True(claimedUncommitted + committedUnpublished > 0, "no kill landed inside a message; the test proved little");
    }

    [Fact]
    public void ReaderProcessKilledAndRestartedWithSameIndex_ResumesAtFirstUnconsumedMessage()
    {
        long Count = Stress.Count(60_000, 20_000);
        const int Min = ChannelMessage.SelfDescribingMin, Large = 2000;
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 16 * 1024 });
        Exception? writerError = null;
        var writerThread = new Thread(() =>
        {
            try
            {
                using SharedChannelWriter writer = channel.CreateWriter();
                byte[] buffer = new byte[channel.MaxMessageLength];
                for (long key = 0; key < Count; key++)
                {
                    Assert.True(writer.TryWrite(buffer.AsSpan(0, ChannelMessage.Make(buffer, key, Min, Large)), ChannelScript.Deadline));
                }
            }
            catch (Exception e)
            {
                writerError = e;
            }
        });

        // The reader prints each key right after the read call returns it (see "print" in ChannelScenarios.Read). The read
        // publishes the durable position before it returns, so a kill can fall after a read and before its print: at most
        // one message is consumed but not printed. The durable position tells which: the restarted reader must start at it.
        Child first = _scope.Track(Child.Helper(ChannelScript.ReadArgs(name, 0, Count - 1, Min, Large, "print")));
        ChannelScript.ExpectLine(first, "ready");
        writerThread.Start();
        int killAfter = new Random(99).Next(3_000, 9_000);
        var printed = new List<long>();
        while (printed.Count < killAfter)
        {
            printed.Add(long.Parse(first.ReadLine(ChannelScript.Deadline), CultureInfo.InvariantCulture));
        }

        first.Kill();
        printed.AddRange(first.RemainingLines().Select(l => long.Parse(l, CultureInfo.InvariantCulture)));
        Assert.Equal(Enumerable.Range(0, printed.Count).Select(k => (long)k), printed);
        long lastPrinted = printed[^1];
        long resumeAt = ChannelKit.FirstUnconsumedSequence(channel, 0);
        Assert.InRange(resumeAt, lastPrinted + 1, lastPrinted + 2);

        Child second = _scope.Track(Child.Helper(ChannelScript.ReadArgs(name, 0, Count - 1, Min, Large, "print")));
        ChannelScript.ExpectLine(second, "ready"); // took index 0 over from the dead reader
        var rest = new List<long>();
        string line;
        while (!(line = second.ReadLine(ChannelScript.Deadline)).StartsWith("done", StringComparison.Ordinal))
        {
            Assert.False(line.StartsWith("timeout", StringComparison.Ordinal), line);
            rest.Add(long.Parse(line, CultureInfo.InvariantCulture));
        }

        Dictionary<string, long> summary = ChannelScript.Summary(line);
        ChannelScript.ExpectExit0(second);
        writerThread.Join();
        Assert.Null(writerError);
        _output.WriteLine($"killed after printing {printed.Count}; resumed at {resumeAt}; then read {rest.Count}");
        Assert.Equal(resumeAt, rest[0]);
        Assert.Equal(Enumerable.Range((int)resumeAt, (int)(Count - resumeAt)).Select(k => (long)k), rest);
        Assert.Equal(0, summary["bad"]);
        Assert.Equal(0, summary["regress"]);
        Assert.Equal(resumeAt, summary["first"]);
        Assert.Equal(Count - 1, summary["last"]);
    }

    public void Dispose() => _scope.Dispose();

    /// <summary>
    /// Where the dead writer stopped: 1 if the record at the published position is committed (the kill fell between the
    /// commit and publishing the position), 2 if its header is written for the next sequence number but not committed
    /// (mid-message), 0 otherwise.
    /// </summary>
    private static int Classify(SharedChannel channel)
    {
        (bool committed, uint sequence) = ChannelKit.RecordAt(channel, ChannelKit.WriterPosition(channel));
        if (committed)
        {
            return 1;
        }

        // (A claim that needed padding has committed the padding at the position: case 1.)
        return sequence == (uint)channel.MessagesWritten ? 2 : 0;
    }

    private Child StartWriter(string name)
    {
        return _scope.Track(Child.Helper(ChannelScript.WriteArgs(name, "auto", 0, 0, WriterLarge, "go,hold=" + HoldSpins)));
    }
}
