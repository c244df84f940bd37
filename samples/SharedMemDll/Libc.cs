using System.Runtime.InteropServices;

namespace SharedMemDll;

/// <summary>The one libc call this library makes.</summary>
internal static unsafe partial class Libc
{
    /// <summary>
    /// Runs <paramref name="function"/> when the host process exits normally (main returns, exit()). A NativeAOT
    /// library inside a C program gets no ProcessExit event, so this is how the slot is closed, as the seed's section
    /// was unmapped, and a scoped slot goes away with its last holder. glibc exports atexit only as this function
    /// (atexit itself is linked statically into each program); a null DSO handle means "at exit".
    /// </summary>
    [LibraryImport("libc.so.6", EntryPoint = "__cxa_atexit")]
    internal static partial int CxaAtExit(delegate* unmanaged<void*, void> function, void* argument, void* dsoHandle);
}
