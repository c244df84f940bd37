namespace Memshare.Inspection;

/// <summary>
/// The fields of a Memshare region header (see docs/format.md), plus what a value or string currently holds and
/// the state of a lock, event or channel. Read without taking any lock, so <see cref="Version"/>,
/// <see cref="Length"/>, <see cref="Lock"/>, <see cref="Event"/> and <see cref="Channel"/> are a best-effort snapshot.
/// </summary>
public sealed record SharedMemoryHeaderInfo
{
    internal SharedMemoryHeaderInfo()
    {
    }

    /// <summary>The header's layout version; this Memshare reads version 1.</summary>
    public int LayoutVersion { get; init; }

    /// <summary>The raw kind field: 1 value, 2 string, 3 channel, 4 lock, 5 event.</summary>
    public int KindCode { get; init; }

    /// <summary>
    /// What <see cref="KindCode"/> says the region holds, even under a layout version this Memshare does not read
    /// (then <see cref="SharedMemoryInfo.Format"/> is <see cref="RegionFormat.Unknown"/>); <see cref="RegionFormat.Unknown"/>
    /// for a kind code it does not know.
    /// </summary>
    public RegionFormat Kind { get; init; }

    /// <summary>Bytes before the first payload slot.</summary>
    public long HeaderSize { get; init; }

    /// <summary>Bytes the region must have; a backing file shorter than this is damaged.</summary>
    public long TotalSize { get; init; }

    /// <summary>For a value, the layout hash of its type; for a channel, the random salt of its record tags; otherwise 0.</summary>
    public ulong Fingerprint { get; init; }

    /// <summary>For a value, the size of its type in bytes; for a string, its capacity in UTF-8 bytes; for a channel, its ring's size.</summary>
    public long PayloadSize { get; init; }

    /// <summary>Bytes from one payload slot to the next.</summary>
    public long SlotStride { get; init; }

    /// <summary>
    /// Everything wrong with the header and the kind's fixed layout, as the messages opening the region would
    /// give them (a truncated file, fields that do not fit together, a layout version this Memshare does not
    /// read); empty for a well-formed region. Opening the region throws <see cref="RegionFormatException"/> with
    /// the first of them. A channel's ring is judged separately, in <see cref="SharedChannelInfo.Damage"/>.
    /// </summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>For a value, the name of its type as its creator recorded it (e.g. <c>Int64</c>); otherwise null.</summary>
    public string? TypeName { get; init; }

    /// <summary>
    /// For a value or string, how many writes have been published so far (what <see cref="SharedValue{T}.Version"/>
    /// and <see cref="SharedString.Version"/> return); otherwise null.
    /// </summary>
    public long? Version { get; init; }

    /// <summary>For a string, the UTF-8 bytes it currently holds; null for other kinds, or if no consistent read was possible.</summary>
    public int? Length { get; init; }

    /// <summary>For a lock, its owner, waiters and recoveries; null for other kinds, or if the file is too short to hold them.</summary>
    public SharedLockInfo? Lock { get; init; }

    /// <summary>For an event, its mode, whether it is set, and its waiters; null for other kinds, or if the file is too short to hold them.</summary>
    public SharedEventInfo? Event { get; init; }

    /// <summary>
    /// For a channel, its configuration, writer, readers and fill level; null for other kinds, or if the file is
    /// too short to hold them.
    /// </summary>
    public SharedChannelInfo? Channel { get; init; }
}
