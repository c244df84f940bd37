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
                : TryRemoveStale(seen, me, dryRun, owners);
            results.Add(result);
        }

        return results;
    }

    /// <summary>
    /// The stale-region step of Memshare's own open (docs/format.md, "Holders"): open without following links,
    /// check it is still our scoped file, take the exclusive flock without waiting (only possible if no holder
    /// has its shared one), check the name still leads to the locked inode, unlink, and only then let go.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static StaleRegionResult TryRemoveStale(SharedMemoryInfo seen, uint me, bool dryRun, UserNames owners)
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
        if ((st.Mode & Libc.S_IFMT) != Libc.S_IFREG || st.Uid != me || (st.Mode & Libc.S_ISVTX) == 0)
        {
            return new(seen, StaleRegionOutcome.Changed); // replaced since the first look by something we leave alone
        }

        if (!Posix.TryLockExclusive(fd))
        {
            return new(seen, StaleRegionOutcome.Live);
        }

        // Nobody holds it, and while we hold the exclusive lock nobody can start to: an opener blocks on its
        // shared lock until we close, then finds the inode unlinked and treats the name as absent.
        if (!LinuxRegion.TryLStat(path, out StatxBuffer now) || now.Ino != st.Ino || now.DevMajor != st.DevMajor || now.DevMinor != st.DevMinor)
        {
            return new(seen, StaleRegionOutcome.Changed);
        }

        SharedMemoryInfo removed = DescribeLocked(name, path, st, handle, owners);
        if (dryRun)
        {
            return new(removed, StaleRegionOutcome.Stale);
        }

        if (Libc.Unlink(path) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.ENOENT)
            {
                return new(seen, StaleRegionOutcome.Changed); // removed by someone else after our check
            }

            ThrowHelper.ThrowForErrno(errno, name, "remove stale");
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
            (format, header) = ReadHeader(handle, (long)st.Size);
        }
        catch (IOException)
        {
            // Unreadable contents: it is still stale; its kind stays unknown.
        }

        return Describe(name, path, st, format, header, holders: 0, owners);
    }
}
