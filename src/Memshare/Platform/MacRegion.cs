using System.Diagnostics;
using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>
/// A region as a POSIX shm object on macOS (<c>shm_open("/NAME")</c>). Not run in our CI; see the README.
/// </summary>
/// <remarks>
/// macOS shm descriptors take no <c>flock</c>, can be sized only once, and cannot be created under a
/// temporary name, so the lifetime and initialisation protocol runs on a lock file,
/// <c>/tmp/.memshare/NAME.lock</c>: the creator holds it exclusively from <c>shm_open(O_EXCL)</c> until the
/// region is sized and initialised, every holder then keeps a shared lock, and a closer (or an opener of a
/// stale region) that gets the exclusive lock without waiting removes both. A lock file with the owner-execute
/// bit marks a scoped region; a shm object without a lock file (made by C or Python) counts as persistent.
/// </remarks>
[SupportedOSPlatform("macos")]
internal sealed unsafe class MacRegion : OsRegion
{
    private const string LockDirectory = "/tmp/.memshare";
    private const int ScopedMarker = 0x40; // S_IXUSR on the lock file

    private readonly string _shmName;
    private readonly string _lockPath;
    private int _fd;
    private int _lockFd;

    private MacRegion(string shmName, string lockPath, int fd, int lockFd, byte* address, long length, bool created, bool persistent)
    {
        _shmName = shmName;
        _lockPath = lockPath;
        _fd = fd;
        _lockFd = lockFd;
        Base = address;
        Length = length;
        Created = created;
        Persistent = persistent;
    }

