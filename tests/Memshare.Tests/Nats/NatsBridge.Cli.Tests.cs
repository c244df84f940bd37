using System.Diagnostics;
using Memshare.Tests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Xunit.Abstractions;

namespace Memshare.Tests.Nats;

/// <summary>
/// `memshare bridge publish` and `bridge subscribe` as real processes against a real nats-server: each bridge
/// SIGKILLed several times mid-stream and the server restarted mid-stream, with every message arriving exactly
/// once and in order; completion end to end through send, both bridges and recv; an unreachable server.
/// The test process writes the source channel and reads the destination; both are scoped to its handles.
/// </summary>
public sealed class NatsBridgeCliTests(NatsServer server, ITestOutputHelper output) : IClassFixture<NatsServer>, IDisposable
{
    private const long Count = 20_000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(120);
    private readonly ShmScope _scope = new();

    [Fact]
    public void EachBridgeKilledFourTimes_MidStream_EveryMessageOnceInOrder()
    {
        var random = new Random();
        var kills = new int[2];
        Run("k", (bridges, tally) =>
        {
            // Kill at eight points spread over the stream, publisher and subscriber in turn, a random moment after each.
            for (int k = 1; k <= 8; k++)
            {
                WaitFor(() => tally.Progress >= Count * k / 10, $"the destination to reach {Count * k / 10} messages ({tally})");
                Thread.Sleep(random.Next(0, 150));
                bridges.Kill(k % 2);
                kills[k % 2]++;
            }
        });
        output.WriteLine($"kills: publisher {kills[0]}, subscriber {kills[1]}");
        Assert.Equal([4, 4], kills);
    }

    [Fact]
    public void ServerKilledAndRestarted_MidStream_EveryMessageOnceInOrder()
    {
        Run("r", (_, tally) =>
        {
            for (int k = 1; k <= 2; k++)
            {
                WaitFor(() => tally.Progress >= Count * k / 3, $"the destination to reach {Count * k / 3} messages ({tally})");
                server.Kill();
                Thread.Sleep(500);
                server.Start();
            }
        });
    }

    [Fact]
    public void Completion_SendBridgesRecv_BehavesLikeAPipe()
    {
        string a = _scope.Name("a");
        string b = _scope.Name("b");
        string subject = "pipe." + _scope.Prefix;
        string[] lines = Enumerable.Range(0, 2_000).Select(i => $"line {i} " + new string('x', i % 97)).ToArray();
        try
        {
            using Child subscribe = _scope.Track(Child.Cli("bridge", "subscribe", subject, "--nats", server.Url, "--channel", b));
            using Child recv = _scope.Track(Child.Cli("recv", b, "--capacity", "65536"));
            using Child publish = _scope.Track(Child.Cli("bridge", "publish", a, "--nats", server.Url, "--subject", subject, "--capacity", "65536"));
            using Child send = _scope.Track(Child.Cli("send", a, "--capacity", "65536"));
            foreach (string line in lines)
            {
                send.WriteLine(line);
            }

            send.CloseInput();
            Assert.Equal(0, send.WaitForExit(Budget));
            Assert.Equal(0, publish.WaitForExit(Budget));
            Assert.Matches("forwarded 2000 messages .* the channel is complete", publish.Stderr);
            Assert.Equal(0, recv.WaitForExit(Budget)); // the completion crossed the broker
            Assert.Equal(lines, recv.RemainingLines());

            subscribe.Signal(2);
            Assert.Equal(130, subscribe.WaitForExit(Budget));
            Assert.Matches("Interrupted by SIGINT: forwarded 2000 messages", subscribe.Stderr);
        }
        finally
        {
            _ = SharedMemory.Remove(a);
            _ = SharedMemory.Remove(b);
        }
    }

