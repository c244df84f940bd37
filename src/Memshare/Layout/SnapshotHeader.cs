namespace Memshare.Layout;

/// <summary>
/// The 64 bytes after <see cref="RegionHeader"/> in value and string regions: the state of a double buffer
/// with two payload slots. See docs/format.md and <see cref="Sync.Snapshot"/> for the protocol.
/// </summary>
/// <remarks>
/// <code>
/// off size field
///  64    8 Sequence      completed writes; slot (Sequence &amp; 1) holds the current value. Only the lock
///                        holder writes it, with a full fence, after filling the other slot.
///  72    8 WriterLock    0 when free, else the owner's token: pid (low 32 bits) and a start-time stamp
///                        (high 32 bits), so a dead or recycled pid is recognised.
///  80    8 Recoveries    times a writer took the lock from a dead owner
///  88   40 reserved      zero
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct SnapshotHeader
{
    internal const int Offset = RegionHeader.Size;
    internal const int End = Offset + 64;

    [FieldOffset(0)] public ulong Sequence;
    [FieldOffset(8)] public ulong WriterLock;
    [FieldOffset(16)] public ulong Recoveries;
}
