using System.Buffers.Binary;
using Memshare.Layout;
using Memshare.Sync;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Inspection;

/// <summary>
/// A value's or string's double buffer read through its backing file with plain reads, so that the inspector runs
/// the same reader protocol as <see cref="Memshare.SharedValue{T}"/> (<see cref="Snapshot.Read{TSource}"/>) without
/// mapping anything: a short or truncated file ends a read, never faults.
/// </summary>
internal readonly struct SnapshotFileSource(SafeFileHandle handle) : ISnapshotSource
{
    /// <summary>How often a slot is re-read while writers keep publishing, before giving up on a consistent copy.</summary>
    internal const int Attempts = 8;

    public bool TryReadSequence(out ulong sequence) => TryReadField(SnapshotHeader.Offset, out sequence);

    public bool TryCopy(long offset, Span<byte> destination) =>
        SharedMemoryCatalog.ReadAt(handle, destination, offset) == destination.Length;

    /// <summary>Reads the recovered-writer count; false if the file ends first.</summary>
    public bool TryReadRecoveries(out ulong recoveries) => TryReadField(SnapshotHeader.Offset + 16, out recoveries);

    /// <summary>The slots' shape as the header describes it; false if a field is out of range for any region.</summary>
    internal static bool TryShape(SharedMemoryHeaderInfo header, bool isString, out SnapshotShape shape)
    {
        bool fits = header.HeaderSize is > 0 and <= int.MaxValue && header.SlotStride is > 0 and <= int.MaxValue
            && header.PayloadSize is >= 0 and <= int.MaxValue;
        shape = fits ? new SnapshotShape((int)header.HeaderSize, (int)header.SlotStride, (int)header.PayloadSize, isString) : default;
        return fits;
    }

    private bool TryReadField(long offset, out ulong value)
    {
        Span<byte> field = stackalloc byte[sizeof(ulong)];
        bool read = TryCopy(offset, field);
        value = read ? BinaryPrimitives.ReadUInt64LittleEndian(field) : 0;
        return read;
    }
}
