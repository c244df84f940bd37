using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Memshare.Nats;

/// <summary>
/// Forwards a JetStream subject's messages, in order, into a <see cref="SharedChannel"/>, exactly once across
/// crashes of the bridge, and completes the channel when the publishing side's completion arrives.
/// </summary>
/// <remarks>
/// <para>The bridge holds the channel's writer role and reads the subject through a durable consumer. Each message is
/// written with its stream sequence number as the channel's checkpoint (<see cref="SharedChannelWriter.TryGetCheckpoint"/>),
/// committed atomically with the message, and acknowledged only after that commit. A bridge killed between the
/// commit and the acknowledgement finds, when restarted, the last sequence it applied in the channel itself, and
/// acknowledges the redelivered copies without writing them again. A message that arrives after a gap in the
/// sequence (a redelivery still pending, say) first has the missing messages of the subject fetched directly from
/// the stream, so the channel receives them in stream order. The channel should have no other writer.</para>
/// <para>Back-pressure: while the channel is full the bridge waits for room and takes nothing more from the
/// client, which holds at most <see cref="JetStreamSubscriberOptions.MaxPending"/> messages and stops pulling;
/// nothing is dropped. The stream keeps the rest.</para>
/// <para>The consumer's state on the server is only a cache of the checkpoint: when it applies nothing new for
/// <see cref="JetStreamSubscriberOptions.StallTimeout"/> while the stream holds messages of the subject past the
/// checkpoint, the bridge deletes it and creates it again to start there (<see cref="ConsumersRecreated"/>).</para>
/// </remarks>
public sealed class JetStreamSubscriber : IBridgeProgress
{
    private static readonly INatsDeserialize<NatsMemoryOwner<byte>> Raw = NatsRawSerializer<NatsMemoryOwner<byte>>.Default;

    private readonly INatsConnection _connection;
    private readonly SharedChannel _channel;
    private readonly JetStreamSubscriberOptions _options;
    private long _messages;
    private long _bytes;
    private long _pending;
    private long _applied;
    private long _consumersRecreated;

