using Memshare.Layout;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Inspection;

/// <summary>
/// Reads what a region holds now with plain file reads: the value or string as a seqlock reader does
/// (docs/format.md, "Reader protocol"), or the first bytes of any other region. Takes no lock and never writes.
/// </summary>
internal sealed class PayloadSample(int limit)
{
    /// <summary>How often the slot is re-read while writers keep publishing, before giving up on a consistent copy.</summary>
    private const int Attempts = 8;

    /// <summary>The most bytes to keep.</summary>
    public int Limit { get; } = limit;

    public byte[]? Bytes { get; private set; }

    public long? Sequence { get; private set; }

    public long? Recoveries { get; private set; }

    internal void Read(SafeFileHandle handle, RegionFormat format, SharedMemoryHeaderInfo? header, long size)
    {
        switch (format)
        {
            case RegionFormat.SharedValue or RegionFormat.SharedString when header is not null:
                ReadSnapshot(handle, header, size, isString: format == RegionFormat.SharedString);
                break;
            default:
                byte[] first = new byte[(int)Math.Clamp(size, 0, Limit)];
                Bytes = first[..SharedMemoryCatalog.ReadAt(handle, first, 0)];
                break;
        }
    }

    private void ReadSnapshot(SafeFileHandle handle, SharedMemoryHeaderInfo header, long size, bool isString)
    {
        Span<byte> state = stackalloc byte[Unsafe.SizeOf<SnapshotHeader>()];
        int prefix = isString ? StringLayout.LengthPrefix : 0;
        byte[] slot = new byte[prefix + (int)Math.Clamp(header.PayloadSize, 0, Limit)];
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            if (SharedMemoryCatalog.ReadAt(handle, state, SnapshotHeader.Offset) < state.Length)
            {
                return;
            }

            SnapshotHeader before = MemoryMarshal.Read<SnapshotHeader>(state);
            long offset = header.HeaderSize + ((long)(before.Sequence & 1) * header.SlotStride);
            if (offset + slot.Length > size || SharedMemoryCatalog.ReadAt(handle, slot, offset) < slot.Length)
            {
                return;
            }

            // Pairs with the writer's fenced publish: the sequence is read again only after the copy.
            Interlocked.MemoryBarrier();
            if (SharedMemoryCatalog.ReadAt(handle, state, SnapshotHeader.Offset) < state.Length)
            {
                return;
            }

            SnapshotHeader after = MemoryMarshal.Read<SnapshotHeader>(state);
            if (after.Sequence != before.Sequence)
            {
                continue; // a writer published meanwhile: the copy may be torn
            }

            Sequence = (long)before.Sequence;
            Recoveries = (long)Math.Min(after.Recoveries, long.MaxValue);
            if (!isString)
            {
                Bytes = slot;
                return;
            }

            int length = MemoryMarshal.Read<int>(slot);
            if (length >= 0 && length <= header.PayloadSize)
            {
                Bytes = slot.AsSpan(prefix, Math.Min(length, slot.Length - prefix)).ToArray();
            }

            return;
        }
    }
}
