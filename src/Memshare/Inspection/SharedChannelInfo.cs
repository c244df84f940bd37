namespace Memshare.Inspection;

/// <summary>
/// The state of a <see cref="SharedChannel"/> region, read from outside without attaching as a writer or reader
/// (see <see cref="SharedMemoryHeaderInfo.Channel"/>): a snapshot that may change as soon as it is returned.
/// </summary>
/// <remarks>
/// Every field is checked against the channel's rules (docs/format.md). A value that breaks them is still
/// reported as read, and <see cref="Damage"/> says what is wrong; a field that cannot be decoded at all
/// (<see cref="Mode"/>, <see cref="Overflow"/>) is null.
/// </remarks>
public sealed record SharedChannelInfo
{
    internal SharedChannelInfo()
    {
    }

    /// <summary>Single-producer, multi-producer or broadcast, as the creator chose; null if the field holds none of them.</summary>
    public ChannelMode? Mode { get; init; }

    /// <summary>
    /// Broadcast: whether slow readers hold back the writer or lose messages (always back-pressure for the
    /// other modes); null if the field holds neither value.
    /// </summary>
    public ChannelOverflow? Overflow { get; init; }

    /// <summary>The ring's size in bytes (what <see cref="SharedChannel.Capacity"/> returns).</summary>
    public long Capacity { get; init; }

    /// <summary>The largest message in bytes (what <see cref="SharedChannel.MaxMessageLength"/> returns).</summary>
    public int MaxMessageLength { get; init; }

    /// <summary>How many reader indexes the channel has: 1 unless broadcast.</summary>
    public int MaxReaders { get; init; }

    /// <summary>The ring position, in bytes ever written, after the last published record; only grows.</summary>
    public long WriterPosition { get; init; }

    /// <summary>Messages committed so far, by every writer (what <see cref="SharedChannel.MessagesWritten"/> returns).</summary>
    public long MessagesWritten { get; init; }

    /// <summary>Whether a writer called <see cref="SharedChannelWriter.Complete"/> and no writer has cleared it since.</summary>
    public bool IsCompleted { get; init; }

    /// <summary>
    /// The pid of the process holding the writer role, or null if none does. Single-producer and broadcast
    /// writers hold it while attached; multi-producer writers only while writing one message.
    /// </summary>
    public int? WriterProcessId { get; init; }

    /// <summary>
    /// Whether the writer-role holder is still running; null if no process holds the role. A dead holder's role
    /// is taken over by the next writer (see <see cref="WriterRecoveries"/>).
    /// </summary>
    public bool? IsWriterAlive { get; init; }

    /// <summary>How many times, ever, a writer took the role over from a dead one.</summary>
    public long WriterRecoveries { get; init; }

    /// <summary>
    /// The readers that matter: reader 0 on a single-reader channel (it holds back the writer whether or not a
    /// process is attached); on a broadcast channel, every index that is attached or held by a process.
    /// </summary>
    public IReadOnlyList<SharedChannelReaderInfo> Readers { get; init; } = [];

    /// <summary>
    /// Bytes of the ring not yet read by the slowest reader that holds back the writer (at most
    /// <see cref="Capacity"/>): how close the writer is to blocking. 0 when no reader is attached to a broadcast channel.
    /// </summary>
    public long UsedBytes { get; init; }

    /// <summary><see cref="UsedBytes"/> as a fraction of <see cref="Capacity"/>, from 0 to 1.</summary>
    public double FillLevel => Capacity > 0 ? Math.Clamp((double)UsedBytes / Capacity, 0, 1) : 0;

    /// <summary>Null if every field obeys the channel's rules; otherwise what is wrong, for a person to read.</summary>
    public string? Damage { get; init; }
}
