using System.Runtime.Versioning;
using Memshare.Interop;
using Memshare.Layout;
using Memshare.Platform;
using Memshare.Sync;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Inspection;

public static partial class SharedMemoryCatalog
{
    [SupportedOSPlatform("linux")]
    private static List<SharedMemoryInfo> ListLinux()
    {
        var regions = new List<SharedMemoryInfo>();
        if (!Directory.Exists(LinuxRegion.Directory))
        {
            return regions;
        }

        Dictionary<FileId, int>? holders = ProcLocks.ReadFlockCounts();
        var owners = new UserNames();
        foreach (string path in Directory.EnumerateFileSystemEntries(LinuxRegion.Directory))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith('.') || !RegionName.IsValid(name))
            {
                continue;
            }

            if (Inspect(name, holders, owners, strict: false) is { } info)
            {
                regions.Add(info);
            }
        }

        regions.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return regions;
    }

    [SupportedOSPlatform("linux")]
    private static SharedMemoryInfo? GetLinux(string name) =>
        Inspect(name, ProcLocks.ReadFlockCounts(), new UserNames(), strict: true);

    [SupportedOSPlatform("linux")]
    private static SharedMemorySample? SampleLinux(string name, int maxPayloadBytes)
    {
        var payload = new PayloadSample(maxPayloadBytes);
        return Inspect(name, ProcLocks.ReadFlockCounts(), new UserNames(), strict: true, payload) is { } info
            ? new SharedMemorySample { Info = info, Payload = payload.Bytes is { } bytes ? new ReadOnlyMemory<byte>(bytes) : null, Version = payload.Sequence, Recoveries = payload.Recoveries }
            : null;
    }

    /// <summary>
    /// Describes <c>/dev/shm/NAME</c>. Null if it does not exist (or vanished meanwhile). Something that is not a
    /// regular file is skipped, or reported as an exception when <paramref name="strict"/>. With
    /// <paramref name="payload"/>, also reads the current contents through the same descriptor.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static SharedMemoryInfo? Inspect(string name, Dictionary<FileId, int>? holders, UserNames owners, bool strict, PayloadSample? payload = null)
    {
        string path = LinuxRegion.Directory + name;
        if (!LinuxRegion.TryLStat(path, out StatxBuffer st))
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.ENOENT || !strict)
            {
                return null;
            }

            throw ThrowHelper.ExceptionForErrno(errno, name, "inspect");
        }

        if (!IsRegularFile(st.Mode))
        {
            return strict ? throw NotRegular(name, path, st.Mode) : null;
        }

        RegionFormat format = RegionFormat.Unknown; // stays so if we may not read the file
        SharedMemoryHeaderInfo? header = null;

        // O_NOFOLLOW: never follow a symlink swapped in since the lstat; O_NONBLOCK: never hang on a FIFO.
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NONBLOCK, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.ENOENT)
            {
                return null;
            }

            if (errno == Libc.ELOOP)
            {
                return strict ? throw NotRegular(name, path, Libc.S_IFLNK) : null;
            }
        }
        else
        {
            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out StatxBuffer opened) == 0)
            {
                if (!IsRegularFile(opened.Mode))
                {
                    return strict ? throw NotRegular(name, path, opened.Mode) : null;
                }

                st = opened;
            }

            try
            {
                (format, header) = ReadHeader(name, handle, (long)st.Size);
                payload?.Read(handle, format, header, (long)st.Size);
            }
            catch (IOException)
            {
                // Unreadable contents: still worth listing with what stat told us; the kind stays unknown.
            }
        }

        int? count = holders is null ? null : holders.GetValueOrDefault(new FileId(st.DevMajor, st.DevMinor, st.Ino));
        return Describe(name, path, st, format, header, count, owners);
    }

    private static SharedMemoryInfo Describe(
        string name, string path, in StatxBuffer st, RegionFormat format, SharedMemoryHeaderInfo? header, int? holders, UserNames owners) => new()
    {
        Name = name,
        Path = path,
        Size = (long)st.Size,
        Format = format,
        OwnerId = st.Uid,
        Owner = owners.NameOf(st.Uid),
        Permissions = (UnixFileMode)(st.Mode & 0x1FF),
        IsPersistent = (st.Mode & Libc.S_ISVTX) == 0,
        Holders = holders,
        Header = header,
    };

    /// <summary>Decodes the header with plain reads that stop at the end of the file, so a short or garbled file is harmless.</summary>
    private static (RegionFormat Format, SharedMemoryHeaderInfo? Header) ReadHeader(string name, SafeFileHandle handle, long size)
    {
        Span<byte> buffer = stackalloc byte[ValueLayout.HeaderSize];
        if (ReadAt(handle, buffer[..RegionHeader.Size], 0) < RegionHeader.Size)
        {
            return (RegionFormat.Raw, null);
        }

        RegionHeader h = MemoryMarshal.Read<RegionHeader>(buffer);
        if (h.Magic != RegionHeader.MagicValue)
        {
            return (RegionFormat.Raw, null);
        }

        var header = new SharedMemoryHeaderInfo
        {
            LayoutVersion = h.Version,
            KindCode = h.Kind,
            Kind = RegionKinds.Format(h.Kind),
            HeaderSize = h.HeaderSize,
            TotalSize = h.TotalSize,
            Fingerprint = h.Fingerprint,
            PayloadSize = h.PayloadSize,
            SlotStride = h.SlotStride,
            Problems = Problems(h, name, size),
        };
        if (h.Version != RegionHeader.CurrentVersion)
        {
            return (RegionFormat.Unknown, header);
        }

        switch ((RegionKind)h.Kind)
        {
            case RegionKind.Value:
                if (ReadAt(handle, buffer, 0) == buffer.Length)
                {
                    header = header with { TypeName = ValueLayout.ReadTypeName(buffer) };
                }

                return (RegionFormat.SharedValue, header with { Version = (long?)ReadSequence(handle) });
            case RegionKind.String:
                return (RegionFormat.SharedString, ReadStringState(handle, header));
            case RegionKind.Channel:
                return (RegionFormat.Channel, header with { Channel = ChannelSnapshot.Read(handle, header) });
            case RegionKind.Lock:
                return (RegionFormat.Lock, header with { Lock = ReadLockState(handle) });
            case RegionKind.Event:
                return (RegionFormat.Event, header with { Event = ReadEventState(handle) });
            default:
                return (RegionFormat.Unknown, header);
        }
    }

    /// <summary>The string's version and current length, read with the seqlock reader protocol (<see cref="Snapshot.Read{TSource}"/>).</summary>
    private static SharedMemoryHeaderInfo ReadStringState(SafeFileHandle handle, SharedMemoryHeaderInfo header)
    {
        var source = new SnapshotFileSource(handle);
        if (SnapshotFileSource.TryShape(header, isString: true, out SnapshotShape shape))
        {
            switch (Snapshot.Read(in source, shape, Span<byte>.Empty, SnapshotFileSource.Attempts, out ulong sequence, out int length))
            {
                case SnapshotReadStatus.Copied:
                    return header with { Version = (long)sequence, Length = length };
                case SnapshotReadStatus.BadLength:
                    return header with { Version = (long)sequence };
            }
        }

        return header with { Version = (long?)ReadSequence(handle) };
    }

    /// <summary>What the one header validator (<see cref="RegionHeader.Check"/>) finds wrong, all of it, judged against the kind the header names.</summary>
    private static List<string> Problems(in RegionHeader h, string name, long size)
    {
        var problems = new List<string>();
        RegionHeader.Check(h, name, size, (RegionKind)h.Kind, problems);
        return problems;
    }

    /// <summary>The lock's state (docs/format.md), or null if the file ends before it. Reading takes nothing.</summary>
    private static SharedLockInfo? ReadLockState(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[Unsafe.SizeOf<LockState>()];
        if (ReadAt(handle, buffer, LockState.Offset) < buffer.Length)
        {
            return null;
        }

        LockState state = MemoryMarshal.Read<LockState>(buffer);
        bool held = state.Owner != 0;
        return new SharedLockInfo
        {
            OwnerProcessId = held ? OwnerToken.Pid(state.Owner) : null,
            IsOwnerAlive = held ? OwnerToken.IsAlive(state.Owner) : null,
            Waiters = state.Waiters,
            Recoveries = (long)state.Recoveries,
        };
    }

    /// <summary>The event's state (docs/format.md), or null if the file ends before it. Reading consumes nothing.</summary>
    private static SharedEventInfo? ReadEventState(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[Unsafe.SizeOf<EventState>()];
        if (ReadAt(handle, buffer, EventState.Offset) < buffer.Length)
        {
            return null;
        }

        EventState state = MemoryMarshal.Read<EventState>(buffer);
        return new SharedEventInfo
        {
            Mode = state.Mode switch
            {
                0 => EventResetMode.AutoReset,
                1 => EventResetMode.ManualReset,
                _ => null,
            },
            IsSet = state.Signaled != 0,
            Waiters = state.Waiters,
        };
    }

    private static ulong? ReadSequence(SafeFileHandle handle)
    {
        Span<byte> field = stackalloc byte[sizeof(ulong)];
        return ReadAt(handle, field, SnapshotHeader.Offset) == field.Length ? MemoryMarshal.Read<ulong>(field) : null;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    internal static int ReadAt(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static bool IsRegularFile(int mode) => (mode & Libc.S_IFMT) == Libc.S_IFREG;

    internal static Exception NotRegular(string name, string path, int mode) => (mode & Libc.S_IFMT) switch
    {
        Libc.S_IFLNK => new UnauthorizedAccessException(SR.Format(SR.SymlinkRefused, name, path)),
        0x4000 => new IOException(SR.Format(SR.NotRegularFile, name, "a directory", path)),
        0x1000 => new IOException(SR.Format(SR.NotRegularFile, name, "a FIFO", path)),
        0xC000 => new IOException(SR.Format(SR.NotRegularFile, name, "a socket", path)),
        _ => new IOException(SR.Format(SR.NotRegularFile, name, "a device or other special file", path)),
    };
}
