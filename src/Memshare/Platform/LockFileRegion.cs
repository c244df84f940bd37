using System.Diagnostics;
using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>
/// A region as a POSIX shm object whose lifetime and creation are guarded by a lock file: the protocol of
/// macOS, where shm descriptors take no <c>flock</c>, can be sized only once and cannot be created under a
/// temporary name. Plain POSIX, so the tests run this very code on Linux (with another <see cref="ShmApi"/>).
/// </summary>
/// <remarks>
/// <para><b>Files.</b> Region NAME is the shm object S = <c>shm_open("/NAME")</c> and the lock file
/// L = <c>DIR/ENCODED.lock</c> (<see cref="LockFileName"/>), which holds a <see cref="LockFileRecord"/>: state,
/// scoped flag, requested size and creator.</para>
/// <para><b>Creation.</b> The creator writes a complete L under a unique temporary name (mode set with
/// <c>fchmod</c>, record in state Initializing), takes its shared lock on it, and publishes it with
/// <c>link</c>, which fails if L exists: one creator per name, and L is never seen half-written or with the
/// umask's mode. Only then does it <c>shm_open(O_CREAT|O_EXCL)</c> S, size it, run the initializer, and write
/// state Ready. An opener reads the state under its own shared lock and calls <c>shm_open</c> only once it is
/// Ready, so no opener maps a half-built S. Its lock is never converted (flock conversion is not atomic), so
/// the creator is a holder throughout. If creation fails, S is unlinked and L is left in state Failed, to be
/// removed as stale: leaving it means S never exists without its L, which the no-lock-file path relies on.</para>
/// <para><b>Lifetime.</b> Every holder keeps a shared <c>flock</c> on L. Whoever gets the exclusive lock
/// without waiting has no other holder: a closer of a scoped region, or an opener that finds a stale region
/// (scoped with every holder dead, or not Ready with its creator dead). It first checks that the path still
/// names the file it locked, then unlinks S, then L. Every Memshare process unlinks L only while holding a
/// lock on that very file (exclusively, or shared in <see cref="Remove"/>), and creates L only where none
/// exists, so while one holds L exclusively the name cannot be removed or replaced under it: the identity
/// check stays true until its unlink. Openers re-check the identity after locking and retry if L changed.</para>
/// <para><b>Without a lock file</b> S was made by another program (C, Python) or its L was removed by hand:
/// it is opened as a persistent region if L is still absent after <c>shm_open</c> (a Memshare creator
/// publishes L before it creates S, and removes S before L).</para>
/// </remarks>
[UnsupportedOSPlatform("windows")]
internal sealed unsafe partial class LockFileRegion : OsRegion
{
    private readonly ShmApi _api;
    private readonly string _shmName;
    private readonly string _lockPath;
    private readonly FileStatus _lockIdentity;
    private int _shmFd;
    private int _lockFd;

    private LockFileRegion(ShmApi api, in RegionPaths paths, in FileStatus lockIdentity, int shmFd, int lockFd, byte* address, long length, bool created, bool persistent)
    {
        _api = api;
        _shmName = paths.Shm;
        _lockPath = paths.Lock;
        _lockIdentity = lockIdentity;
        _shmFd = shmFd;
        _lockFd = lockFd;
        Base = address;
        Length = length;
        Created = created;
        Persistent = persistent;
    }

    /// <summary>What one attempt found.</summary>
    private enum Step
    {
        Done,
        Absent,
        Busy,
        Initializing,
        Orphan,
        Taken,
        Foreign,
        Live,
    }

    private readonly record struct RegionPaths(string Directory, string Shm, string Lock);

