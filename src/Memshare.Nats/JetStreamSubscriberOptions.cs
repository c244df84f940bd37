namespace Memshare.Nats;

/// <summary>Settings of a <see cref="JetStreamSubscriber"/>.</summary>
public sealed record JetStreamSubscriberOptions
{
    /// <summary>The subject to consume (required).</summary>
    public required string Subject { get; init; }

    /// <summary>The stream that stores the subject; null finds it by subject, or creates <c>MEMSHARE_SUBJECT</c> (see <see cref="CreateStream"/>).</summary>
    public string? Stream { get; init; }

    /// <summary>Create the stream if it is absent, so a subscriber may start before its publisher. Default true.</summary>
    public bool CreateStream { get; init; } = true;

    /// <summary>The durable consumer's name; null uses <c>memshare-CHANNEL</c> ('.' in the channel name becomes '_').</summary>
    public string? Durable { get; init; }

    /// <summary>Messages the client fetches ahead of the channel at most: what a full channel leaves buffered. Default 256.</summary>
    public int MaxPending { get; init; } = 256;

    /// <summary>
    /// How long the server waits for an acknowledgement before delivering a message again (only a delivery the
    /// bridge has not applied is used; the rest are acknowledged and skipped). Default 30 s.
    /// </summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the bridge waits for its consumer to deliver something new while the stream holds messages of the
    /// subject past the channel's checkpoint; then it replaces the consumer with one that starts there. Default 10 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> never replaces it.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Return from <see cref="JetStreamSubscriber.RunAsync"/> once a completion has been applied. Default false: run until cancelled.</summary>
    public bool StopAtCompletion { get; init; }

    /// <summary>How long the bridge rides out a broker that is unreachable before failing with <see cref="BrokerUnavailableException"/>. Default 30 s.</summary>
    public TimeSpan ReconnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
