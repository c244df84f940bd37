using System.Diagnostics;
using System.Diagnostics.Metrics;
using Memshare.Nats;
using Memshare.Tests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Xunit.Abstractions;

namespace Memshare.Tests.Nats;

/// <summary>
/// The bridge library against a real nats-server: many mixed-size messages exact and in order, back-pressure from
/// a full destination, an unreachable server. Channels here are scoped (gone with the test's handles).
/// </summary>
public sealed class NatsBridgeTests(NatsServer server, ITestOutputHelper output) : IClassFixture<NatsServer>, IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(120);
    private readonly ShmScope _scope = new();

    [Fact]
    public async Task HundredThousandMixedSizes_PublishServerSubscribe_ExactAndInOrder()
    {
        const long Count = 100_000;
        string subject = "t." + _scope.Prefix;
        using var source = SharedChannel.CreateOrOpen(_scope.Name("src"), new SharedChannelOptions { Capacity = 1 << 20 });
        using var destination = SharedChannel.CreateOrOpen(_scope.Name("dst"), new SharedChannelOptions { Capacity = 1 << 20 });
        await using var publishConnection = new NatsConnection(new NatsOpts { Url = server.Url });
        await using var subscribeConnection = new NatsConnection(new NatsOpts { Url = server.Url });
        var publisher = new JetStreamPublisher(source, publishConnection, new JetStreamPublisherOptions { Subject = subject });
        var subscriber = new JetStreamSubscriber(subscribeConnection, destination, new JetStreamSubscriberOptions { Subject = subject, StopAtCompletion = true });
        var tally = new BridgeTraffic.Tally();
        using var cts = new CancellationTokenSource(Budget);
        var clock = Stopwatch.StartNew();

        Task write = Task.Factory.StartNew(() => BridgeTraffic.WriteAll(source, Count, cts.Token), TaskCreationOptions.LongRunning);
        Task read = Task.Factory.StartNew(() => BridgeTraffic.ReadAll(destination, tally, cts.Token), TaskCreationOptions.LongRunning);
        Task<long> publish = publisher.RunAsync(cts.Token);
        Task subscribe = subscriber.RunAsync(cts.Token);
        await Task.WhenAll(write, read, publish, subscribe);

        output.WriteLine($"{Count} messages in {clock.Elapsed.TotalSeconds:0.0} s: {tally}");
        Assert.Equal(Count, tally.Received);
        Assert.Equal(0, tally.Duplicates);
        Assert.Equal(0, tally.Gaps);
        Assert.Equal(Count, await publish);
        Assert.Equal(Count, subscriber.MessagesForwarded);
        Assert.True(destination.IsCompleted);
    }

    [Fact]
    public async Task FullDestination_StopsFetching_ThenDeliversEverythingInOrder()
    {
        const long Count = 3_000;
        string subject = "bp." + _scope.Prefix;
        using var source = SharedChannel.CreateOrOpen(_scope.Name("src"), new SharedChannelOptions { Capacity = 1 << 22 });
        using var destination = SharedChannel.CreateOrOpen(_scope.Name("dst"), new SharedChannelOptions { Capacity = 1 << 14 });
        await using var connection = new NatsConnection(new NatsOpts { Url = server.Url });
        var publisher = new JetStreamPublisher(source, connection, new JetStreamPublisherOptions { Subject = subject });
        var subscriber = new JetStreamSubscriber(connection, destination, new JetStreamSubscriberOptions { Subject = subject, MaxPending = 32, StopAtCompletion = true });
        using var cts = new CancellationTokenSource(Budget);
        BridgeTraffic.WriteAll(source, Count, cts.Token); // fits the source ring: the producer never waits for the broker
        Assert.Equal(Count, await publisher.RunAsync(cts.Token));
        Task subscribe = subscriber.RunAsync(cts.Token);

        // Nobody reads the destination: once its 16 KiB ring is full the bridge writes nothing more, and stays so.
        long stalled = await WaitForStallAsync(() => subscriber.MessagesForwarded, cts.Token);
        await Task.Delay(1000, cts.Token);
        Assert.Equal(stalled, subscriber.MessagesForwarded);
        Assert.True(stalled < Count / 4, $"the bridge wrote {stalled} messages into a 16 KiB ring");
        Assert.True(subscriber.Lag > Count / 2, $"the server should still hold most messages for the consumer; lag {subscriber.Lag}");
        Assert.False(subscribe.IsCompleted);

        // A slow reader then gets every message, exact and in order.
        var tally = new BridgeTraffic.Tally();
        await Task.Factory.StartNew(() => BridgeTraffic.ReadAll(destination, tally, cts.Token), TaskCreationOptions.LongRunning);
        await subscribe;
        output.WriteLine($"stalled at {stalled} messages; then {tally}");
        Assert.Equal(Count, tally.Received);
        Assert.Equal(0, tally.Duplicates);
        Assert.Equal(0, tally.Gaps);
    }

    [Fact]
    public async Task UnreachableServer_RunAsync_ThrowsBrokerUnavailable()
    {
        using var source = SharedChannel.CreateOrOpen(_scope.Name("src"));
        await using var connection = new NatsConnection(new NatsOpts { Url = NatsServer.UnreachableUrl });
        var publisher = new JetStreamPublisher(source, connection, new JetStreamPublisherOptions { Subject = "x", ReconnectTimeout = TimeSpan.FromSeconds(5) });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<BrokerUnavailableException>(() => publisher.RunAsync());

        Assert.Contains(connection.Opts.Url, error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task PublisherRestarted_ConsumesWhatTheStreamHolds_WithoutSendingItAgain()
    {
        // A bridge that died after its publishes were stored but before consuming them (perhaps longer ago than the
        // stream's duplicate window): made by publishing the first 100 messages with the bridge's ids straight through
        // the client, leaving them unconsumed in the channel.
        const long Count = 300;
        string subject = "rs." + _scope.Prefix;
        using var source = SharedChannel.CreateOrOpen(_scope.Name("src"), new SharedChannelOptions { Capacity = 1 << 20 });
        await using var connection = new NatsConnection(new NatsOpts { Url = server.Url });
        var js = new NatsJSContext(connection);
        BridgeTraffic.WriteAll(source, Count, CancellationToken.None);
        string stream = await BridgeStream.EnsureAsync(js, null, subject, create: true, CancellationToken.None);
        string prefix = BridgeIds.Prefix(source.Salt);
        using (SharedChannelReader peek = source.CreateReader())
        {
            for (long i = 0; i < 100; i++)
            {
                Assert.True(peek.TryReadAhead(out ReadOnlySpan<byte> message, out long sequence));
                var ack = await js.PublishAsync(subject, (ReadOnlyMemory<byte>)message.ToArray(), NatsRawSerializer<ReadOnlyMemory<byte>>.Default, new NatsJSPubOpts { MsgId = BridgeIds.MessageId(prefix, sequence) });
                Assert.Null(ack.Error);
            }
        }

        long forwarded = await new JetStreamPublisher(source, connection, new JetStreamPublisherOptions { Subject = subject }).RunAsync();

        Assert.Equal(Count - 100, forwarded); // the first 100 were consumed without being sent (sent again, they would count as duplicates)
        var info = await js.GetStreamAsync(stream);
        Assert.Equal(Count + 1, info.Info.State.Messages); // each message once, and the completion
    }

    [Fact]
    public async Task DurableConsumerThatDeliversNothingNew_IsRecreatedFromTheCheckpoint()
    {
        // A consumer the server keeps but that will never deliver the stored messages: here one created to deliver
        // only new messages after they were stored. It stands for what nats-server 2.9.10 restored after being
        // killed in NatsBridgeCliTests: pending messages below the acknowledged floor, redelivered every AckWait,
        // their acknowledgements ignored, nothing new delivered; the subscriber waited for ever.
        const long Count = 500;
        string subject = "st." + _scope.Prefix;
        using var source = SharedChannel.CreateOrOpen(_scope.Name("src"), new SharedChannelOptions { Capacity = 1 << 20 });
        using var destination = SharedChannel.CreateOrOpen(_scope.Name("dst"), new SharedChannelOptions { Capacity = 1 << 20 });
        await using var connection = new NatsConnection(new NatsOpts { Url = server.Url });
        using var cts = new CancellationTokenSource(Budget);
        BridgeTraffic.WriteAll(source, Count, cts.Token);
        Assert.Equal(Count, await new JetStreamPublisher(source, connection, new JetStreamPublisherOptions { Subject = subject }).RunAsync(cts.Token));
        var js = new NatsJSContext(connection);
        string stream = await BridgeStream.EnsureAsync(js, null, subject, create: false, cts.Token);
        string durable = JetStreamSubscriber.DefaultDurable(destination.Name);
        await js.CreateOrUpdateConsumerAsync(stream, new NATS.Client.JetStream.Models.ConsumerConfig(durable)
        {
            DurableName = durable,
            FilterSubject = subject,
            AckPolicy = NATS.Client.JetStream.Models.ConsumerConfigAckPolicy.All,
            DeliverPolicy = NATS.Client.JetStream.Models.ConsumerConfigDeliverPolicy.New,
        }, cts.Token);
        var subscriber = new JetStreamSubscriber(connection, destination, new JetStreamSubscriberOptions { Subject = subject, StopAtCompletion = true, StallTimeout = TimeSpan.FromSeconds(1) });
        var tally = new BridgeTraffic.Tally();
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BridgeMetrics.MeterName && instrument.Name == "memshare.bridge.consumer_recreations")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "memshare.channel" && (string?)tag.Value == destination.Name)
                {
                    Interlocked.Add(ref counted, value);
                }
            }
        });
        listener.Start();
        var clock = Stopwatch.StartNew();

        Task read = Task.Factory.StartNew(() => BridgeTraffic.ReadAll(destination, tally, cts.Token), TaskCreationOptions.LongRunning);
        await subscriber.RunAsync(cts.Token);
        await read;

        output.WriteLine($"{tally} in {clock.Elapsed.TotalSeconds:0.0} s; consumers recreated: {subscriber.ConsumersRecreated}");
        Assert.Equal(1, subscriber.ConsumersRecreated);
        Assert.Equal(1, Interlocked.Read(ref counted)); // and on the meter
        Assert.Equal(Count, tally.Received);
        Assert.Equal(0, tally.Duplicates);
        Assert.Equal(0, tally.Gaps);
        Assert.True(destination.IsCompleted);
    }

    [Fact]
    public async Task IdleStream_StallTimeoutPasses_ConsumerKept()
    {
        // Nothing past the checkpoint: a quiet subject is not a stalled consumer.
        string subject = "idle." + _scope.Prefix;
        using var destination = SharedChannel.CreateOrOpen(_scope.Name("dst"));
        await using var connection = new NatsConnection(new NatsOpts { Url = server.Url });
        var subscriber = new JetStreamSubscriber(connection, destination, new JetStreamSubscriberOptions { Subject = subject, StallTimeout = TimeSpan.FromMilliseconds(300) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscriber.RunAsync(cts.Token));

        Assert.Equal(0, subscriber.ConsumersRecreated);
        Assert.Equal(0, subscriber.MessagesForwarded);
    }

    [Fact]
    public async Task StallTimeout_ZeroOrNegativeRefused_InfiniteAccepted()
    {
        using var destination = SharedChannel.CreateOrOpen(_scope.Name("dst"));
        await using var connection = new NatsConnection(new NatsOpts { Url = server.Url });
        foreach (TimeSpan bad in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-1) })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new JetStreamSubscriber(connection, destination, new JetStreamSubscriberOptions { Subject = "s", StallTimeout = bad }));
            Assert.Contains("StallTimeout", error.Message, StringComparison.Ordinal);
        }

        _ = new JetStreamSubscriber(connection, destination, new JetStreamSubscriberOptions { Subject = "s", StallTimeout = Timeout.InfiniteTimeSpan });
    }

    public void Dispose() => _scope.Dispose();

    private static async Task<long> WaitForStallAsync(Func<long> counter, CancellationToken cancellationToken)
    {
        long last = -1;
        while (true)
        {
            long now = counter();
            if (now == last && now > 0)
            {
                return now;
            }

            last = now;
            await Task.Delay(300, cancellationToken);
        }
    }
}
