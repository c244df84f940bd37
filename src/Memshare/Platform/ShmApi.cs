using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>
/// The OS calls of the lock-file protocol (<see cref="LockFileRegion"/>) whose names, flag values or struct
/// layouts differ between OSes. macOS binds them to Darwin (<see cref="DarwinShmApi"/>); the tests bind them to
/// Linux, so the protocol's races run here between real processes.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal abstract class ShmApi
{
    /// <summary>shm_open(3): a descriptor, or -1 with errno.</summary>
    public abstract int ShmOpen(string name, int flags, int mode);

    /// <summary>shm_unlink(3): 0, or -1 with errno.</summary>
    public abstract int ShmUnlink(string name);

    /// <summary>open(2) with a mode: a descriptor, or -1 with errno.</summary>
    public abstract int Open(string path, int flags, int mode);

    /// <summary>fstat(2); false with errno.</summary>
    public abstract bool FStat(int fd, out FileStatus status);

    /// <summary>lstat(2) (a final symlink is described, not followed); false with errno.</summary>
    public abstract bool LStat(string path, out FileStatus status);

    /// <summary>ftruncate(2) on a new shm object: 0, or -1 with errno.</summary>
    public virtual int SizeShm(int fd, long size) => Libc.FTruncate(fd, size);

    public abstract int OCreat { get; }

    public abstract int OExcl { get; }

    public abstract int ONoFollow { get; }

    public abstract int OCloexec { get; }

    /// <summary>errno for "a symlink where O_NOFOLLOW forbids one".</summary>
    public abstract int ELoop { get; }
}

/// <summary>The fields of a <c>struct stat</c> the protocol reads, whatever the OS's own layout.</summary>
/// <param name="Mode">st_mode: type and permission bits.</param>
/// <param name="Uid">st_uid.</param>
/// <param name="Device">st_dev.</param>
/// <param name="Inode">st_ino.</param>
/// <param name="Links">st_nlink: 0 once the file has been unlinked.</param>
/// <param name="Size">st_size in bytes (page-rounded for a macOS shm object).</param>
internal readonly record struct FileStatus(int Mode, uint Uid, ulong Device, ulong Inode, ulong Links, long Size)
{
    public bool IsSameFile(in FileStatus other) => Device == other.Device && Inode == other.Inode;
}
