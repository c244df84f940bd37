using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>Opening an existing region, and deciding whether a taken name is stale.</summary>
internal sealed unsafe partial class LockFileRegion
{
    /// <summary>
    /// One attempt to open the region. Done (with <paramref name="region"/>); Absent (no region, or a stale one
    /// now removed); Initializing (a live creator is not finished); Busy or Orphan (try again shortly).
    /// </summary>
    private static Step TryOpenExisting(ShmApi api, in RegionPaths paths, in RegionRequest request, out LockFileRegion? region, out int creatorPid)
    {
        region = null;
        creatorPid = 0;
        string name = request.Name;
        int lockFd = api.Open(paths.Lock, Libc.O_RDONLY | api.ONoFollow | api.OCloexec, 0);
        if (lockFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Libc.ENOENT
                ? OpenWithoutLockFile(api, paths, request, out region)
                : throw LockFileOpenError(api, errno, name, paths.Lock);
        }

        try
        {
            FileStatus lockStat = CheckLockFile(api, lockFd, paths.Lock, request);
            if (Posix.TryLockExclusive(lockFd))
            {
                // Nobody else holds it: every holder (the creator included) is gone.
                if (!IsAtPath(api, paths.Lock, lockStat))
                {
                    return Step.Busy;
                }

                if (IsStale(api, paths, ReadRecord(lockFd, name, paths.Lock)))
                {
                    RemoveBoth(api, paths, name);
                    return Step.Absent;
                }

                // A complete persistent region nobody has open: become a holder like any other.
            }

            Posix.LockShared(lockFd, name);
            lockStat = StatFd(api, lockFd, name);
            if (lockStat.Links == 0 || !IsAtPath(api, paths.Lock, lockStat))
            {
                return Step.Busy; // removed, perhaps recreated, between our open and our lock
            }

            LockFileRecord record = ReadRecord(lockFd, name, paths.Lock);
            if (record.State != LockFileRecord.Ready)
            {
                creatorPid = Sync.OwnerToken.Pid(record.Creator);
                return Step.Initializing;
            }

            int flags = (request.ReadOnly ? Libc.O_RDONLY : Libc.O_RDWR) | api.OCloexec;
            int fd = api.ShmOpen(paths.Shm, flags, 0);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                // S is removed before L: a remover is between the two, or S was removed while holders remain.
                return errno == Libc.ENOENT ? Step.Orphan : throw ThrowHelper.ExceptionForErrno(errno, name, "open");
            }

            try
            {
                FileStatus st = StatFd(api, fd, name);
                CheckOwner(st.Uid, request);
                if (st.Size < record.Size)
                {
                    throw new RegionFormatException(name, SR.Format(SR.RegionTruncated, name, st.Size, record.Size));
                }

                // The creator's size, not fstat's: a macOS shm object reports its size rounded up to whole pages.
                if (record.Size < request.MinExistingSize)
                {
                    throw new RegionFormatException(name, SR.Format(SR.RegionTooSmall, name, record.Size, request.MinExistingSize));
                }

                byte* address = Posix.Map(fd, record.Size, request.ReadOnly, name);
                region = new LockFileRegion(api, paths, lockStat, fd, lockFd, address, record.Size, created: false, persistent: !record.Scoped);
                fd = -1;
                lockFd = -1;
                return Step.Done;
            }
            finally
            {
                Posix.Close(fd);
            }
        }
        finally
        {
            Posix.Close(lockFd);
        }
    }

    /// <summary>
    /// No lock file: S, if any, was made by another program. A Memshare creator publishes L before it creates S,
    /// so if L exists after our <c>shm_open</c>, S may be one being built: go through L instead.
    /// </summary>
    private static Step OpenWithoutLockFile(ShmApi api, in RegionPaths paths, in RegionRequest request, out LockFileRegion? region)
    {
        region = null;
        string name = request.Name;
        int fd = api.ShmOpen(paths.Shm, (request.ReadOnly ? Libc.O_RDONLY : Libc.O_RDWR) | api.OCloexec, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Libc.ENOENT ? Step.Absent : throw ThrowHelper.ExceptionForErrno(errno, name, "open");
        }

        try
        {
            if (api.LStat(paths.Lock, out _))
            {
                return Step.Busy;
            }

            FileStatus st = StatFd(api, fd, name);
            CheckOwner(st.Uid, request);
            if (st.Size == 0)
            {
                throw new RegionFormatException(name, SR.Format(SR.RegionEmpty, name));
            }

            if (st.Size < request.MinExistingSize)
            {
                throw new RegionFormatException(name, SR.Format(SR.RegionTooSmall, name, st.Size, request.MinExistingSize));
            }

            byte* address = Posix.Map(fd, st.Size, request.ReadOnly, name);
            region = new LockFileRegion(api, paths, default, fd, -1, address, st.Size, created: false, persistent: true);
            fd = -1;
            return Step.Done;
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    /// <summary>
    /// For CreateNew after <c>link</c> found L: Absent if it was stale (now removed) or is gone, Busy if a
    /// remover holds it, Live if a region is there.
    /// </summary>
    private static Step ProbeTaken(ShmApi api, in RegionPaths paths, in RegionRequest request)
    {
        int lockFd = api.Open(paths.Lock, Libc.O_RDONLY | api.ONoFollow | api.OCloexec, 0);
        if (lockFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Libc.ENOENT ? Step.Absent : throw LockFileOpenError(api, errno, request.Name, paths.Lock);
        }

        try
        {
            if (!api.FStat(lockFd, out FileStatus st) || (st.Uid != Libc.GetEUid() && !request.Options.AllowOtherOwner))
            {
                return Step.Live; // not ours to remove
            }

            if (!Posix.TryLockExclusive(lockFd))
            {
                // Held shared by live holders, or exclusively by a process removing it right now.
                return Libc.Flock(lockFd, Libc.LOCK_SH | Libc.LOCK_NB) == 0 ? Step.Live : Step.Busy;
            }

            if (!IsAtPath(api, paths.Lock, st))
            {
                return Step.Busy;
            }

            if (!IsStale(api, paths, ReadRecord(lockFd, request.Name, paths.Lock)))
            {
                return Step.Live;
            }

            RemoveBoth(api, paths, request.Name);
            return Step.Absent;
        }
        finally
        {
            Posix.Close(lockFd);
        }
    }

    /// <summary>
    /// Whether a region whose L nobody else holds is garbage: scoped (its holders all died), not Ready (its
    /// creator died or failed), or persistent with S gone (a remover died between its two unlinks).
    /// </summary>
    private static bool IsStale(ShmApi api, in RegionPaths paths, in LockFileRecord record)
    {
        if (record.Scoped || record.State != LockFileRecord.Ready)
        {
            return true;
        }

        int fd = api.ShmOpen(paths.Shm, Libc.O_RDONLY | api.OCloexec, 0);
        if (fd >= 0)
        {
            Posix.Close(fd);
            return false;
        }

        return Marshal.GetLastPInvokeError() == Libc.ENOENT;
    }

    /// <summary>Unlinks S, then L. The caller holds L exclusively and has checked that the path still names it.</summary>
    private static void RemoveBoth(ShmApi api, in RegionPaths paths, string name)
    {
        if (api.ShmUnlink(paths.Shm) != 0 && Marshal.GetLastPInvokeError() is int e && e != Libc.ENOENT)
        {
            ThrowHelper.ThrowForErrno(e, name, "remove stale");
        }

        if (Libc.Unlink(paths.Lock) != 0 && Marshal.GetLastPInvokeError() is int e2 && e2 != Libc.ENOENT)
        {
            ThrowHelper.ThrowForErrno(e2, name, "remove the stale lock file of");
        }
    }

    private static FileStatus CheckLockFile(ShmApi api, int lockFd, string lockPath, in RegionRequest request)
    {
        FileStatus st = StatFd(api, lockFd, request.Name);
        if ((st.Mode & Libc.S_IFMT) != Libc.S_IFREG)
        {
            throw new IOException(SR.Format(SR.NotRegularFile, request.Name, "its lock file is not a regular file", lockPath));
        }

        CheckOwner(st.Uid, request);
        return st;
    }

    private static void CheckOwner(uint uid, in RegionRequest request)
    {
        uint me = Libc.GetEUid();
        if (uid != me && !request.Options.AllowOtherOwner)
        {
            throw new UnauthorizedAccessException(SR.Format(SR.OtherOwner, request.Name, uid, me));
        }
    }

    private static LockFileRecord ReadRecord(int lockFd, string name, string lockPath)
    {
        LockFileRecord record;
        nint n = Libc.PRead(lockFd, &record, (nuint)sizeof(LockFileRecord), 0);
        if (n < 0)
        {
            ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "read the lock file of");
        }

        if (n != sizeof(LockFileRecord) || !record.IsValid)
        {
            throw new RegionFormatException(name, SR.Format(SR.LockFileCorrupt, name, lockPath,
                n != sizeof(LockFileRecord) ? $"{n} bytes, not {sizeof(LockFileRecord)}" : "bad magic, state or size"));
        }

        return record;
    }
}
