namespace Memshare;

/// <summary>
/// The settings of a new <see cref="SharedChannel"/>: its ring, mode and readers. Ignored when the channel already
/// exists. The region's own settings (lifetime, permissions, namespace) are a separate <see cref="SharedMemoryOptions"/>.
/// </summary>
public sealed record SharedChannelOptions
{
    /// <summary>The settings used when none are given: a 1 MiB single-producer ring.</summary>
    public static SharedChannelOptions Default { get; } = new();

    /// <summary>Ring size in bytes: a power of two from 4 KiB to 1 GiB. Default 1 MiB. The largest message is half of it less 16 bytes.</summary>
    public int Capacity { get; init; } = 1 << 20;

    /// <summary>Single-producer (default), multi-producer or broadcast.</summary>
    public ChannelMode Mode { get; init; } = ChannelMode.SingleProducer;

    /// <summary>Broadcast only: how many readers may attach (1 to 64, default 8).</summary>
    public int MaxReaders { get; init; } = 8;

    /// <summary>Broadcast only: back-pressure (default) or overrun.</summary>
    public ChannelOverflow Overflow { get; init; } = ChannelOverflow.BackPressure;
}
