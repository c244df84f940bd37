using System.Runtime.InteropServices;

namespace Memshare.Platform;

/// <summary>
/// The 32 bytes inside a region's lock file (see docs/format.md, "macOS"). The creator writes the whole record
/// before the file gets its name, and later only <see cref="State"/>; openers read it under their shared lock.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct LockFileRecord
{
    /// <summary>ASCII <c>MSHRLOCK</c> as a little-endian u64.</summary>
    internal const ulong MagicValue = 0x4B434F4C5248534D;
    internal const int StateOffset = 8;

    internal const int Initializing = 0;
    internal const int Ready = 1;
    internal const int Failed = 2;
    internal const int ScopedFlag = 1;

    /// <summary>Offset 0: <see cref="MagicValue"/>.</summary>
    [FieldOffset(0)] public ulong Magic;

    /// <summary>Offset 8: <see cref="Initializing"/> until the region is sized and initialised, then <see cref="Ready"/>; <see cref="Failed"/> if creation failed. Written by the creator.</summary>
    [FieldOffset(8)] public int State;

    /// <summary>Offset 12: bit 0 set for a scoped region (freed with its last holder).</summary>
    [FieldOffset(12)] public int Flags;

    /// <summary>Offset 16: the size in bytes the creator asked for (a macOS shm object reports it page-rounded).</summary>
    [FieldOffset(16)] public long Size;

    /// <summary>Offset 24: the creator's owner token (pid in the low 32 bits), for messages.</summary>
    [FieldOffset(24)] public ulong Creator;

    internal readonly bool Scoped => (Flags & ScopedFlag) != 0;

    internal readonly bool IsValid => Magic == MagicValue && State is >= Initializing and <= Failed && (Flags & ~ScopedFlag) == 0 && Size > 0;
}
