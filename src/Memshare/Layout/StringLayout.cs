namespace Memshare.Layout;

/// <summary>
/// A string slot region: <see cref="RegionHeader"/> (kind 2, PayloadSize = capacity in UTF-8 bytes),
/// <see cref="SnapshotHeader"/>, then two slots of <c>SlotStride</c> bytes at <see cref="HeaderSize"/>.
/// </summary>
/// <remarks>
/// <code>
/// slot: off size field
///         0    4 Length   UTF-8 bytes in this slot, 0..capacity (little-endian int32)
///         4    n Bytes    the UTF-8 text, no terminator; bytes past Length are unspecified
/// </code>
/// </remarks>
internal static class StringLayout
{
    internal const int HeaderSize = SnapshotHeader.End; // 128
    internal const int LengthPrefix = 4;

    /// <summary>The largest capacity a slot may have: 64 MiB.</summary>
    internal const int MaxCapacity = 64 << 20;

    internal static int Stride(int capacity) => RegionHeader.AlignTo64(LengthPrefix + capacity);

    internal static long TotalSize(int capacity) => HeaderSize + (2L * Stride(capacity));

    internal static void Initialize(Span<byte> region, int capacity)
    {
        ref RegionHeader h = ref MemoryMarshal.AsRef<RegionHeader>(region);
        h.Magic = RegionHeader.MagicValue;
        h.Version = RegionHeader.CurrentVersion;
        h.Kind = (ushort)RegionKind.String;
        h.HeaderSize = HeaderSize;
        h.TotalSize = TotalSize(capacity);
        h.PayloadSize = (uint)capacity;
        h.SlotStride = (uint)Stride(capacity);
    }
}
