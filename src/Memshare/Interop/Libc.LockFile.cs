using System.Runtime.InteropServices;

namespace Memshare.Interop;

/// <summary>
/// Fixed-argument POSIX calls the lock-file protocol needs (see Platform/LockFileRegion.cs); the same
/// prototypes on Linux and macOS, so safe on Apple arm64 too.
/// </summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    internal static partial nint PRead(int fd, void* buffer, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    internal static partial nint PWrite(int fd, void* buffer, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Mkdir(string path, int mode);

    [LibraryImport(Lib, EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Chmod(string path, int mode);

    internal const int ENOMEM = 12;
    internal const int S_IFDIR = 0x4000;
}
