namespace Memshare.Layout;

/// <summary>
/// A lock region (<see cref="RegionKind.Lock"/>): the common header, then the lock state. 128 bytes in all.
/// </summary>
/// <remarks>
/// <code>
/// off size field
///  64    8 Owner       0 when free, else the owner's token (pid low 32 bits, start-time stamp high 32);
///                      taken with compare-and-swap, so a crash can never leave it half-written
///  72    4 WakeSeq     futex word: bumped by every release that finds sleepers
///  76    4 Waiters     processes sleeping (or about to) on WakeSeq
///  80    8 Recoveries  times a waiter took the lock from a dead owner
///  88   40 reserved
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct LockState
{
    internal const int Offset = RegionHeader.Size;
    internal const int TotalSize = Offset + 64;

    [FieldOffset(0)] public ulong Owner;
    [FieldOffset(8)] public int WakeSeq;
    [FieldOffset(12)] public int Waiters;
    [FieldOffset(16)] public ulong Recoveries;
}
