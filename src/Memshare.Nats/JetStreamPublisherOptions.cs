namespace Memshare.Nats;

/// <summary>Settings of a <see cref="JetStreamPublisher"/>.</summary>
public sealed record JetStreamPublisherOptions
{
    /// <summary>The subject to publish to (required).</summary>
    public required string Subject { get; init; }

    /// <summary>The stream that stores the subject; null finds it by subject, or creates <c>MEMSHARE_SUBJECT</c> (see <see cref="CreateStream"/>).</summary>
    public string? Stream { get; init; }

    /// <summary>Create the stream if it is absent (file storage, no limits, 2-minute duplicate window). Default true.</summary>
    public bool CreateStream { get; init; } = true;

    /// <summary>The channel reader index the bridge reads as: its durable position on the channel. Default 0.</summary>
    public int ReaderIndex { get; init; }

    /// <summary>Publishes awaiting the server's acknowledgement at most. Default 512.</summary>
    public int MaxInFlight { get; init; } = 512;

    /// <summary>Payload bytes awaiting acknowledgement at most (one message always goes). Default 8 MiB.</summary>
    public long MaxInFlightBytes { get; init; } = 8 << 20;

    /// <summary>How long the bridge rides out a broker that is unreachable before failing with <see cref="BrokerUnavailableException"/>. Default 30 s.</summary>
    public TimeSpan ReconnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
