namespace Memshare.Layout;

/// <summary>
/// An event region (<see cref="RegionKind.Event"/>): the common header, then the event state. 128 bytes in all.
/// </summary>
/// <remarks>
/// <code>
/// off size field
///  64    4 Signaled    1 when set; an auto-reset waiter consumes it with compare-and-swap 1 -> 0
///  68    4 Generation  futex word: bumped by every Set
///  72    4 Waiters     processes sleeping (or about to) on Generation
///  76    4 Mode        0 auto-reset, 1 manual-reset; written at creation
///  80   48 reserved
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct EventState
{
    internal const int Offset = RegionHeader.Size;
    internal const int TotalSize = Offset + 64;

    [FieldOffset(0)] public int Signaled;
    [FieldOffset(4)] public int Generation;
    [FieldOffset(8)] public int Waiters;
    [FieldOffset(12)] public int Mode;
}
