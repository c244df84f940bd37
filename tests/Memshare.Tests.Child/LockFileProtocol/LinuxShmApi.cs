using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Memshare.Interop;
using Memshare.Platform;

namespace Memshare.TestChild.LockFileProtocol;

/// <summary>
/// Binds the macOS lock-file protocol (<see cref="LockFileRegion"/>) to Linux for tests: glibc's
/// <c>shm_open</c> (a file in /dev/shm), Linux flag values, <c>statx</c> for Linux's own stat layout. Sizing
/// behaves as on xnu: an object can be sized once, and its size is rounded up to whole pages.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed partial class LinuxShmApi : ShmApi
{
    internal static readonly LinuxShmApi Instance = new();

    private static readonly long PageSize = Libc.Sysconf(Libc._SC_PAGESIZE);

    // glibc 2.34+ has shm_open in libc.so.6 itself.
    [LibraryImport("libc", EntryPoint = "shm_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeShmOpen(string name, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "shm_unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeShmUnlink(string name);

    public override int ShmOpen(string name, int flags, int mode) => NativeShmOpen(name, flags, mode);

    public override int ShmUnlink(string name) => NativeShmUnlink(name);

    public override int Open(string path, int flags, int mode) => Libc.Open(path, flags, mode);

    public override bool FStat(int fd, out FileStatus status)
    {
        bool ok = Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out StatxBuffer st) == 0;
        status = Convert(st);
        return ok;
    }

    public override bool LStat(string path, out FileStatus status)
    {
        bool ok = Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out StatxBuffer st) == 0;
        status = Convert(st);
        return ok;
    }

    /// <summary>As xnu's pshm_truncate: EINVAL once sized, and the size rounded up to whole pages.</summary>
    public override int SizeShm(int fd, long size)
    {
        if (!FStat(fd, out FileStatus st))
        {
            return -1;
        }

        if (st.Size != 0)
        {
            Marshal.SetLastPInvokeError(Libc.EINVAL);
            return -1;
        }

        return Libc.FTruncate(fd, (size + PageSize - 1) / PageSize * PageSize);
    }

    public override int OCreat => Libc.O_CREAT;

    public override int OExcl => Libc.O_EXCL;

    public override int ONoFollow => Libc.O_NOFOLLOW;

    public override int OCloexec => Libc.O_CLOEXEC;

    public override int ELoop => Libc.ELOOP;

    private static FileStatus Convert(in StatxBuffer st) =>
        new(st.Mode, st.Uid, ((ulong)st.DevMajor << 32) | st.DevMinor, st.Ino, st.NLink, (long)st.Size);
}