    internal static LockFileRegion? Open(in RegionRequest request, ShmApi api, LockFileSettings settings)
    {
        string name = request.Name;
        var paths = new RegionPaths(settings.Directory, settings.ShmName(name), settings.LockPath(name));
        LockDirectory.Ensure(api, settings.Directory, name);
        long start = Stopwatch.GetTimestamp();
        int creatorPid = 0;
        for (int round = 0; ; round++)
        {
            LockFileRegion? region;
            Step step = Step.Absent;
            if (request.Mode != RegionMode.CreateNew)
            {
                step = TryOpenExisting(api, paths, request, out region, out creatorPid);
                if (region is not null)
                {
                    return region;
                }

                if (step == Step.Absent && request.Mode == RegionMode.OpenExisting)
                {
                    return null;
                }
            }

            if (step == Step.Absent)
            {
                step = TryCreate(api, paths, request, out region);
                if (region is not null)
                {
                    return region;
                }

                if (request.Mode == RegionMode.CreateNew)
                {
                    // A stale region (every holder dead) counts as absent, as on Linux; a live or foreign one is a conflict.
                    step = step == Step.Foreign ? Step.Live : ProbeTaken(api, paths, request);
                    if (step == Step.Live)
                    {
                        throw new RegionExistsException(name);
                    }
                }
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            if (step == Step.Initializing ? elapsed > settings.InitDeadline : elapsed > Posix.LockDeadline)
            {
                throw step switch
                {
                    Step.Initializing => new IOException(SR.Format(SR.InitTimeout, name, creatorPid, (int)settings.InitDeadline.TotalSeconds)),
                    Step.Orphan => new IOException(SR.Format(SR.OrphanLock, name, paths.Lock, (int)Posix.LockDeadline.TotalSeconds)),
                    _ => new IOException(SR.Format(SR.BusyRemoving, name, (int)Posix.LockDeadline.TotalSeconds)),
                };
            }

            // Absent/Taken/Foreign: the name changed hands; look again at once. Otherwise someone is busy with it.
            if (step is Step.Initializing or Step.Orphan || round > 16)
            {
                Thread.Sleep(round < 100 ? 1 : 10); // an initializer may take seconds: do not poll it hard
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    /// <summary>Removes the name (S, then L), like <c>shm_unlink</c>: holders keep their memory. False if there was no S.</summary>
    internal static bool Remove(string name, ShmApi api, LockFileSettings settings)
    {
        var paths = new RegionPaths(settings.Directory, settings.ShmName(name), settings.LockPath(name));
        LockDirectory.Ensure(api, settings.Directory, name);
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            int lockFd = api.Open(paths.Lock, Libc.O_RDONLY | api.ONoFollow | api.OCloexec, 0);
            if (lockFd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.ENOENT)
                {
                    throw LockFileOpenError(api, errno, name, paths.Lock);
                }

                return UnlinkShm(api, paths, name);
            }

            try
            {
                // A shared lock keeps exclusive holders (closers, stale removers) of this file out while we unlink.
                Posix.LockShared(lockFd, name);
                if (StatFd(api, lockFd, name) is var st && st.Links > 0 && IsAtPath(api, paths.Lock, st))
                {
                    bool removed = UnlinkShm(api, paths, name);
                    _ = Libc.Unlink(paths.Lock);
                    return removed;
                }
            }
            finally
            {
                Posix.Close(lockFd);
            }

            if (Stopwatch.GetElapsedTime(start) > Posix.LockDeadline)
            {
                throw new IOException(SR.Format(SR.BusyRemoving, name, (int)Posix.LockDeadline.TotalSeconds));
            }

            Thread.Yield();
        }
    }

    public override void Dispose()
    {
        int fd = Interlocked.Exchange(ref _shmFd, -1);
        if (fd < 0)
        {
            return;
        }

        Posix.Unmap(Base, Length);
        Posix.Close(fd);
        int lockFd = Interlocked.Exchange(ref _lockFd, -1);
        if (lockFd < 0)
        {
            return;
        }

        // Last holder of a scoped region, and the path still names the lock file we hold: nobody can remove or
        // replace it while we hold it exclusively (see remarks), so the check still holds when we unlink.
        // A failed upgrade keeps the shared lock on xnu (Linux drops it), so two last holders closing together
        // could each see the other and both leave; dropping ours before one more try makes the later one win.
        if (!Persistent && IsAlone(lockFd) && IsAtPath(_api, _lockPath, _lockIdentity))
        {
            _ = _api.ShmUnlink(_shmName);
            _ = Libc.Unlink(_lockPath);
        }

        Posix.Close(lockFd);
    }

    private static bool IsAlone(int lockFd) =>
        Posix.TryLockExclusive(lockFd) || (Libc.Flock(lockFd, Libc.LOCK_UN) == 0 && Posix.TryLockExclusive(lockFd));

    private static bool UnlinkShm(ShmApi api, in RegionPaths paths, string name)
    {
        if (api.ShmUnlink(paths.Shm) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno != Libc.ENOENT)
        {
            ThrowHelper.ThrowForErrno(errno, name, "remove");
        }

        return false;
    }

    private static FileStatus StatFd(ShmApi api, int fd, string name)
    {
        if (!api.FStat(fd, out FileStatus st))
        {
            ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "inspect");
        }

        return st;
    }

    /// <summary>Whether <paramref name="path"/> names the file <paramref name="identity"/> describes (a symlink never does).</summary>
    private static bool IsAtPath(ShmApi api, string path, in FileStatus identity) =>
        api.LStat(path, out FileStatus now) && now.IsSameFile(identity);

    private static Exception LockFileOpenError(ShmApi api, int errno, string name, string lockPath) =>
        errno == api.ELoop
            ? new UnauthorizedAccessException(SR.Format(SR.SymlinkRefused, name, lockPath))
            : ThrowHelper.ExceptionForErrno(errno, name, "open the lock file of");
}
