using Memshare.Channels;
using Memshare.Layout;
using Memshare.Sync;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Inspection;

/// <summary>
/// Reads a channel's control block (docs/format.md) with plain file reads and checks every field, for
/// <see cref="SharedMemoryCatalog"/>. Attaches nothing: no writer role, no reader index, no wait.
/// </summary>
/// <remarks>
/// The writer and readers move their positions while we read. Two reads of the whole block in a row that agree
/// on every position describe one instant (each value held from the first read to the second), so the
/// ring-bound checks apply. While the channel stays busy, the writer's fields come from the later read and the
/// readers' from the earlier one, which keeps every reader at or behind the writer, and the check that a reader
/// is at most a ring behind is skipped.
/// </remarks>
internal static class ChannelSnapshot
{
    /// <summary>How many times the block is re-read while waiting for two reads that agree.</summary>
    private const int ReadAttempts = 8;

    /// <summary>The channel's state, or null if the file ends before its control block.</summary>
    internal static SharedChannelInfo? Read(SafeFileHandle handle, SharedMemoryHeaderInfo header)
    {
        Span<byte> configBytes = stackalloc byte[Unsafe.SizeOf<ChannelConfig>()];
        if (SharedMemoryCatalog.ReadAt(handle, configBytes, ChannelLayout.ModeOffset) < configBytes.Length)
        {
            return null;
        }

        // A damaged MaxReaders still lets us show what is there: read the lines that can exist.
        int lines = Math.Clamp(MemoryMarshal.Read<ChannelConfig>(configBytes).MaxReaders, 1, ChannelLayout.MaxReadersLimit);
        int blockSize = ChannelLayout.ReadersOffset + (ChannelLayout.ReaderStride * lines);
        byte[] earlier = new byte[blockSize];
        byte[] later = new byte[blockSize];
        if (SharedMemoryCatalog.ReadAt(handle, later, 0) < blockSize)
        {
            return null;
        }

        bool stable = false;
        for (int attempt = 0; attempt < ReadAttempts && !stable; attempt++)
        {
            (earlier, later) = (later, earlier);
            if (SharedMemoryCatalog.ReadAt(handle, later, 0) < blockSize)
            {
                return null;
            }

            stable = SamePositions(earlier, later, lines);
        }

        return Decode(header, earlier, later, lines, stable);
    }

