namespace Memshare.Layout;

/// <summary>
/// The 64 bytes at offset 0 of every Memshare-formatted region (values, strings; later channels, locks,
/// events). Raw regions have no header, so C, Python and Boost see exactly their bytes. All fields are
/// little-endian and written once, by the creator, before the region gets its name; after that they are
/// read-only. See docs/format.md.
/// </summary>
/// <remarks>
/// <code>
/// off size field
///   0    8 Magic        ASCII "MEMSHARE"
///   8    2 Version      layout version, currently 1
///  10    2 Kind         RegionKind: 1 value, 2 string, 3 channel, 4 lock, 5 event
///  12    4 HeaderSize   bytes before the first payload slot
///  16    8 TotalSize    bytes the region must have; a shorter backing file is refused
///  24    8 Fingerprint  value: layout hash of T; otherwise 0
///  32    4 PayloadSize  value: sizeof(T); string: capacity in UTF-8 bytes
///  36    4 SlotStride   bytes from one payload slot to the next (a multiple of 64)
///  40   24 reserved     zero
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct RegionHeader
{
    internal const int Size = 64;
    internal const ulong MagicValue = 0x45524148534D454D; // "MEMSHARE" read as a little-endian ulong
    internal const ushort CurrentVersion = 1;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public ushort Version;
    [FieldOffset(10)] public ushort Kind;
    [FieldOffset(12)] public uint HeaderSize;
    [FieldOffset(16)] public long TotalSize;
    [FieldOffset(24)] public ulong Fingerprint;
    [FieldOffset(32)] public uint PayloadSize;
    [FieldOffset(36)] public uint SlotStride;

    internal static int AlignTo64(int value) => (value + 63) & ~63;

    /// <summary>
    /// Checks the header of an opened region against what the caller expects, and the backing file against the
    /// size the header claims. Throws <see cref="RegionFormatException"/> saying which field differs.
    /// </summary>
    internal static unsafe ref readonly RegionHeader Validate(SharedMemory region, RegionKind expected)
    {
        string name = region.Name;
        string kindName = RegionKinds.Name((ushort)expected);
        if (region.RegionSize < Size)
        {
            ThrowHelper.ThrowFormat(name, SR.HeaderTooSmall, name, region.RegionSize, kindName);
        }

        ref readonly RegionHeader h = ref Unsafe.AsRef<RegionHeader>(region.RegionBase);
        if (h.Magic != MagicValue)
        {
            ThrowHelper.ThrowFormat(name, SR.BadMagic, name, kindName, h.Magic, MagicValue);
        }

        if (h.Version != CurrentVersion)
        {
            ThrowHelper.ThrowFormat(name, SR.BadVersion, name, h.Version, CurrentVersion);
        }

        if (h.Kind != (ushort)expected)
        {
            ThrowHelper.ThrowFormat(name, SR.WrongKind, name, RegionKinds.Name(h.Kind), kindName);
        }

        if (h.TotalSize > region.RegionSize)
        {
            ThrowHelper.ThrowFormat(name, SR.RegionTruncated, name, region.RegionSize, h.TotalSize);
        }

        if (h.HeaderSize < Size || h.HeaderSize > h.TotalSize)
        {
            ThrowHelper.ThrowFormat(name, SR.BadHeaderField, name, $"header size {h.HeaderSize} does not fit total size {h.TotalSize}");
        }

        return ref h;
    }

    /// <summary>Validates a region that holds a double-buffered payload (value or string): two slots after the header.</summary>
    internal static unsafe ref readonly RegionHeader ValidateSnapshot(SharedMemory region, RegionKind expected)
    {
        ref readonly RegionHeader h = ref Validate(region, expected);
        long needed = (long)h.HeaderSize + (2L * h.SlotStride);
        if (h.HeaderSize < SnapshotHeader.End || h.SlotStride == 0 || h.SlotStride % 64 != 0 || needed > h.TotalSize)
        {
            ThrowHelper.ThrowFormat(region.Name, SR.BadHeaderField, region.Name,
                $"header size {h.HeaderSize} and slot stride {h.SlotStride} do not fit total size {h.TotalSize}");
        }

        return ref h;
    }

    /// <summary>Writes a header for a region of <paramref name="kind"/> whose payload needs no slots.</summary>
    internal static void Write(Span<byte> region, RegionKind kind, int headerSize, long totalSize)
    {
        ref RegionHeader h = ref MemoryMarshal.AsRef<RegionHeader>(region);
        h.Magic = MagicValue;
        h.Version = CurrentVersion;
        h.Kind = (ushort)kind;
        h.HeaderSize = (uint)headerSize;
        h.TotalSize = totalSize;
    }
}
