using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>
/// A region as a file in <c>/dev/shm</c>, which is exactly what <c>shm_open("/NAME")</c> opens.
/// </summary>
/// <remarks>
/// <para><b>Creation is atomic and initialised.</b> The creator makes an unnamed tmpfs file (<c>O_TMPFILE</c>),
/// sets its mode with <c>fchmod</c> (so the umask does not matter), reserves its pages with
/// <c>posix_fallocate</c> (a full <c>/dev/shm</c> fails here, not with SIGBUS later), takes its shared lock,
/// runs the initializer, and only then links it under the name with <c>linkat</c>, which fails with
/// <c>EEXIST</c> if the name exists (symlinks included). So exactly one racer creates a name, and no opener
/// ever sees an uninitialised region. If the creator dies first, the unnamed file simply vanishes.</para>
/// <para><b>Lifetime.</b> Every holder keeps a shared <c>flock</c> on its own descriptor; the kernel drops it
/// when the descriptor closes or the process dies. A scoped region is marked by the sticky bit in its mode.
/// A closer that can then take the exclusive lock without waiting is the last holder and unlinks the name.
/// An opener that can take the exclusive lock of a scoped region has found a stale one (all holders died):
/// it unlinks it and treats it as absent. Files without the sticky bit (persistent regions, and files that
/// C, Python or Boost created) are never removed automatically.</para>
/// <para><b>Open/unlink race.</b> After taking its shared lock an opener checks that the name still leads
/// to the inode it locked and that the inode is still linked; otherwise it retries.</para>
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed unsafe class LinuxRegion : OsRegion
{
    internal const string Directory = "/dev/shm/";

    private readonly string _path;
    private readonly ulong _ino;
    private readonly uint _devMajor;
    private readonly uint _devMinor;
    private int _fd;

    private LinuxRegion(string path, int fd, in StatxBuffer st, byte* address, long length, bool created, bool persistent)
    {
        _path = path;
        _fd = fd;
        _ino = st.Ino;
        _devMajor = st.DevMajor;
        _devMinor = st.DevMinor;
        Base = address;
        Length = length;
        Created = created;
        Persistent = persistent;
    }

    internal static LinuxRegion? Open(in RegionRequest request)
    {
        string path = Directory + request.Name;
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            if (request.Mode != RegionMode.CreateNew)
            {
                LinuxRegion? existing = TryOpenExisting(path, request, out bool retry);
                if (existing is not null)
                {
                    return existing;
                }

                if (!retry && request.Mode == RegionMode.OpenExisting)
                {
                    return null;
                }
            }

            if (request.Mode != RegionMode.OpenExisting)
            {
                LinuxRegion? created = TryCreate(path, request);
                if (created is not null)
                {
                    return created;
                }

                // The name is taken. A scoped region whose holders all died counts as absent here too, as it
                // does for opens, so that a crashed process can create its region again when it restarts.
                if (request.Mode == RegionMode.CreateNew && !TryRemoveStale(path, request))
                {
                    throw new RegionExistsException(request.Name);
                }
            }

            // Lost a race with a creator or a remover; both finish in microseconds.
            if (Stopwatch.GetElapsedTime(start) > Posix.LockDeadline)
            {
                throw new IOException(SR.Format(SR.BusyRemoving, request.Name, (int)Posix.LockDeadline.TotalSeconds));
            }

            Thread.Yield();
        }
    }

    /// <summary>Opens the file at the name. Null with <paramref name="retry"/> false means absent (or stale, now removed).</summary>
    private static LinuxRegion? TryOpenExisting(string path, in RegionRequest request, out bool retry)
    {
        retry = false;
        string name = request.Name;
        int flags = (request.ReadOnly ? Libc.O_RDONLY : Libc.O_RDWR) | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NONBLOCK;
        int fd = Libc.Open(path, flags, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.ENOENT)
            {
                return null;
            }

            throw errno switch
            {
                Libc.ELOOP => new UnauthorizedAccessException(SR.Format(SR.SymlinkRefused, name, path)),
                Libc.ENXIO => new IOException(SR.Format(SR.NotRegularFile, name, "a socket or device", path)),
                Libc.EISDIR => new IOException(SR.Format(SR.NotRegularFile, name, "a directory", path)),
                _ => ThrowHelper.ExceptionForErrno(errno, name, "open"),
            };
        }

        try
        {
            StatxBuffer st = FStat(fd, name);
            if ((st.Mode & Libc.S_IFMT) != Libc.S_IFREG)
            {
                throw new IOException(SR.Format(SR.NotRegularFile, name, DescribeType(st.Mode), path));
            }

            uint me = Libc.GetEUid();
            if (st.Uid != me && !request.Options.AllowOtherOwner)
            {
                throw new UnauthorizedAccessException(SR.Format(SR.OtherOwner, name, st.Uid, me));
            }

            bool scoped = (st.Mode & Libc.S_ISVTX) != 0;
            StaleRegion.Check stale = StaleRegion.TryLock(fd, path, st, allowOtherOwner: true); // the owner was checked above
            if (stale is StaleRegion.Check.Stale or StaleRegion.Check.Changed)
            {
                // Nobody holds it: every holder died. Remove it if the name still leads here, then report absence.
                if (stale == StaleRegion.Check.Stale && StaleRegion.Unlink(path) is int e && e is not (0 or Libc.ENOENT))
                {
                    ThrowHelper.ThrowForErrno(e, name, "remove stale");
                }

                Posix.Close(fd);
                fd = -1;
                return null;
            }

            Posix.LockShared(fd, name);
            st = FStat(fd, name);
            if (st.NLink == 0 || !IsSameFile(path, st))
            {
                // Removed (and perhaps recreated) between our open and our lock: try again from the name.
                Posix.Close(fd);
                fd = -1;
                retry = true;
                return null;
            }

            long size = (long)st.Size;
            if (size == 0)
            {
                throw new RegionFormatException(name, SR.Format(SR.RegionEmpty, name));
            }

            if (size < request.MinExistingSize)
            {
                throw new RegionFormatException(name, SR.Format(SR.RegionTooSmall, name, size, request.MinExistingSize));
            }

            byte* address = Posix.Map(fd, size, request.ReadOnly, name);
            var region = new LinuxRegion(path, fd, st, address, size, created: false, persistent: !scoped);
            fd = -1;
            return region;
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    /// <summary>
    /// Removes the file at the name if it is a stale scoped region this caller may open (its own, or another
    /// user's with <see cref="SharedMemoryOptions.AllowOtherOwner"/>) that nobody holds. True if the name is now
    /// free to try again (removed, or already gone); false if something live or foreign is there.
    /// </summary>
    private static bool TryRemoveStale(string path, in RegionRequest request)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NONBLOCK, 0);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError() == Libc.ENOENT;
        }

        try
        {
            StatxBuffer st = FStat(fd, request.Name);
            return StaleRegion.TryLock(fd, path, st, request.Options.AllowOtherOwner) switch
            {
                // Held shared by live holders, or exclusively by a process removing it right now (then retry).
                StaleRegion.Check.Held => Libc.Flock(fd, Libc.LOCK_SH | Libc.LOCK_NB) != 0,
                StaleRegion.Check.Changed => true, // replaced or removed meanwhile: look again
                StaleRegion.Check.Stale => StaleRegion.Unlink(path) is 0 or Libc.ENOENT,
                _ => false, // persistent, foreign or another user's: something we leave alone is there
            };
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    /// <summary>Creates, initialises and then names a new file. Null if the name was taken first.</summary>
    private static LinuxRegion? TryCreate(string path, in RegionRequest request)
    {
        string name = request.Name;
        string? tempPath = null;
        int fd = Libc.Open(Directory, Libc.O_TMPFILE | Libc.O_RDWR | Libc.O_CLOEXEC, 0x180);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (Libc.EOPNOTSUPP or Libc.EISDIR or Libc.EINVAL))
            {
                ThrowHelper.ThrowForErrno(errno, name, "create");
            }

            // No O_TMPFILE: fall back to a hidden exclusive temporary name, linked and unlinked below.
            tempPath = string.Create(CultureInfo.InvariantCulture, $"{Directory}.memshare-{Environment.ProcessId}-{Random.Shared.NextInt64():x}");
            fd = Libc.Open(tempPath, Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180);
            if (fd < 0)
            {
                ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "create");
            }
        }

        byte* address = null;
        long size = request.Size;
        try
        {
            int mode = Posix.ValidModeBits(request.Options.Permissions) | (request.Persistent ? 0 : Libc.S_ISVTX);
            if (Libc.FChmod(fd, mode) != 0)
            {
                ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "set the mode of");
            }

            int err;
            while ((err = Libc.PosixFallocate(fd, 0, size)) == Libc.EINTR)
            {
            }

            if (err != 0)
            {
                ThrowHelper.ThrowForErrno(err, name, "reserve memory for", size);
            }

            Posix.LockShared(fd, name);
            address = Posix.Map(fd, size, readOnly: false, name);
            Initialize(request, address, size);

            if (!Publish(fd, tempPath, path, name))
            {
                return null;
            }

            StatxBuffer st = FStat(fd, name);
            var region = new LinuxRegion(path, fd, st, address, size, created: true, persistent: request.Persistent);
            fd = -1;
            address = null;
            return region;
        }
        finally
        {
            if (fd >= 0)
            {
                Posix.Unmap(address, size);
                Posix.Close(fd);
            }

            if (tempPath is not null)
            {
                _ = Libc.Unlink(tempPath);
            }
        }
    }

    private static void Initialize(in RegionRequest request, byte* address, long size)
    {
        RegionInitializer? init = request.Initializer;
        if (init is null)
        {
            return;
        }

        if (size > int.MaxValue)
        {
            ThrowHelper.ThrowTooLargeForSpan(request.Name, size);
        }

        init(new Span<byte>(address, (int)size));
    }

    /// <summary>Gives the file its name; false if the name already exists.</summary>
    private static bool Publish(int fd, string? tempPath, string path, string name)
    {
        int rc = tempPath is null
            ? Libc.LinkAt(Libc.AT_FDCWD, "/proc/self/fd/" + fd.ToString(CultureInfo.InvariantCulture), Libc.AT_FDCWD, path, Libc.AT_SYMLINK_FOLLOW)
            : Libc.Link(tempPath, path);
        if (rc == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == Libc.EEXIST)
        {
            return false;
        }

        ThrowHelper.ThrowForErrno(errno, name, "publish");
        return false;
    }

    internal static bool Remove(string name)
    {
        string path = Directory + name;
        if (Libc.Unlink(path) == 0)
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
        if (!Persistent && Posix.TryLockExclusive(fd) && IsSameFile(_path, _ino, _devMajor, _devMinor))
        {
            // Last holder of a scoped region. While we hold the exclusive lock no other Memshare process
            // can remove or replace this name, so the check above still holds when we unlink.
            _ = Libc.Unlink(_path);
        }

        Posix.Close(fd);
    }

    internal static StatxBuffer FStat(int fd, string name)
    {
        if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out StatxBuffer st) != 0)
        {
            ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "inspect");
        }

        return st;
    }

    /// <summary>Stats a path without following a final symlink; false if it does not exist.</summary>
    internal static bool TryLStat(string path, out StatxBuffer st) =>
        Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out st) == 0;

    internal static bool IsSameFile(string path, in StatxBuffer st) => IsSameFile(path, st.Ino, st.DevMajor, st.DevMinor);

    private static bool IsSameFile(string path, ulong ino, uint major, uint minor) =>
        TryLStat(path, out StatxBuffer now) && now.Ino == ino && now.DevMajor == major && now.DevMinor == minor;

    private static string DescribeType(int mode) => (mode & Libc.S_IFMT) switch
    {
        0x4000 => "a directory",
        0x1000 => "a FIFO",
        0xC000 => "a socket",
        0x2000 or 0x6000 => "a device",
        Libc.S_IFLNK => "a symbolic link",
        _ => "not a regular file",
    };
}