    /// <summary>
    /// Decodes a snapshot: configuration and writer fields from <paramref name="later"/>, reader lines from
    /// <paramref name="earlier"/>. <paramref name="stable"/> says the two agree on every position.
    /// </summary>
    internal static SharedChannelInfo Decode(SharedMemoryHeaderInfo header, ReadOnlySpan<byte> earlier, ReadOnlySpan<byte> later, int lines, bool stable)
    {
        var problems = new List<string>();
        ChannelConfig config = MemoryMarshal.Read<ChannelConfig>(later[ChannelLayout.ModeOffset..]);
        ChannelWriterState writer = MemoryMarshal.Read<ChannelWriterState>(later[ChannelLayout.WriterLine..]);
        ulong writerLock = MemoryMarshal.Read<ulong>(later[ChannelLayout.WriterLockLine..]);
        ulong recoveries = MemoryMarshal.Read<ulong>(later[(ChannelLayout.WriterLockLine + sizeof(ulong))..]);

        long capacity = header.PayloadSize;
        (ChannelMode? mode, ChannelOverflow? overflow) = ChannelGeometry.Check(capacity, header.HeaderSize, header.TotalSize, config, problems, firstOnly: false);
        bool capacityValid = ChannelGeometry.IsValidCapacity(capacity);
        bool broadcast = mode == ChannelMode.Broadcast;

        long tail = writer.Position;
        if (!RingView.IsRecordPosition(tail))
        {
            problems.Add(Format("the writer position {0} is not a multiple of {1} from 0 up", tail, ChannelLayout.RecordAlignment));
        }

        // Every message takes at least one 16-byte record header of the ring.
        if (writer.Messages < 0 || (tail >= 0 && writer.Messages > tail / ChannelLayout.RecordHeaderSize))
        {
            problems.Add(Format("{0} messages cannot have been written by writer position {1}", writer.Messages, tail));
        }

        if (writer.Completed is not (0 or 1))
        {
            problems.Add(Format("the completed flag holds {0}, not 0 or 1", writer.Completed));
        }

        bool overrun = broadcast && overflow == ChannelOverflow.Overrun;
        long ring = capacityValid ? capacity : long.MaxValue;
        var readers = new List<SharedChannelReaderInfo>();
        long? slowest = null;
        for (int i = 0; i < lines; i++)
        {
            ChannelReaderState r = MemoryMarshal.Read<ChannelReaderState>(earlier[(ChannelLayout.ReadersOffset + (i * ChannelLayout.ReaderStride))..]);
            bool attached = !broadcast || r.Attached != 0;
            if ((broadcast && !attached && r.Owner == 0) || (!broadcast && i > 0))
            {
                continue; // an index nobody uses: its old position means nothing
            }

            if (!RingView.IsRecordPosition(r.Position))
            {
                problems.Add(Format("reader {0}'s position {1} is not a multiple of {2} from 0 up", i, r.Position, ChannelLayout.RecordAlignment));
            }
            else if (r.Position - tail > ring)
            {
                // A reader may be slightly ahead: a record is committed before the writer publishes its position.
                problems.Add(Format("reader {0}'s position {1} is more than a ring ahead of the writer's {2}", i, r.Position, tail));
            }
            else if (attached && !overrun && stable && tail - r.Position > ring)
            {
                problems.Add(Format("reader {0}'s position {1} is more than a ring ({2} bytes) behind the writer's {3}", i, r.Position, capacity, tail));
            }

            if (r.Lost < 0)
            {
                problems.Add(Format("reader {0}'s lost-message count is {1}", i, r.Lost));
            }

            if (r.Attached is not (0 or 1))
            {
                problems.Add(Format("reader {0}'s attached flag holds {1}, not 0 or 1", i, r.Attached));
            }

            long lag = Math.Max(0, tail - r.Position);
            if (attached)
            {
                slowest = Math.Max(slowest ?? 0, lag);
            }

            (int? readerPid, bool? readerAlive) = Owner(r.Owner, $"reader {i}", problems);
            readers.Add(new SharedChannelReaderInfo
            {
                Index = i,
                Position = r.Position,
                Lag = lag,
                LostMessages = r.Lost,
                IsAttached = attached,
                OwnerProcessId = readerPid,
                IsOwnerAlive = readerAlive,
            });
        }

        (int? writerPid, bool? writerAlive) = Owner(writerLock, "the writer role", problems);
        return new SharedChannelInfo
        {
            Mode = mode,
            Overflow = overflow,
            Capacity = capacity,
            MaxMessageLength = config.MaxMessage,
            MaxReaders = config.MaxReaders,
            WriterPosition = tail,
            MessagesWritten = writer.Messages,
            IsCompleted = writer.Completed != 0,
            WriterProcessId = writerPid,
            IsWriterAlive = writerAlive,
            WriterRecoveries = (long)Math.Min(recoveries, long.MaxValue),
            Readers = readers,
            UsedBytes = Math.Clamp(slowest ?? 0, 0, Math.Max(capacity, 0)),
            Damage = problems.Count == 0 ? null : string.Join("; ", problems),
        };
    }

    /// <summary>The pid in an owner token and whether it runs; (null, null) for no owner. A pid below 1 is damage, never looked up.</summary>
    private static (int? Pid, bool? Alive) Owner(ulong token, string what, List<string> problems)
    {
        if (token == 0)
        {
            return (null, null);
        }

        int pid = OwnerToken.Pid(token);
        if (pid <= 0)
        {
            problems.Add(Format("{0} is marked as held by process {1}, which cannot exist", what, pid));
            return (pid, false);
        }

        return (pid, OwnerToken.IsAlive(token));
    }

    /// <summary>Whether two reads of the block agree on the writer's fields and every reader line.</summary>
    private static bool SamePositions(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int lines)
    {
        int writer = ChannelLayout.WriterLine;
        int writerSize = Unsafe.SizeOf<ChannelWriterState>();
        if (!a.Slice(writer, writerSize).SequenceEqual(b.Slice(writer, writerSize))
            || !a.Slice(ChannelLayout.WriterLockLine, 16).SequenceEqual(b.Slice(ChannelLayout.WriterLockLine, 16)))
        {
            return false;
        }

        int readerSize = Unsafe.SizeOf<ChannelReaderState>();
        for (int i = 0; i < lines; i++)
        {
            int line = ChannelLayout.ReadersOffset + (i * ChannelLayout.ReaderStride);
            if (!a.Slice(line, readerSize).SequenceEqual(b.Slice(line, readerSize)))
            {
                return false;
            }
        }

        return true;
    }

    private static string Format(string format, params object[] args) => ChannelGeometry.Format(format, args);
}
