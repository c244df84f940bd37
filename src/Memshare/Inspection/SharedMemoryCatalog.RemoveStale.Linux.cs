using System.Runtime.Versioning;
using Memshare.Interop;
using Memshare.Platform;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Inspection;

public static partial class SharedMemoryCatalog
{
    [SupportedOSPlatform("linux")]
    private static List<StaleRegionResult> RemoveStaleLinux(bool dryRun)
    {
        var results = new List<StaleRegionResult>();
        if (!Directory.Exists(LinuxRegion.Directory))
        {
            return results;
        }

        Dictionary<FileId, int>? holders = ProcLocks.ReadFlockCounts();
        var owners = new UserNames();
        uint me = Libc.GetEUid();
        var names = new List<string>();
        foreach (string path in Directory.EnumerateFileSystemEntries(LinuxRegion.Directory))
        {
            // Hidden names include a creator's temporary file (.memshare-PID-...), which is never a region.
            string name = Path.GetFileName(path);
            if (!name.StartsWith('.') && RegionName.IsValid(name))
            {
                names.Add(name);
            }
        }

        names.Sort(string.CompareOrdinal);
        foreach (string name in names)
        {
            // A first look decides from the owner and the sticky bit; only our scoped regions are tried.
            SharedMemoryInfo? seen = Inspect(name, holders, owners, strict: false);
            if (seen is null)
            {
                continue; // gone meanwhile, or not a regular file
            }

            StaleRegionResult result = seen.OwnerId != me ? new(seen, StaleRegionOutcome.OtherOwner)
                : seen.IsPersistent ? new(seen, StaleRegionOutcome.Persistent)
                : TryRemoveStale(seen, dryRun, owners);
            results.Add(result);
        }

        return results;
    }

    /// <summary>
    /// The stale-region step of Memshare's own open (<see cref="StaleRegion"/>): open without following links,
    /// check it is still our scoped file and nobody holds it, describe it under the exclusive lock, unlink it,
    /// and only then let go.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static StaleRegionResult TryRemoveStale(SharedMemoryInfo seen, bool dryRun, UserNames owners)
    {
        string name = seen.Name;
        string path = seen.Path;
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NONBLOCK, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return new(seen, errno is Libc.EACCES or Libc.EPERM ? StaleRegionOutcome.Unreadable : StaleRegionOutcome.Changed);
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true); // closing it releases the lock, after the unlink
        StatxBuffer st = LinuxRegion.FStat(fd, name);
        switch (StaleRegion.TryLock(fd, path, st, allowOtherOwner: false))
        {
            case StaleRegion.Check.Held:
                return new(seen, StaleRegionOutcome.Live);
            case not StaleRegion.Check.Stale:
                return new(seen, StaleRegionOutcome.Changed); // replaced since the first look by something we leave alone
        }

        SharedMemoryInfo removed = DescribeLocked(name, path, st, handle, owners);
        if (dryRun)
        {
            return new(removed, StaleRegionOutcome.Stale);
        }

        int failure = StaleRegion.Unlink(path);
        if (failure == Libc.ENOENT)
        {
            return new(seen, StaleRegionOutcome.Changed); // removed by someone else after our check
        }

        if (failure != 0)
        {
            ThrowHelper.ThrowForErrno(failure, name, "remove stale");
        }

        return new(removed, StaleRegionOutcome.Removed);
    }

    /// <summary>Describes the file we hold exclusively: exactly what is being removed, with no holders.</summary>
    private static SharedMemoryInfo DescribeLocked(string name, string path, in StatxBuffer st, SafeFileHandle handle, UserNames owners)
    {
        RegionFormat format = RegionFormat.Unknown;
        SharedMemoryHeaderInfo? header = null;
        try
        {
            (format, header) = ReadHeader(name, handle, (long)st.Size);
        }
        catch (IOException)
        {
            // Unreadable contents: it is still stale; its kind stays unknown.
        }

        return Describe(name, path, st, format, header, holders: 0, owners);
    }
}
