using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Memshare.Nats;

/// <summary>
/// Forwards a <see cref="SharedChannel"/>'s messages, in order, to a JetStream subject, exactly once across crashes
/// of the bridge, and carries the channel's completion across.
/// </summary>
/// <remarks>
/// <para>The bridge reads the channel as a durable reader index and keeps up to <see cref="JetStreamPublisherOptions.MaxInFlight"/>
/// publishes awaiting the server's acknowledgement; a message is consumed from the channel only once its publish
/// is acknowledged. Each message's id is <c>ms-SALT-SEQ</c> (the channel's incarnation and the message's sequence
/// number), so a bridge killed between the acknowledgement and consuming re-sends it and the stream drops the
/// duplicate. A restarted bridge also asks the stream for the subject's last message and skips what it already stored.</para>
/// <para>Order: every publish but the first after a (re)start expects the stream's last message id to be its
/// predecessor's (<c>Nats-Expected-Last-Msg-Id</c>), so a publish that overtook a lost one is refused by the
/// server; the bridge then sends again from the oldest unacknowledged message. Give the bridge a stream of its own.</para>
/// <para>Back-pressure: a slow broker leaves messages unconsumed in the channel, whose writer blocks (or fails
/// <c>TryWrite</c>) once the ring is full; nothing is dropped.</para>
/// <para>Completion: when the channel is completed and drained, the bridge publishes an empty message with the
/// header <c>Memshare-Complete: 1</c> and its own id, and <see cref="RunAsync"/> returns.</para>
/// </remarks>
public sealed class JetStreamPublisher : IBridgeProgress
{
    private static readonly INatsSerialize<ReadOnlyMemory<byte>> Raw = NatsRawSerializer<ReadOnlyMemory<byte>>.Default;

    private readonly SharedChannel _channel;
    private readonly INatsConnection _connection;
    private readonly JetStreamPublisherOptions _options;
    private readonly string _prefix;
    private long _messages;
    private long _bytes;
    private long _nextUnacked = -1;