    [Fact]
    public void UnreachableServer_BothCommands_Exit8()
    {
        string url = NatsServer.UnreachableUrl;
        string a = _scope.Name("a");
        try
        {
            using Child publish = _scope.Track(Child.Cli("bridge", "publish", a, "--nats", url, "--subject", "s"));
            using Child subscribe = _scope.Track(Child.Cli("bridge", "subscribe", "s", "--nats", url, "--channel", a + "x"));
            Assert.Equal(8, publish.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(8, subscribe.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Contains($"Cannot connect to the NATS server at {url}", publish.Stderr, StringComparison.Ordinal);
            Assert.Contains($"Cannot connect to the NATS server at {url}", subscribe.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            _ = SharedMemory.Remove(a);
            _ = SharedMemory.Remove(a + "x");
        }
    }

    [Fact]
    public void ServerGoneLongerThanReconnectTimeout_Exit8()
    {
        string b = _scope.Name("b");
        try
        {
            string subject = "gone." + _scope.Prefix;
            using Child subscribe = _scope.Track(Child.Cli("bridge", "subscribe", subject, "--nats", server.Url, "--channel", b, "--reconnect-timeout", "2s"));
            WaitFor(() => ConsumerExists(subject, Memshare.Nats.JetStreamSubscriber.DefaultDurable(b)), "the subscriber to connect and create its durable consumer");
            Thread.Sleep(300); // and start consuming
            var clock = Stopwatch.StartNew();
            server.Kill();
            try
            {
                int exit = subscribe.WaitForExit(TimeSpan.FromSeconds(30));
                output.WriteLine(subscribe.Stderr);
                Assert.Equal(8, exit);
                Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"gave up after {clock.Elapsed}, before the 2 s bound");
                output.WriteLine($"exit 8 after {clock.Elapsed.TotalSeconds:0.0} s with --reconnect-timeout 2s");
                Assert.Contains("has been unreachable for 2 s", subscribe.Stderr, StringComparison.Ordinal);
            }
            finally
            {
                server.Start();
            }
        }
        finally
        {
            _ = SharedMemory.Remove(b);
        }
    }

    public void Dispose() => _scope.Dispose();

    private bool ConsumerExists(string subject, string durable)
    {
        return Query().GetAwaiter().GetResult();

        async Task<bool> Query()
        {
            await using var connection = new NatsConnection(new NatsOpts { Url = server.Url });
            try
            {
                _ = await new NatsJSContext(connection).GetConsumerAsync(Memshare.Nats.BridgeStream.DefaultName(subject), durable);
                return true;
            }
            catch (NatsJSApiException)
            {
                return false;
            }
        }
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Budget, $"timed out waiting for {what}");
            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// Streams <see cref="Count"/> mixed-size messages source → bridge publish → server → bridge subscribe →
    /// destination while <paramref name="disturb"/> runs, then checks each arrived once, in order, and that the
    /// stream holds each once plus the completion.
    /// </summary>
    private void Run(string tag, Action<Bridges, BridgeTraffic.Tally> disturb)
    {
        string subject = tag + "." + _scope.Prefix;
        using var source = SharedChannel.CreateOrOpen(_scope.Name(tag + "src"), new SharedChannelOptions { Capacity = 1 << 16 });
        using var destination = SharedChannel.CreateOrOpen(_scope.Name(tag + "dst"), new SharedChannelOptions { Capacity = 1 << 16 });
        using var bridges = new Bridges(_scope,
            ["bridge", "publish", source.Name, "--nats", server.Url, "--subject", subject],
            ["bridge", "subscribe", subject, "--nats", server.Url, "--channel", destination.Name, "--until-complete"]);
        var tally = new BridgeTraffic.Tally();
        using var cts = new CancellationTokenSource(Budget);
        var clock = Stopwatch.StartNew();
        Task write = Task.Factory.StartNew(() => BridgeTraffic.WriteAll(source, Count, cts.Token), TaskCreationOptions.LongRunning);
        Task read = Task.Factory.StartNew(() => BridgeTraffic.ReadAll(destination, tally, cts.Token), TaskCreationOptions.LongRunning);

        disturb(bridges, tally);
        Assert.True(Task.WaitAll([write, read], Budget), $"the stream did not finish: {tally}");
        Assert.Equal(0, bridges.WaitForExit(0));
        Assert.Equal(0, bridges.WaitForExit(1));

        output.WriteLine($"{Count} messages in {clock.Elapsed.TotalSeconds:0.0} s, {bridges.Starts[0]} publisher and {bridges.Starts[1]} subscriber processes: {tally}");
        Assert.Equal(Count, tally.Received);
        Assert.Equal(0, tally.Duplicates);
        Assert.Equal(0, tally.Gaps);
        Assert.Equal(Count, tally.Progress);
        Assert.Equal(Count + 1, StoredMessages(subject));
    }

    private long StoredMessages(string subject)
    {
        return Query().GetAwaiter().GetResult();

        async Task<long> Query()
        {
            await using var connection = new NatsConnection(new NatsOpts { Url = server.Url });
            var js = new NatsJSContext(connection);
            var stream = await js.GetStreamAsync(Memshare.Nats.BridgeStream.DefaultName(subject));
            return stream.Info.State.Messages;
        }
    }

    /// <summary>The two bridge processes, each restarted when killed.</summary>
    private sealed class Bridges(ShmScope scope, string[] publish, string[] subscribe) : IDisposable
    {
        private readonly string[][] _commands = [publish, subscribe];
        private readonly Child[] _children = [scope.Track(Child.Cli(publish)), scope.Track(Child.Cli(subscribe))];

        public int[] Starts { get; } = [1, 1];

        /// <summary>SIGKILLs bridge <paramref name="which"/> (0 publisher, 1 subscriber) and starts it again.</summary>
        public void Kill(int which)
        {
            _children[which].Kill();
            _children[which] = scope.Track(Child.Cli(_commands[which]));
            Starts[which]++;
        }

        public int WaitForExit(int which) => _children[which].WaitForExit(Budget);

        public void Dispose()
        {
            foreach (Child child in _children)
            {
                child.Dispose();
            }
        }
    }
}
