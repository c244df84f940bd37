namespace Memshare;

/// <summary>Who may write to and read from a <see cref="SharedChannel"/>.</summary>
public enum ChannelMode
{
    /// <summary>One writer and one reader at a time: the fastest.</summary>
    SingleProducer = 0,

    /// <summary>Several writers (in any processes) and one reader; each writer's messages stay in its order.</summary>
    MultiProducer = 1,

    /// <summary>One writer; several independent readers, each of which sees every message.</summary>
    Broadcast = 2,
}

/// <summary>What a broadcast channel does when a reader falls a whole ring behind.</summary>
public enum ChannelOverflow
{
    /// <summary>The writer waits for the slowest attached reader: nobody loses anything.</summary>
    BackPressure = 0,

    /// <summary>The writer never waits; a reader that falls behind skips to the newest message and is told how many it lost.</summary>
    Overrun = 1,
}
