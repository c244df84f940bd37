namespace Memshare;

/// <summary>How to create a <see cref="SharedChannel"/>. Ignored when the channel already exists.</summary>
public sealed record SharedChannelOptions
{
    /// <summary>Ring size in bytes: a power of two from 4 KiB to 1 GiB. Default 1 MiB. The largest message is half of it less 16 bytes.</summary>
    public int Capacity { get; init; } = 1 << 20;

    /// <summary>Single-producer (default), multi-producer or broadcast.</summary>
    public ChannelMode Mode { get; init; } = ChannelMode.SingleProducer;

    /// <summary>Broadcast only: how many readers may attach (1 to 64, default 8).</summary>
    public int MaxReaders { get; init; } = 8;

    /// <summary>Broadcast only: back-pressure (default) or overrun.</summary>
    public ChannelOverflow Overflow { get; init; } = ChannelOverflow.BackPressure;

    /// <summary>Lifetime, permissions and namespace of the region that holds the channel.</summary>
    public SharedMemoryOptions Region { get; init; } = SharedMemoryOptions.Default;
}
