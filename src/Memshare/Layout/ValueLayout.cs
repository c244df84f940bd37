using System.Text;

namespace Memshare.Layout;

/// <summary>
/// A SharedValue region: <see cref="RegionHeader"/> (kind 1, PayloadSize = sizeof(T), Fingerprint = layout
/// hash of T), <see cref="SnapshotHeader"/>, the type's name, then two slots of <c>SlotStride</c> bytes.
/// </summary>
/// <remarks>
/// <code>
/// off size field
/// 128   64 TypeName   UTF-8 name of T, NUL-padded (for error messages only)
/// 192    n slot 0     T, then padding to SlotStride = sizeof(T) rounded up to 64
/// 192+n  n slot 1
/// </code>
/// </remarks>
internal static class ValueLayout
{
    internal const int TypeNameOffset = SnapshotHeader.End; // 128
    internal const int TypeNameSize = 64;
    internal const int HeaderSize = TypeNameOffset + TypeNameSize; // 192

    internal static int Stride(int size) => RegionHeader.AlignTo64(size);

    internal static long TotalSize(int size) => HeaderSize + (2L * Stride(size));

    internal static void Initialize(Span<byte> region, int size, ulong fingerprint, string typeName, ReadOnlySpan<byte> initialValue)
    {
        ref RegionHeader h = ref MemoryMarshal.AsRef<RegionHeader>(region);
        h.Magic = RegionHeader.MagicValue;
        h.Version = RegionHeader.CurrentVersion;
        h.Kind = (ushort)RegionKind.Value;
        h.HeaderSize = HeaderSize;
        h.TotalSize = TotalSize(size);
        h.Fingerprint = fingerprint;
        h.PayloadSize = (uint)size;
        h.SlotStride = (uint)Stride(size);
        // As much of the name as fits in 63 bytes of UTF-8 (the field keeps a NUL), cut between characters.
        int chars = typeName.Length;
        while (Encoding.UTF8.GetByteCount(typeName.AsSpan(0, chars)) > TypeNameSize - 1)
        {
            chars--;
        }

        if (chars > 0 && char.IsHighSurrogate(typeName[chars - 1]))
        {
            chars--;
        }

        Encoding.UTF8.GetBytes(typeName.AsSpan(0, chars), region.Slice(TypeNameOffset, TypeNameSize - 1));
        initialValue.CopyTo(region[HeaderSize..]); // slot 0 is current while Sequence is 0
    }

    internal static string ReadTypeName(ReadOnlySpan<byte> region)
    {
        ReadOnlySpan<byte> field = region.Slice(TypeNameOffset, TypeNameSize);
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