    /// <summary>Prepares a bridge from <paramref name="channel"/> over <paramref name="connection"/>; <see cref="RunAsync"/> runs it.</summary>
    public JetStreamPublisher(SharedChannel channel, INatsConnection connection, JetStreamPublisherOptions options)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Subject);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlightBytes, 1);
        _channel = channel;
        _connection = connection;
        _options = options;
        _prefix = BridgeIds.Prefix(channel.Salt);
    }

    /// <summary>Messages published and acknowledged (duplicates the stream dropped included) by this bridge.</summary>
    public long MessagesForwarded => Interlocked.Read(ref _messages);

    /// <summary>Payload bytes of <see cref="MessagesForwarded"/>.</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytes);

    /// <summary>Messages in the channel not yet acknowledged by the server.</summary>
    public long Lag
    {
        get
        {
            long next = Interlocked.Read(ref _nextUnacked);
            return next < 0 ? 0 : Math.Max(0, _channel.MessagesWritten - next);
        }
    }

    string IBridgeProgress.Direction => "publish";

    string IBridgeProgress.ChannelName => _channel.Name;

    /// <summary>
    /// Forwards messages until the channel is completed and drained (then publishes the completion and returns the
    /// messages forwarded) or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <exception cref="BrokerUnavailableException">The server was unreachable for longer than <see cref="JetStreamPublisherOptions.ReconnectTimeout"/>.</exception>
    public async Task<long> RunAsync(CancellationToken cancellationToken = default)
    {
        using BrokerWatch watch = await BrokerWatch.StartAsync(_connection, _options.ReconnectTimeout, cancellationToken).ConfigureAwait(false);
        using SharedChannelReader reader = _channel.CreateReader(_options.ReaderIndex);
        BridgeMetrics.Register(this);
        try
        {
            var js = new NatsJSContext(_connection);
            string stream = await BridgeStream.EnsureAsync(js, _options.Stream, _options.Subject, _options.CreateStream, watch.Token).ConfigureAwait(false);
            await SkipStoredAsync(js, stream, reader, watch.Token).ConfigureAwait(false);
            await PumpAsync(js, reader, watch).ConfigureAwait(false);
            return MessagesForwarded;
        }
        catch (OperationCanceledException e) when (watch.Tripped && !cancellationToken.IsCancellationRequested)
        {
            throw watch.Error(e);
        }
        finally
        {
            BridgeMetrics.Unregister(this);
        }
    }

    /// <summary>
    /// A restarted bridge: the messages up to the subject's last stored message, if that came from this channel, are
    /// in the stream already (published, but the bridge died before consuming them); consume them without sending.
    /// </summary>
    private async Task SkipStoredAsync(NatsJSContext js, string stream, SharedChannelReader reader, CancellationToken cancellationToken)
    {
        if (!reader.TryReadAhead(out _, out long first))
        {
            reader.RewindReadAhead();
            return;
        }

        reader.RewindReadAhead();
        long stored;
        try
        {
            INatsJSStream s = await js.GetStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            StreamMsgGetResponse last = await s.GetAsync(new StreamMsgGetRequest { LastBySubj = _options.Subject }, cancellationToken).ConfigureAwait(false);
            stored = BridgeIds.SequenceFromHeaders(last.Message.Hdrs, _prefix);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return; // nothing stored on the subject
        }

        int skip = 0;
        while (first + skip <= stored && reader.TryReadAhead(out _, out _))
        {
            skip++;
        }

        reader.AdvanceReadAhead(skip);
        reader.RewindReadAhead();
    }

    private async Task PumpAsync(NatsJSContext js, SharedChannelReader reader, BrokerWatch watch)
    {
        CancellationToken cancellationToken = watch.Token;
        var window = new PublishWindow(_options.MaxInFlight);
        string? previousId = null; // the id the next publish expects to be the stream's last; none after a (re)start
        long retryUntil = 0;
        int maxPayload = Math.Max(1, _connection.ServerInfo?.MaxPayload ?? int.MaxValue);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (window.Count < _options.MaxInFlight && (window.Count == 0 || window.Bytes < _options.MaxInFlightBytes)
                && reader.TryReadAhead(out ReadOnlySpan<byte> message, out long sequence))
            {
                if (message.Length > maxPayload)
                {
                    throw new InvalidOperationException($"Channel '{_channel.Name}': message {sequence} has {message.Length} bytes, more than the NATS server's max_payload of {maxPayload}; raise max_payload on the server or send smaller messages.");
                }

                if (window.Count == 0)
                {
                    Interlocked.Exchange(ref _nextUnacked, sequence);
                }

                ReadOnlyMemory<byte> payload = window.Stage(message);
                string id = BridgeIds.MessageId(_prefix, sequence);
                var opts = new NatsJSPubOpts { MsgId = id, ExpectedLastMsgId = previousId };
                window.Add(js.PublishAsync(_options.Subject, payload, Raw, opts, cancellationToken: cancellationToken), message.Length);
                previousId = id;
            }

            if (window.Count == 0)
            {
                if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    await PublishCompletionAsync(js, previousId, watch).ConfigureAwait(false);
                    return;
                }

                continue;
            }

            // Collect the acknowledgements that are in, in order; consume those messages in one step.
            int acked = 0;
            long ackedBytes = 0;
            bool failed = false;
            do
            {
                (PubAckResponse? ack, Exception? error) = await window.TakeOldestAsync().ConfigureAwait(false);
                if (error is not null || ack is null || ack.Error is not null)
                {
                    if ((error is OperationCanceledException && cancellationToken.IsCancellationRequested)
                        || (error is not null && error is not (NatsException or TimeoutException or OperationCanceledException)))
                    {
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error); // cancelled, or not the broker's doing: no retry
                    }

                    ThrowIfFatal(ack?.Error);
                    failed = true;
                    break;
                }

                acked++;
                ackedBytes += window.LastLength;
            }
            while (window.Count > 0 && window.OldestCompleted);

            if (acked > 0)
            {
                reader.AdvanceReadAhead(acked);
                Interlocked.Add(ref _messages, acked);
                Interlocked.Add(ref _bytes, ackedBytes);
                Interlocked.Add(ref _nextUnacked, acked);
                BridgeMetrics.Add(this, acked, ackedBytes);
                retryUntil = 0;
            }

            if (failed)
            {
                // Let the rest settle, then send again from the oldest unacknowledged message: what the stream stored
                // already comes back as a duplicate, the rest in order.
                await window.DrainAsync().ConfigureAwait(false);
                reader.RewindReadAhead();
                previousId = null;
                retryUntil = retryUntil == 0 ? Environment.TickCount64 + (long)_options.ReconnectTimeout.TotalMilliseconds : retryUntil;
                if (Environment.TickCount64 > retryUntil)
                {
                    throw watch.Error();
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PublishCompletionAsync(NatsJSContext js, string? previousId, BrokerWatch watch)
    {
        long count = _channel.MessagesWritten;
        var headers = new NatsHeaders { [BridgeIds.CompleteHeader] = "1" };
        long retryUntil = Environment.TickCount64 + (long)_options.ReconnectTimeout.TotalMilliseconds;
        while (true)
        {
            try
            {
                var opts = new NatsJSPubOpts { MsgId = BridgeIds.CompletionId(_prefix, count), ExpectedLastMsgId = previousId };
                PubAckResponse ack = await js.PublishAsync(_options.Subject, ReadOnlyMemory<byte>.Empty, Raw, opts, headers, watch.Token).ConfigureAwait(false);
                if (ack.Error is null)
                {
                    return;
                }

                ThrowIfFatal(ack.Error);
            }
            catch (Exception e) when (e is NatsException or TimeoutException && !watch.Token.IsCancellationRequested)
            {
            }

            previousId = null;
            if (Environment.TickCount64 > retryUntil)
            {
                throw watch.Error();
            }

            await Task.Delay(100, watch.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Errors that sending again cannot fix; the ordering refusal (10070) and unavailability are retried.</summary>
    private void ThrowIfFatal(ApiError? error)
    {
        if (error is not null && error.ErrCode != 10070 && error.Code != 503)
        {
            throw new InvalidOperationException($"JetStream refused a message from channel '{_channel.Name}' on subject '{_options.Subject}': {error.Description} (code {error.Code}, error {error.ErrCode}).");
        }
    }
}
