namespace Memshare.Inspection;

/// <summary>One reader index of a channel, as <see cref="SharedChannelInfo.Readers"/> lists it.</summary>
public sealed record SharedChannelReaderInfo
{
    internal SharedChannelReaderInfo()
    {
    }

    /// <summary>The reader index (what <see cref="SharedChannelReader.Index"/> returns).</summary>
    public int Index { get; init; }

    /// <summary>The ring position of the next message this reader will read; only grows.</summary>
    public long Position { get; init; }

    /// <summary>
    /// Bytes written but not yet read by this reader: <see cref="SharedChannelInfo.WriterPosition"/> minus
    /// <see cref="Position"/>, never negative. Includes each record's 16-byte header and alignment.
    /// </summary>
    public long Lag { get; init; }

    /// <summary>Overrun broadcast channels: messages this index skipped because the writer lapped it (what <see cref="SharedChannelReader.LostMessages"/> returns).</summary>
    public long LostMessages { get; init; }

    /// <summary>
    /// Broadcast: whether the index is attached, so it keeps its position (and, with back-pressure, holds back
    /// the writer) even while no process reads it, until <see cref="SharedChannelReader.Detach"/>. Always true
    /// for the single reader of the other modes.
    /// </summary>
    public bool IsAttached { get; init; }

    /// <summary>The pid of the process reading at this index now, or null if none is.</summary>
    public int? OwnerProcessId { get; init; }

    /// <summary>Whether that process is still running; null if none is reading. A dead reader's index is taken over by the next reader to attach it.</summary>
    public bool? IsOwnerAlive { get; init; }
}
