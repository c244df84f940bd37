using System.Runtime.InteropServices;

namespace Memshare.Interop;

/// <summary>
/// POSIX calls shared by Linux and macOS. Every native declaration of the library lives under Interop/.
/// </summary>
/// <remarks>
/// <c>open</c> and <c>fcntl</c> are variadic in C. On x86-64 and arm64 Linux, and on x86-64 macOS, variadic
/// arguments travel in the same registers as fixed ones, so a fixed-signature import is correct there. Apple
/// arm64 passes variadic arguments on the stack; the few calls that need a variadic argument on macOS go
/// through <see cref="LibcOSX"/>, which places it where the callee reads it.
/// </remarks>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    [LibraryImport(Lib, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Unlink(string path);

    [LibraryImport(Lib, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Link(string existing, string newPath);

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int FChmod(int fd, int mode);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int FTruncate(int fd, long length);

    /// <summary>Returns an error number (not -1/errno) like every posix_* function.</summary>
    [LibraryImport(Lib, EntryPoint = "posix_fallocate")]
    internal static partial int PosixFallocate(int fd, long offset, long length);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    internal static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(void* addr, nuint length);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    internal static partial uint GetEUid();

    [LibraryImport(Lib, EntryPoint = "getpid")]
    internal static partial int GetPid();

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "sysconf")]
    internal static partial long Sysconf(int name);

    // flock(2) operations: the same values on Linux and macOS.
    internal const int LOCK_SH = 1;
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;
    internal const int LOCK_UN = 8;

    // mmap(2): the same values on Linux and macOS.
    internal const int PROT_READ = 1;
    internal const int PROT_WRITE = 2;
    internal const int MAP_SHARED = 1;
    internal static readonly void* MAP_FAILED = (void*)-1;

    // File type and mode bits (st_mode): identical on Linux and macOS.
    internal const int S_IFMT = 0xF000;
    internal const int S_IFREG = 0x8000;
    internal const int S_IFLNK = 0xA000;
    internal const int S_ISVTX = 0x200; // sticky bit: Memshare's "freed with its last holder" marker

    // errno values shared by Linux and macOS.
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EACCES = 13;
    internal const int EEXIST = 17;
    internal const int EINVAL = 22;
    internal const int ENOSPC = 28;
    internal const int ESRCH = 3;
}
