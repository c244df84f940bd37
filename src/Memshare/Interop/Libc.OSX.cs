using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Memshare.Interop;

/// <summary>
/// macOS calls. <c>shm_open</c> and <c>open</c> take their mode as a variadic argument; on Apple arm64 that
/// argument is read from the stack, so the arm64 imports pad the six remaining argument registers and pass
/// the mode as the first stack argument, which is where <c>va_arg</c> looks for it.
/// </summary>
internal static unsafe partial class LibcOSX
{
    private const string Lib = "libc";

    [LibraryImport(Lib, EntryPoint = "shm_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int ShmOpenX64(string name, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "shm_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int ShmOpenArm64(string name, int flags, long r2, long r3, long r4, long r5, long r6, long r7, long mode);

    [LibraryImport(Lib, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenX64(string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenArm64(string path, int flags, long r2, long r3, long r4, long r5, long r6, long r7, long mode);

    [LibraryImport(Lib, EntryPoint = "shm_unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [SupportedOSPlatform("macos")]
    internal static partial int ShmUnlink(string name);

    // x86-64 macOS keeps the 32-bit-inode fstat under the plain name; the 64-bit-inode one is "fstat$INODE64".
    [LibraryImport(Lib, EntryPoint = "fstat$INODE64", SetLastError = true)]
    private static partial int FStatX64(int fd, out DarwinStat buffer);

    [LibraryImport(Lib, EntryPoint = "fstat", SetLastError = true)]
    private static partial int FStatArm64(int fd, out DarwinStat buffer);

    [LibraryImport(Lib, EntryPoint = "lstat$INODE64", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LStatX64(string path, out DarwinStat buffer);

    [LibraryImport(Lib, EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LStatArm64(string path, out DarwinStat buffer);

    private static bool IsArm64 => RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    [SupportedOSPlatform("macos")]
    internal static int ShmOpen(string name, int flags, int mode) =>
        IsArm64 ? ShmOpenArm64(name, flags, 0, 0, 0, 0, 0, 0, mode) : ShmOpenX64(name, flags, mode);

    [SupportedOSPlatform("macos")]
    internal static int Open(string path, int flags, int mode) =>
        IsArm64 ? OpenArm64(path, flags, 0, 0, 0, 0, 0, 0, mode) : OpenX64(path, flags, mode);

    [SupportedOSPlatform("macos")]
    internal static int FStat(int fd, out DarwinStat buffer) =>
        IsArm64 ? FStatArm64(fd, out buffer) : FStatX64(fd, out buffer);

    [SupportedOSPlatform("macos")]
    internal static int LStat(string path, out DarwinStat buffer) =>
        IsArm64 ? LStatArm64(path, out buffer) : LStatX64(path, out buffer);

    internal const int O_RDONLY = 0;
    internal const int O_RDWR = 2;
    internal const int O_NONBLOCK = 0x4;
    internal const int O_CREAT = 0x200;
    internal const int O_EXCL = 0x800;
    internal const int O_NOFOLLOW = 0x100;
    internal const int O_CLOEXEC = 0x1000000;

    // errno values where Darwin differs from Linux.
    internal const int ELOOP = 62;
    internal const int ENAMETOOLONG = 63;

    /// <summary>PSHMNAMLEN: a shm name, leading '/' included, may have at most 31 characters.</summary>
    internal const int MaxShmNameLength = 30;
}

/// <summary>
/// Darwin's 64-bit-inode <c>struct stat</c> (<c>__DARWIN_STRUCT_STAT64</c> in sys/stat.h): the same layout on
/// x86-64 (through the <c>$INODE64</c> entry points) and arm64. dev_t is 32-bit and mode_t and nlink_t are 16-bit
/// here, unlike Linux, whose layouts this must never be used for (Linux uses <see cref="StatxBuffer"/>).
/// Offsets: st_dev 0, st_mode 4, st_nlink 6, st_ino 8, st_uid 16, st_gid 20, st_rdev 24, four timespecs
/// 32..95, st_size 96, st_blocks 104, st_blksize 112, st_flags 116, st_gen 120, st_lspare 124, st_qspare 128..143.
/// A POSIX shm descriptor fills only mode, uid, gid and size (xnu's pshm_stat); size is page-rounded there.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal struct DarwinStat
{
    [FieldOffset(0)] public int Dev;
    [FieldOffset(4)] public ushort Mode;
    [FieldOffset(6)] public ushort NLink;
    [FieldOffset(8)] public ulong Ino;
    [FieldOffset(16)] public uint Uid;
    [FieldOffset(20)] public uint Gid;
    [FieldOffset(96)] public long Size;
}
