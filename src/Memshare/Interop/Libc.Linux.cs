using System.Runtime.InteropServices;

namespace Memshare.Interop;

/// <summary>Linux-only calls and the open(2) flags whose values differ between Linux architectures.</summary>
internal static unsafe partial class Libc
{
    /// <summary>
    /// statx(2): its struct has one layout on every Linux architecture, unlike <c>struct stat</c>.
    /// Pass an empty path and <see cref="AT_EMPTY_PATH"/> to stat an open descriptor.
    /// </summary>
    [LibraryImport(Lib, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(Lib, EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int LinkAt(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_SYMLINK_FOLLOW = 0x400;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_BASIC_STATS = 0x7FF;

    internal const int O_RDONLY = 0;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;

    // O_DIRECTORY and O_NOFOLLOW are the two open flags whose values differ between x86-64 and arm64.
    private static readonly bool s_armFlags =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
    internal static int O_NOFOLLOW => s_armFlags ? 0x8000 : 0x20000;
    internal static int O_DIRECTORY => s_armFlags ? 0x4000 : 0x10000;
    /// <summary>O_TMPFILE includes O_DIRECTORY, as in the kernel headers.</summary>
    internal static int O_TMPFILE => 0x400000 | O_DIRECTORY;

    internal const int EOPNOTSUPP = 95;
    internal const int EISDIR = 21;
    internal const int ELOOP = 40;
    internal const int ENXIO = 6;

    internal const int _SC_PAGESIZE = 30;
}

/// <summary>The fields of <c>struct statx</c> we read; offsets from linux/stat.h (fixed on all architectures).</summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct StatxBuffer
{
    [FieldOffset(0)] public uint Mask;
    [FieldOffset(16)] public uint NLink;
    [FieldOffset(20)] public uint Uid;
    [FieldOffset(24)] public uint Gid;
    [FieldOffset(28)] public ushort Mode;
    [FieldOffset(32)] public ulong Ino;
    [FieldOffset(40)] public ulong Size;
    [FieldOffset(136)] public uint DevMajor;
    [FieldOffset(140)] public uint DevMinor;
}
