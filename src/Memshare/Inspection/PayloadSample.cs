using Memshare.Sync;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Inspection;

/// <summary>
/// Reads what a region holds now with plain file reads: the value or string as a seqlock reader does
/// (docs/format.md, "Reader protocol"), or the first bytes of any other region. Takes no lock and never writes.
/// </summary>
internal sealed class PayloadSample(int limit)
{
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
                ReadSnapshot(handle, header, isString: format == RegionFormat.SharedString);
                break;
            default:
                byte[] first = new byte[(int)Math.Clamp(size, 0, Limit)];
                Bytes = first[..SharedMemoryCatalog.ReadAt(handle, first, 0)];
                break;
        }
    }

    private void ReadSnapshot(SafeFileHandle handle, SharedMemoryHeaderInfo header, bool isString)
    {
        if (!SnapshotFileSource.TryShape(header, isString, out SnapshotShape shape))
        {
            return;
        }

        var source = new SnapshotFileSource(handle);
        byte[] buffer = new byte[(int)Math.Clamp(header.PayloadSize, 0, Limit)];
        SnapshotReadStatus status = Snapshot.Read(in source, shape, buffer, SnapshotFileSource.Attempts, out ulong sequence, out int length);
        if (status is SnapshotReadStatus.Copied or SnapshotReadStatus.BadLength)
        {
            Sequence = (long)sequence;
            Recoveries = source.TryReadRecoveries(out ulong recoveries) ? (long)Math.Min(recoveries, long.MaxValue) : null;
        }

        if (status == SnapshotReadStatus.Copied)
        {
            Bytes = length >= buffer.Length ? buffer : buffer[..length];
        }
    }
}
