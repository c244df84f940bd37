namespace Memshare.Layout;

/// <summary>
/// A channel region (<see cref="RegionKind.Channel"/>): the common header, a control block whose hot fields
/// each sit on their own 128-byte line, one 128-byte line per reader, then the ring of records.
/// </summary>
/// <remarks>
/// <code>
/// off  size field
///   0    64 RegionHeader   Kind 3; PayloadSize = ring capacity (a power of two); Fingerprint = Salt;
///                          HeaderSize = DataOffset
///  64     4 Mode           0 single-producer, 1 multi-producer, 2 broadcast
///  68     4 MaxReaders     reader lines that follow (1 unless broadcast)
///  72     4 Overflow       broadcast only: 0 back-pressure, 1 overrun (slow readers lose the oldest)
///  76     4 MaxMessage     the largest payload a record may carry
/// 256     8 WriterPosition ring position after the last committed record (writer's line)
/// 264     8 Messages       records committed so far (= the next record's sequence number)
/// 272     8 Latest         position of the newest committed record (overrun readers jump here)
/// 280     8 Claim          overrun mode: end of the range the writer may be overwriting now
/// 288     4 Completed      1 after the writer called Complete(); a new writer clears it
/// 320    32 Checkpoints    two slots {Count u64, Value u64}: a writer committing record n with a checkpoint
///                          first fills slot n &amp; 1 with Count = n + 1, so after any crash slot (C - 1) &amp; 1 holds
///                          the newest record's checkpoint exactly when its Count equals the committed count C
/// 384     8 WriterLock     owner token of the writer role (for good in single-producer and broadcast
///                          modes; per message in multi-producer mode); recovered when the owner dies
/// 392     8 Recoveries     times the writer role was taken from a dead owner
/// 512     4 DataSeq        futex word readers sleep on; bumped by a commit that finds sleepers
/// 516     4 DataWaiters    readers asleep (or about to be) on DataSeq
/// 640     4 SpaceSeq       futex word writers sleep on; bumped by a reader that frees space for sleepers
/// 644     4 SpaceWaiters   writers asleep (or about to be) on SpaceSeq
/// 768   128 reader 0       Position u64 (next record to read), Owner u64 (owner token while attached),
///                          Lost u64 (overrun: records skipped), Attached u32 (1 while it holds back the writer),
///                          NextSequence u64 at +32 (overrun: sequence number after the last record this index
///                          consumed, stored just before Position, so a lapped index that comes back counts its gap)
/// ...       reader i at 768 + 128 i
/// DataOffset               the ring: align(768 + 128 MaxReaders, 4096), PayloadSize bytes
///
/// record (16-byte aligned, never split across the ring's end):
///   0 4 Length    payload bytes, or -1 for padding that fills the ring to its end
///   4 4 Sequence  low 32 bits of the record's sequence number
///   8 8 Tag       the record's ring position XOR Salt, stored last with release semantics: the commit.
///                 A reader at position p accepts the record only if Tag == p ^ Salt, so stale bytes from an
///                 earlier lap (or a record being written) are never mistaken for a message.
///  16 n Payload
/// </code>
/// </remarks>
internal static class ChannelLayout
{
    internal const int ModeOffset = 64;
    internal const int WriterLine = 256;
    internal const int CheckpointsOffset = 320;
    internal const int WriterLockLine = 384;
    internal const int DataWaitLine = 512;
    internal const int SpaceWaitLine = 640;
    internal const int ReadersOffset = 768;
    internal const int ReaderStride = 128;
    internal const int RecordHeaderSize = 16;
    internal const int RecordAlignment = 16;
    internal const int PaddingLength = -1;

    internal const int MinCapacity = 4096;
    internal const int MaxCapacity = 1 << 30;
    internal const int MaxReadersLimit = 64;

    internal static int DataOffset(int maxReaders) => (ReadersOffset + (ReaderStride * maxReaders) + 4095) & ~4095;

    internal static long TotalSize(int capacity, int maxReaders) => DataOffset(maxReaders) + (long)capacity;

    /// <summary>The largest payload: half the ring less a header, so a record always fits once the ring drains.</summary>
    internal static int MaxMessage(int capacity) => (capacity / 2) - RecordHeaderSize;

    internal static int RecordSize(int length) => (RecordHeaderSize + length + RecordAlignment - 1) & ~(RecordAlignment - 1);
}

/// <summary>The control fields at <see cref="ChannelLayout.ModeOffset"/>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct ChannelConfig
{
    [FieldOffset(0)] public int Mode;
    [FieldOffset(4)] public int MaxReaders;
    [FieldOffset(8)] public int Overflow;
    [FieldOffset(12)] public int MaxMessage;
}

/// <summary>The writer's line at <see cref="ChannelLayout.WriterLine"/>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal struct ChannelWriterState
{
    [FieldOffset(0)] public long Position;
    [FieldOffset(8)] public long Messages;
    [FieldOffset(16)] public long Latest;
    [FieldOffset(24)] public long Claim;
    [FieldOffset(32)] public int Completed;
}

/// <summary>
/// One of the two checkpoint slots at <see cref="ChannelLayout.CheckpointsOffset"/> (writer's line): record n's
/// checkpoint lives in slot n &amp; 1, written before the record's commit, so the slot of the newest committed record
/// is never the one a writer may be filling.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct ChannelCheckpoint
{
    /// <summary>The channel's message count once the record is committed (its sequence number + 1); 0 = never written.</summary>
    [FieldOffset(0)] public long Count;

    /// <summary>The writer's 64-bit value, e.g. a source's sequence number.</summary>
    [FieldOffset(8)] public long Value;
}

/// <summary>One reader's line, written by the process attached as that reader.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal struct ChannelReaderState
{
    /// <summary>Ring position of the next record to read; only grows.</summary>
    [FieldOffset(0)] public long Position;

    /// <summary>Owner token of the attached process, 0 when none.</summary>
    [FieldOffset(8)] public ulong Owner;

    /// <summary>Overrun: messages this index skipped because the writer lapped it.</summary>
    [FieldOffset(16)] public long Lost;

    /// <summary>Broadcast: 1 while the index keeps its position (and, with back-pressure, holds back the writer).</summary>
    [FieldOffset(24)] public int Attached;

    /// <summary>
    /// Overrun: the sequence number after the last message this index consumed (set on attach to the writer's count),
    /// stored before <see cref="Position"/> on every read; the next message's number minus this is what it lost.
    /// </summary>
    [FieldOffset(32)] public long NextSequence;
}

/// <summary>A futex word and its sleeper count.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct WaitWord
{
    [FieldOffset(0)] public int Seq;
    [FieldOffset(4)] public int Waiters;
}

/// <summary>The 16-byte header of every record in the ring.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct RecordHeader
{
    [FieldOffset(0)] public int Length;
    [FieldOffset(4)] public uint Sequence;
    [FieldOffset(8)] public ulong Tag;
}
