using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Memshare.Interop;

/// <summary>
/// Asking macOS about another process. <c>sysctl(KERN_PROC_PID)</c> answers for every user's processes, unlike
/// <c>proc_pidinfo</c> (which .NET's <c>Process</c> uses) and answers only for the caller's own user.
/// </summary>
internal static unsafe partial class LibcOSX
{
    [LibraryImport(Lib, EntryPoint = "sysctl", SetLastError = true)]
    [SupportedOSPlatform("macos")]
    internal static partial int Sysctl(int* name, uint nameLength, void* oldValue, nuint* oldLength, void* newValue, nuint newLength);

    // sys/sysctl.h and sys/proc.h.
    internal const int CTL_KERN = 1;
    internal const int KERN_PROC = 14;
    internal const int KERN_PROC_PID = 1;
    internal const byte SZOMB = 5;
}

/// <summary>
/// The fields we read of Darwin's 64-bit <c>struct kinfo_proc</c> (sys/sysctl.h): <c>kp_proc</c>, a
/// <c>struct extern_proc</c> of 296 bytes, then <c>kp_eproc</c>; 648 bytes in all on x86-64 and arm64.
/// <c>kp_proc</c> starts with the union <c>p_un</c> (two pointers, or <c>__p_starttime</c>, a
/// <c>struct timeval</c>: tv_sec i64 at 0, tv_usec i32 at 8), then p_vmspace at 16, p_sigacts at 24, p_flag
/// (i32) at 32, p_stat (char) at 36 and p_pid (i32) at 40.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 648)]
internal struct KinfoProc
{
    [FieldOffset(0)] public long StartSeconds;
    [FieldOffset(8)] public int StartMicroseconds;
    [FieldOffset(36)] public byte Stat;
    [FieldOffset(40)] public int Pid;
}
