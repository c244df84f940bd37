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
    /// Checks the header of an opened region against what the caller expects, the backing file against the size the
    /// header claims, and the kind's fixed layout (<see cref="Check"/>). Throws <see cref="RegionFormatException"/>
    /// saying which field differs.
    /// </summary>
    internal static unsafe ref readonly RegionHeader Validate(SharedMemory region, RegionKind expected)
    {
        string name = region.Name;
        if (region.RegionSize < Size)
        {
            ThrowHelper.ThrowFormat(name, SR.HeaderTooSmall, name, region.RegionSize, RegionKinds.Name((ushort)expected));
        }

        ref readonly RegionHeader h = ref Unsafe.AsRef<RegionHeader>(region.RegionBase);
        Check(h, name, region.RegionSize, expected, problems: null);
        return ref h;
    }

    /// <summary>
    /// The one validator of the header and of each kind's fixed layout, for the live types and the inspector alike.
    /// With <paramref name="problems"/> null (a live open) it throws <see cref="RegionFormatException"/> at the first
    /// problem; otherwise (the inspector) it adds every problem it finds and goes on where that still makes sense.
    /// </summary>
    /// <param name="h">A copy of the header, or the header in the mapping.</param>
    /// <param name="name">The region's name, for the messages.</param>
    /// <param name="regionSize">Bytes the region (its mapping or its file) really has.</param>
    /// <param name="expected">The kind the caller opens it as; the inspector passes the kind the header names.</param>
    /// <param name="problems">Null to throw, or the list to add messages to.</param>
    internal static void Check(in RegionHeader h, string name, long regionSize, RegionKind expected, List<string>? problems)
    {
        string kindName = RegionKinds.Name((ushort)expected);
        if (h.Magic != MagicValue)
        {
            Report(problems, name, SR.BadMagic, name, kindName, h.Magic, MagicValue);
            return; // not a Memshare header: no other field means anything
        }

        if (h.Version != CurrentVersion)
        {
            Report(problems, name, SR.BadVersion, name, h.Version, CurrentVersion);
            return; // another layout: its fields are not ours to judge
        }

        if (h.Kind != (ushort)expected)
        {
            Report(problems, name, SR.WrongKind, name, RegionKinds.Name(h.Kind), kindName);
            return;
        }

        if (h.TotalSize > regionSize)
        {
            Report(problems, name, SR.RegionTruncated, name, regionSize, h.TotalSize);
        }

        if (h.HeaderSize < Size || h.HeaderSize > h.TotalSize)
        {
            Report(problems, name, SR.BadHeaderField, name, $"header size {h.HeaderSize} does not fit total size {h.TotalSize}");
            return; // the kind's own checks build on the header size
        }

        switch (expected)
        {
            case RegionKind.Value or RegionKind.String:
                CheckSlots(h, name, expected, problems);
                break;
            case RegionKind.Lock when regionSize < LockState.TotalSize:
                Report(problems, name, SR.RegionTruncated, name, regionSize, LockState.TotalSize);
                break;
            case RegionKind.Event when regionSize < EventState.TotalSize:
                Report(problems, name, SR.RegionTruncated, name, regionSize, EventState.TotalSize);
                break;
        }
    }

    /// <summary>A value's or string's two slots: where <see cref="ValueLayout"/> and <see cref="StringLayout"/> put them.</summary>
    private static void CheckSlots(in RegionHeader h, string name, RegionKind kind, List<string>? problems)
    {
        long needed = (long)h.HeaderSize + (2L * h.SlotStride);
        if (h.HeaderSize < SnapshotHeader.End || h.SlotStride == 0 || h.SlotStride % 64 != 0 || needed > h.TotalSize)
        {
            Report(problems, name, SR.BadHeaderField, name,
                $"header size {h.HeaderSize} and slot stride {h.SlotStride} do not fit total size {h.TotalSize}");
            return;
        }

        if (kind == RegionKind.Value)
        {
            if (h.PayloadSize > int.MaxValue || h.HeaderSize != ValueLayout.HeaderSize || h.SlotStride != ValueLayout.Stride((int)h.PayloadSize))
            {
                Report(problems, name, SR.BadHeaderField, name,
                    $"header size {h.HeaderSize} and slot stride {h.SlotStride} do not match a {h.PayloadSize}-byte value");
            }
        }
        else if (h.PayloadSize is 0 or > StringLayout.MaxCapacity || h.SlotStride != StringLayout.Stride((int)h.PayloadSize)
            || h.HeaderSize != StringLayout.HeaderSize)
        {
            Report(problems, name, SR.BadHeaderField, name, $"capacity {h.PayloadSize} does not match slot stride {h.SlotStride}");
        }
    }

    private static void Report(List<string>? problems, string name, string format, params object?[] args)
    {
        if (problems is null)
        {
            ThrowHelper.ThrowFormat(name, format, args);
        }

        problems.Add(SR.Format(format, args));
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
