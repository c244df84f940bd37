using Microsoft.Win32.SafeHandles;

namespace Memshare.Interop;

/// <summary>Windows process queries for owner liveness.</summary>
internal static partial class Kernel32
{
    [LibraryImport(Lib, EntryPoint = "OpenProcess", SetLastError = true)]
    internal static partial SafeProcessHandle OpenProcess(uint desiredAccess, [MarshalAs(UnmanagedType.Bool)] bool inheritHandle, int processId);

    [LibraryImport(Lib, EntryPoint = "GetCurrentProcess")]
    internal static partial nint GetCurrentProcess();

    [LibraryImport(Lib, EntryPoint = "GetProcessTimes", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetProcessTimes(SafeProcessHandle process, out long creation, out long exit, out long kernel, out long user);

    [LibraryImport(Lib, EntryPoint = "GetProcessTimes", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetProcessTimes(nint process, out long creation, out long exit, out long kernel, out long user);

    [LibraryImport(Lib, EntryPoint = "GetExitCodeProcess", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetExitCodeProcess(SafeProcessHandle process, out uint exitCode);

    /// <summary>The least access that answers "running?" and "since when?"; granted for most processes of other users.</summary>
    internal const uint PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
    internal const uint STILL_ACTIVE = 259;
    internal const int ERROR_INVALID_PARAMETER = 87;
}
