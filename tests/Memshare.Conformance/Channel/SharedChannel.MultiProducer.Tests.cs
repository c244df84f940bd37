using System.Diagnostics;
using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Channel;

/// <summary>
/// Several writer processes share a multi-producer channel; this process reads. Each message carries its producer and
/// sequence number (<see cref="ChannelMessage.KeyOf"/>), so the reader checks that every producer's messages arrive
/// exactly once, intact and in that producer's order — also while producers are SIGKILLed, some of them holding the
/// per-message writer lock.
/// </summary>
[Collection("Spinning")]
public sealed class SharedChannelMultiProducerTests : IDisposable
{
    private const int Min = ChannelMessage.SelfDescribingMin;
    private const int Large = 4000;

    /// <summary>Victims spin this long between claim and commit, so that many kills land while they hold the lock.</summary>
    private const int HoldSpins = 200;

    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedChannelMultiProducerTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void FourProducerProcesses_EveryMessageArrivesOnceIntactInItsProducersOrder()
    {
        const int Producers = 4;
        long PerProducer = Stress.Count(250_000, 50_000);
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 64 * 1024, Mode = ChannelMode.MultiProducer });
        using SharedChannelReader reader = channel.CreateReader();
        var producers = new Child[Producers];
        for (int p = 0; p < Producers; p++)
        {
            // Half of them wait for room in TryWrite(message, timeout), half spin on TryWrite/TryClaim.
            producers[p] = _scope.Track(Child.Helper(ChannelScript.WriteArgs(name, ChannelMessage.KeyOf(p, 0), PerProducer, Min, Large, p % 2 == 0 ? "go,block" : "go")));
        }

        foreach (Child producer in producers)
        {
            ChannelScript.ExpectLine(producer, "ready");
        }

        foreach (Child producer in producers)
        {
            producer.WriteLine("go");
        }

        var next = new long[Producers];
        long total = Read(reader, next, Producers * PerProducer, () => Failure(producers));
        foreach (Child producer in producers)
        {
            ChannelScript.ExpectLine(producer, "start");
            Assert.Equal("done " + PerProducer, ChannelScript.ExpectLine(producer, "done"));
            ChannelScript.ExpectExit0(producer);
        }

        Assert.Equal(Producers * PerProducer, total);
        Assert.All(next, n => Assert.Equal(PerProducer, n));
        Assert.False(reader.TryPeek(out _));
        Assert.Equal(total, channel.MessagesWritten);
        Assert.Equal(0UL, ChannelKit.WriterLock(channel).Word);
    }

    [Fact]
    public void ProducerProcessesKilledAtRandomPoints_LockIsRecoveredAndTheOthersFinish()
    {
        const int Steady = 2;
        long PerSteady = Stress.Count(150_000, 30_000);
        int MinVictims = Stress.Count(20, 5), MaxVictims = Stress.Count(100, 25), MinHeldWhenKilled = Stress.Count(3, 1);
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 16 * 1024, Mode = ChannelMode.MultiProducer });
        using SharedChannelReader reader = channel.CreateReader();
        var steady = new Child[Steady];
        for (int p = 0; p < Steady; p++)
        {
            steady[p] = _scope.Track(Child.Helper(ChannelScript.WriteArgs(name, ChannelMessage.KeyOf(p, 0), PerSteady, Min, Large, "block")));
        }

        // Producer ids Steady, Steady+1, ... write until killed, at a random point after their first message arrived;
        // they spin between claim and commit, so that some die holding the per-message lock. Kill until at least
        // MinHeldWhenKilled of them did (the lock's recovery counter says so), within MaxVictims.
        var next = new long[Steady + MaxVictims];
        long total = 0;
        int victims;
        bool failed = false;
        Exception? readerError = null;
        var readerThread = new Thread(() =>
        {
            try
            {
                total = Read(reader, next, -1, () => Volatile.Read(ref failed) ? "stopped" : null);
            }
            catch (Exception e)
            {
                readerError = e;
                Volatile.Write(ref failed, true);
            }
        });
        readerThread.Start();
        var random = new Random(4242);
        try
        {
            Child victim = StartVictim(name, Steady);
            for (victims = 0; victims < MaxVictims && (victims < MinVictims || ChannelKit.WriterLock(channel).Recoveries < MinHeldWhenKilled); victims++)
            {
                int id = Steady + victims;
                victim.WriteLine("go");
                ChannelScript.ExpectLine(victim, "start");
                Child? following = victims + 1 < MaxVictims ? StartVictim(name, id + 1) : null;
                ChannelScript.SpinUntil(() => Volatile.Read(ref next[id]) > 0 || Volatile.Read(ref failed), $"victim {id}'s first message arrived");
                ChannelScript.SpinFor(TimeSpan.FromMilliseconds(random.NextDouble() * 3));
                victim.Kill();
                if (following is not null)
                {
                    victim = following;
                }
            }

            victim.Kill();

            foreach (Child producer in steady)
            {
                ChannelScript.ExpectLine(producer, "start");
                Assert.Equal("done " + PerSteady, ChannelScript.ExpectLine(producer, "done"));
                ChannelScript.ExpectExit0(producer);
            }

            ChannelScript.SpinUntil(() => Volatile.Read(ref next[0]) == PerSteady && Volatile.Read(ref next[1]) == PerSteady || Volatile.Read(ref failed),
                "every steady producer's message arrived");
        }
        finally
        {
            Volatile.Write(ref failed, true); // stops the reader
            readerThread.Join();
        }

        if (readerError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readerError);
        }

        // Read checked that each producer's messages arrived in order, once and intact; a killed producer's are a prefix.
        Assert.Equal(PerSteady, next[0]);
        Assert.Equal(PerSteady, next[1]);
        Assert.All(next.Skip(Steady).Take(victims), n => Assert.True(n > 0));
        Assert.False(reader.TryPeek(out _));

        // The last victim may have died holding the lock after the steady producers finished: a new writer still writes.
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            Assert.True(writer.TryWrite(ChannelScript.MessageOf(ChannelMessage.KeyOf(0, PerSteady), ChannelMessage.Length(ChannelMessage.KeyOf(0, PerSteady), Min, Large))));
        }

        Assert.Equal(1, Read(reader, next, 1, () => null));
        Assert.Equal(PerSteady + 1, next[0]);
        (ulong word, long recoveries) = ChannelKit.WriterLock(channel);
        _output.WriteLine($"{total} messages; {victims} producers killed, {recoveries} of them while holding the writer lock");
        Assert.Equal(0UL, word);
        Assert.InRange(recoveries, 1, victims);
    }

    public void Dispose() => _scope.Dispose();

    private Child StartVictim(string name, int id)
    {
        Child victim = _scope.Track(Child.Helper(ChannelScript.WriteArgs(name, ChannelMessage.KeyOf(id, 0), 0, Min, Large, "go,hold=" + HoldSpins)));
        ChannelScript.ExpectLine(victim, "ready");
        return victim;
    }

    /// <summary>What the first producer that exited with an error said, or null.</summary>
    private static string? Failure(Child[] producers)
    {
        foreach (Child c in producers)
        {
            if (c.HasExited && c.WaitForExit() != 0)
            {
                return $"producer {c.Pid} exited with {c.WaitForExit()}: {string.Join(" | ", c.RemainingLines())} {c.Stderr}";
            }
        }

        return null;
    }

    /// <summary>
    /// Reads until <paramref name="expected"/> messages arrived (-1: until <paramref name="stop"/> gives a reason), checking each
    /// one's bytes and that it is the next of its producer (<paramref name="next"/>[producer]); returns the count.
    /// </summary>
    private static long Read(SharedChannelReader reader, long[] next, long expected, Func<string?> stop)
    {
        byte[] buffer = new byte[reader.Channel.MaxMessageLength];
        long total = 0, misses = 0;
        long start = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        while (total != expected)
        {
            if (!reader.TryRead(buffer, out int length))
            {
                spin.SpinOnce(sleep1Threshold: -1);
                if ((++misses & 1023) == 0)
                {
                    if (stop() is string reason)
                    {
                        Assert.True(expected < 0, $"after {total} messages: {reason}");
                        return total;
                    }

                    Assert.True(Stopwatch.GetElapsedTime(start) < ChannelScript.Deadline, $"stuck after {total} messages");
                }

                continue;
            }

            spin.Reset();
            long key = ChannelMessage.Identify(buffer.AsSpan(0, length), Min, Large);
            int producer = (int)(key >> ChannelMessage.ProducerShift);
            long sequence = key & ((1L << ChannelMessage.ProducerShift) - 1);
            if (key < 0 || producer >= next.Length || sequence != next[producer])
            {
                Assert.Fail(key < 0 ? $"message {total} ({length} bytes) is corrupt"
                    : producer >= next.Length ? $"message {total} names producer {producer}"
                    : $"producer {producer}: got {sequence}, expected {next[producer]}");
            }

            Volatile.Write(ref next[producer], sequence + 1);
            total++;
        }

        return total;
    }
}
