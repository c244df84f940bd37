namespace Memshare.Inspection;

/// <summary>
/// One look at a region: what <see cref="SharedMemoryCatalog.GetInfo"/> reports, plus the start of its current
/// contents, read through the same descriptor and, like everything in the catalog, without becoming a holder.
/// Returned by <see cref="SharedMemoryCatalog.GetSample"/>.
/// </summary>
public sealed record SharedMemorySample
{
    internal SharedMemorySample()
    {
    }

    /// <summary>The region as <see cref="SharedMemoryCatalog.GetInfo"/> describes it.</summary>
    public SharedMemoryInfo Info { get; init; } = null!;

    /// <summary>
    /// A value's bytes or a string's UTF-8 text from one consistent read (the seqlock reader protocol of
    /// docs/format.md), or the first bytes of any other region; at most the limit asked for. Null if no
    /// consistent read succeeded (writers kept publishing) or the file is too short.
    /// </summary>
    public ReadOnlyMemory<byte>? Payload { get; init; }

    /// <summary>For a value or string, the write count <see cref="Payload"/> belongs to; otherwise null.</summary>
    public long? Version { get; init; }

    /// <summary>For a value or string, how many times a writer took the lock over from a dead one; otherwise null.</summary>
    public long? Recoveries { get; init; }
}