    /// <summary>Prepares a bridge from the subject into <paramref name="channel"/>; <see cref="RunAsync"/> runs it.</summary>
    public JetStreamSubscriber(INatsConnection connection, SharedChannel channel, JetStreamSubscriberOptions options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Subject);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPending, 1);
        if (options.StallTimeout <= TimeSpan.Zero && options.StallTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StallTimeout, "StallTimeout must be positive, or Timeout.InfiniteTimeSpan to keep a stalled consumer.");
        }

        _connection = connection;
        _channel = channel;
        _options = options;
    }

    /// <summary>Messages written into the channel by this bridge (duplicates skipped are not counted).</summary>
    public long MessagesForwarded => Interlocked.Read(ref _messages);

    /// <summary>Payload bytes of <see cref="MessagesForwarded"/>.</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytes);

    /// <summary>The stream sequence number of the last message applied to the channel (0 before the first).</summary>
    public long LastAppliedSequence => Interlocked.Read(ref _applied);

    /// <summary>Messages of the subject the server has not delivered to the bridge yet, as of the last delivery.</summary>
    public long Lag => Interlocked.Read(ref _pending);

    /// <summary>
    /// How many times the bridge found its durable consumer stalled (see <see cref="JetStreamSubscriberOptions.StallTimeout"/>)
    /// and replaced it with one that starts after the channel's checkpoint.
    /// </summary>
    public long ConsumersRecreated => Interlocked.Read(ref _consumersRecreated);

    string IBridgeProgress.Direction => "subscribe";

    string IBridgeProgress.ChannelName => _channel.Name;

    private string DurableName => _options.Durable ?? DefaultDurable(_channel.Name);

    /// <summary>The durable consumer name used when none is given.</summary>
    public static string DefaultDurable(string channelName)
    {
        ArgumentNullException.ThrowIfNull(channelName);
        return "memshare-" + channelName.Replace('.', '_');
    }

    /// <summary>
    /// Forwards messages until <paramref name="cancellationToken"/> is cancelled (then throws
    /// <see cref="OperationCanceledException"/>), or, with <see cref="JetStreamSubscriberOptions.StopAtCompletion"/>,
    /// returns once a completion was applied.
    /// </summary>
    /// <exception cref="BrokerUnavailableException">The server was unreachable for longer than <see cref="JetStreamSubscriberOptions.ReconnectTimeout"/>.</exception>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using BrokerWatch watch = await BrokerWatch.StartAsync(_connection, _options.ReconnectTimeout, cancellationToken).ConfigureAwait(false);
        bool wasCompleted = _channel.IsCompleted;
        SharedChannelWriter writer = _channel.CreateWriter();
        BridgeMetrics.Register(this);
        try
        {
            if (wasCompleted)
            {
                writer.Complete(); // taking the writer role clears the mark; a completed channel stays completed
            }

            var state = new ApplyState(writer.TryGetCheckpoint(out long checkpoint) ? checkpoint : 0, wasCompleted);
            Interlocked.Exchange(ref _applied, state.Applied);
            var js = new NatsJSContext(_connection);
            string stream = await BridgeStream.EnsureAsync(js, _options.Stream, _options.Subject, _options.CreateStream, watch.Token).ConfigureAwait(false);
            INatsJSStream jsStream = await js.GetStreamAsync(stream, cancellationToken: watch.Token).ConfigureAwait(false);
            INatsJSConsumer consumer = await ConsumerAsync(js, stream, state.Applied, watch.Token).ConfigureAwait(false);
            // Short pulls with heartbeats: after a server restart the client notices the lost pull within seconds
            // and pulls again (the defaults, 30 s and 15 s, stall the bridge for half a minute).
            var consumeOptions = new NatsJSConsumeOpts { MaxMsgs = _options.MaxPending, Expires = TimeSpan.FromSeconds(5), IdleHeartbeat = TimeSpan.FromSeconds(1) };
            while (true)
            {
                // Cancelled once nothing new has been applied for StallTimeout; applying stops the clock, since
                // waiting for room in a full channel is not a stall.
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(watch.Token);
                stall.CancelAfter(_options.StallTimeout);
                try
                {
                    await foreach (NatsJSMsg<NatsMemoryOwner<byte>> msg in consumer.ConsumeAsync(Raw, consumeOptions, stall.Token).ConfigureAwait(false))
                    {
                        using NatsMemoryOwner<byte> data = msg.Data;
                        ulong sequence = msg.Metadata?.Sequence.Stream ?? throw new InvalidOperationException($"JetStream delivered a message on '{_options.Subject}' without metadata.");
                        Interlocked.Exchange(ref _pending, (long)(msg.Metadata?.NumPending ?? 0));
                        bool fresh = (long)sequence > state.Applied;
                        if (fresh)
                        {
                            stall.CancelAfter(Timeout.InfiniteTimeSpan);
                            if (state.Applied > 0 && (long)sequence > state.Applied + 1)
                            {
                                writer = await FillGapAsync(jsStream, writer, state, (long)sequence, watch.Token).ConfigureAwait(false);
                            }

                            writer = await ApplyAsync(writer, state, (long)sequence, IsCompletion(msg.Headers), data.Memory, watch.Token).ConfigureAwait(false);
                        }

                        await msg.AckAsync(cancellationToken: watch.Token).ConfigureAwait(false);
                        if (state.CompletedNow && _options.StopAtCompletion)
                        {
                            return;
                        }

                        if (fresh)
                        {
                            stall.CancelAfter(_options.StallTimeout);
                        }
                    }
                }
                catch (OperationCanceledException) when (stall.IsCancellationRequested && !watch.Token.IsCancellationRequested)
                {
                    // The client may end the enumeration with this or quietly; both are handled below.
                }
                catch (NatsException) when (!watch.Token.IsCancellationRequested)
                {
                    // The consumer went away with the server (a restart, say): look it up again and go on.
                    await Task.Delay(200, watch.Token).ConfigureAwait(false);
                    consumer = await RetryAsync(() => ConsumerAsync(js, stream, state.Applied, watch.Token), watch).ConfigureAwait(false);
                    continue;
                }

                watch.Token.ThrowIfCancellationRequested();
                if (stall.IsCancellationRequested && await RetryAsync(() => HasMessagesPastAsync(jsStream, state.Applied, watch.Token), watch).ConfigureAwait(false))
                {
                    // The stream holds messages this consumer does not deliver. nats-server 2.9 has been seen, after
                    // being killed, to restore a durable consumer whose pending messages lie below its acknowledged
                    // floor: it redelivers them every AckWait, ignores their acknowledgements, and delivers nothing
                    // new. The channel's checkpoint, not the consumer, says what was applied: start a new consumer there.
                    consumer = await RetryAsync(() => RecreateConsumerAsync(js, stream, state.Applied, watch.Token), watch).ConfigureAwait(false);
                    Interlocked.Increment(ref _consumersRecreated);
                    BridgeMetrics.ConsumerRecreated(this);
                }
            }
        }
        catch (OperationCanceledException e) when (watch.Tripped && !cancellationToken.IsCancellationRequested)
        {
            throw watch.Error(e);
        }
        finally
        {
            BridgeMetrics.Unregister(this);
            writer.Dispose();
        }
    }

    private static bool IsCompletion(NatsHeaders? headers) => headers is not null && headers.ContainsKey(BridgeIds.CompleteHeader);

    /// <summary>Writes one message (its stream sequence as the checkpoint) or applies a completion.</summary>
    private async ValueTask<SharedChannelWriter> ApplyAsync(SharedChannelWriter writer, ApplyState state, long sequence, bool completion, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (completion)
        {
            writer.Complete();
            state.Completed = true;
            state.CompletedNow = true;
        }
        else
        {
            if (state.Completed)
            {
                // The source was reopened after a completion: a new writer clears the mark here too.
                writer.Dispose();
                writer = _channel.CreateWriter();
                state.Completed = false;
            }

            await writer.WriteAsync(payload, sequence, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _messages);
            Interlocked.Add(ref _bytes, payload.Length);
            BridgeMetrics.Add(this, 1, payload.Length);
        }

        state.Applied = sequence;
        Interlocked.Exchange(ref _applied, sequence);
        return writer;
    }

    /// <summary>Applies, in order, the subject's messages between the last applied one and <paramref name="next"/>, read straight from the stream.</summary>
    private async ValueTask<SharedChannelWriter> FillGapAsync(INatsJSStream stream, SharedChannelWriter writer, ApplyState state, long next, CancellationToken cancellationToken)
    {
        while (state.Applied + 1 < next)
        {
            StoredMessage stored;
            try
            {
                var request = new StreamMsgGetRequest { Seq = (ulong)(state.Applied + 1), NextBySubj = _options.Subject };
                stored = (await stream.GetAsync(request, cancellationToken).ConfigureAwait(false)).Message;
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
                return writer; // nothing of the subject in between
            }

            if ((long)stored.Seq >= next)
            {
                return writer;
            }

            bool completion = stored.Hdrs is { Length: > 0 } h && System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(h)).Contains(BridgeIds.CompleteHeader, StringComparison.OrdinalIgnoreCase);
            writer = await ApplyAsync(writer, state, (long)stored.Seq, completion, stored.Data, cancellationToken).ConfigureAwait(false);
        }

        return writer;
    }

    /// <summary>Whether the stream holds a message of the subject past <paramref name="applied"/>.</summary>
    private async Task<bool> HasMessagesPastAsync(INatsJSStream stream, long applied, CancellationToken cancellationToken)
    {
        try
        {
            StreamMsgGetResponse last = await stream.GetAsync(new StreamMsgGetRequest { LastBySubj = _options.Subject }, cancellationToken).ConfigureAwait(false);
            return (long)last.Message.Seq > applied;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return false; // nothing stored on the subject
        }
    }

    /// <summary>Deletes the durable consumer and creates it again to start after <paramref name="applied"/>.</summary>
    private async Task<INatsJSConsumer> RecreateConsumerAsync(NatsJSContext js, string stream, long applied, CancellationToken cancellationToken)
    {
        try
        {
            _ = await js.DeleteConsumerAsync(stream, DurableName, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
        }

        return await ConsumerAsync(js, stream, applied, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The durable consumer; created to start after the channel's checkpoint if it does not exist.</summary>
    private async Task<INatsJSConsumer> ConsumerAsync(NatsJSContext js, string stream, long applied, CancellationToken cancellationToken)
    {
        string durable = DurableName;
        try
        {
            return await js.GetConsumerAsync(stream, durable, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
        }

        var config = new ConsumerConfig(durable)
        {
            DurableName = durable,
            FilterSubject = _options.Subject,
            AckPolicy = ConsumerConfigAckPolicy.All,
            AckWait = _options.AckWait,
            MaxAckPending = Math.Max(1024, _options.MaxPending * 4),
            DeliverPolicy = applied > 0 ? ConsumerConfigDeliverPolicy.ByStartSequence : ConsumerConfigDeliverPolicy.All,
            OptStartSeq = applied > 0 ? (ulong)applied + 1 : 0,
        };
        return await js.CreateOrUpdateConsumerAsync(stream, config, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action, BrokerWatch watch)
    {
        while (true)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or TimeoutException && !watch.Token.IsCancellationRequested)
            {
                await Task.Delay(200, watch.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>What the bridge has applied in this run.</summary>
    private sealed class ApplyState(long applied, bool completed)
    {
        public long Applied { get; set; } = applied;

        public bool Completed { get; set; } = completed;

        public bool CompletedNow { get; set; }
    }
}