    internal static MacRegion? Open(in RegionRequest request)
    {
        string shmName = "/" + request.Name;
        string lockPath = $"{LockDirectory}/{request.Name}.lock";
        EnsureLockDirectory();
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            if (request.Mode != RegionMode.CreateNew)
            {
                MacRegion? existing = TryOpenExisting(shmName, lockPath, request);
                if (existing is not null)
                {
                    return existing;
                }

                if (request.Mode == RegionMode.OpenExisting)
                {
                    return null;
                }
            }

            MacRegion? created = TryCreate(shmName, lockPath, request);
            if (created is not null)
            {
                return created;
            }

            if (request.Mode == RegionMode.CreateNew)
            {
                // A stale scoped region (all holders died) counts as absent, as it does on Linux: opening it
                // removes it and yields null, and the loop tries to create again. A live one is a conflict.
                MacRegion? live = TryOpenExisting(shmName, lockPath, request with { Options = request.Options with { Access = SharedMemoryAccess.Read } });
                if (live is not null)
                {
                    live.Dispose();
                    throw new RegionExistsException(request.Name);
                }
            }

            if (Stopwatch.GetElapsedTime(start) > Posix.LockDeadline)
            {
                throw new IOException(SR.Format(SR.BusyRemoving, request.Name, (int)Posix.LockDeadline.TotalSeconds));
            }

            Thread.Yield();
        }
    }

    private static MacRegion? TryOpenExisting(string shmName, string lockPath, in RegionRequest request)
    {
        string name = request.Name;
        int lockFd = LibcOSX.Open(lockPath, LibcOSX.O_RDWR | LibcOSX.O_NOFOLLOW | LibcOSX.O_CLOEXEC, 0);
        bool scoped = false;
        if (lockFd >= 0)
        {
            if (LibcOSX.FStat(lockFd, out DarwinStat lst) == 0)
            {
                scoped = (lst.Mode & ScopedMarker) != 0;
            }

            if (scoped && Posix.TryLockExclusive(lockFd))
            {
                // Stale: the creator finished (it downgrades before anyone can open) and every holder died.
                _ = LibcOSX.ShmUnlink(shmName);
                _ = Libc.Unlink(lockPath);
                Posix.Close(lockFd);
                return null;
            }

            Posix.LockShared(lockFd, name);
        }

        int flags = (request.ReadOnly ? LibcOSX.O_RDONLY : LibcOSX.O_RDWR) | LibcOSX.O_CLOEXEC;
        int fd = LibcOSX.ShmOpen(shmName, flags, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Posix.Close(lockFd);
            if (errno == Libc.ENOENT)
            {
                return null;
            }

            ThrowHelper.ThrowForErrno(errno, name, "open");
        }

        try
        {
            if (LibcOSX.FStat(fd, out DarwinStat st) != 0)
            {
                ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "inspect");
            }

            uint me = Libc.GetEUid();
            if (st.Uid != me && !request.Options.AllowOtherOwner)
            {
                throw new UnauthorizedAccessException(SR.Format(SR.OtherOwner, name, st.Uid, me));
            }

            if (st.Size == 0)
            {
                throw new RegionFormatException(name, SR.Format(SR.RegionEmpty, name));
            }

            if (st.Size < request.MinExistingSize)
            {
                throw new RegionFormatException(name, SR.Format(SR.RegionTooSmall, name, st.Size, request.MinExistingSize));
            }

            byte* address = Posix.Map(fd, st.Size, request.ReadOnly, name);
            var region = new MacRegion(shmName, lockPath, fd, lockFd, address, st.Size, created: false, persistent: !scoped);
            fd = -1;
            lockFd = -1;
            return region;
        }
        finally
        {
            Posix.Close(fd);
            Posix.Close(lockFd);
        }
    }

    private static MacRegion? TryCreate(string shmName, string lockPath, in RegionRequest request)
    {
        string name = request.Name;
        int lockFd = LibcOSX.Open(lockPath, LibcOSX.O_RDWR | LibcOSX.O_CREAT | LibcOSX.O_NOFOLLOW | LibcOSX.O_CLOEXEC, 0x180);
        if (lockFd < 0)
        {
            ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "create the lock file of");
        }

        int fd = -1;
        byte* address = null;
        bool published = false;
        try
        {
            // Held exclusively until the region is sized and initialised: openers wait on their shared lock.
            if (!Posix.TryLockExclusive(lockFd))
            {
                return null;
            }

            int mode = Posix.ValidModeBits(request.Options.Permissions);
            fd = LibcOSX.ShmOpen(shmName, LibcOSX.O_RDWR | LibcOSX.O_CREAT | LibcOSX.O_EXCL | LibcOSX.O_CLOEXEC, mode);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EEXIST)
                {
                    return null;
                }

                ThrowHelper.ThrowForErrno(errno, name, "create");
            }

            published = true;
            _ = Libc.FChmod(lockFd, 0x180 | (request.Persistent ? 0 : ScopedMarker));
            if (Libc.FTruncate(fd, request.Size) != 0)
            {
                ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "size", request.Size);
            }

            address = Posix.Map(fd, request.Size, readOnly: false, name);
            if (request.Options.Initializer is { } init)
            {
                if (request.Size > int.MaxValue)
                {
                    ThrowHelper.ThrowTooLargeForSpan(name, request.Size);
                }

                init(new Span<byte>(address, (int)request.Size));
            }

            // Downgrade to the shared lock every holder keeps.
            _ = Libc.Flock(lockFd, Libc.LOCK_SH);
            var region = new MacRegion(shmName, lockPath, fd, lockFd, address, request.Size, created: true, persistent: request.Persistent);
            fd = -1;
            lockFd = -1;
            published = false;
            return region;
        }
        finally
        {
            if (published)
            {
                Posix.Unmap(address, request.Size);
                _ = LibcOSX.ShmUnlink(shmName);
            }

            Posix.Close(fd);
            Posix.Close(lockFd);
        }
    }

    internal static bool Remove(string name)
    {
        _ = Libc.Unlink($"{LockDirectory}/{name}.lock");
        if (LibcOSX.ShmUnlink("/" + name) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == Libc.ENOENT)
        {
            return false;
        }

        ThrowHelper.ThrowForErrno(errno, name, "remove");
        return false;
    }

    public override void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0)
        {
            return;
        }

        Posix.Unmap(Base, Length);
        Posix.Close(fd);
        int lockFd = Interlocked.Exchange(ref _lockFd, -1);
        if (!Persistent && lockFd >= 0 && Posix.TryLockExclusive(lockFd))
        {
            _ = LibcOSX.ShmUnlink(_shmName);
            _ = Libc.Unlink(_lockPath);
        }

        Posix.Close(lockFd);
    }

    private static void EnsureLockDirectory()
    {
        if (!System.IO.Directory.Exists(LockDirectory))
        {
            System.IO.Directory.CreateDirectory(LockDirectory,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
        }
    }
}
