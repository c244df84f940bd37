using System.Runtime.Versioning;

namespace Memshare.Interop;

/// <summary>
/// futex(2) through glibc's <c>syscall</c>. It is variadic in C, but glibc implements it in assembly as a plain
/// register shuffle, and x86-64/arm64 Linux pass variadic integer arguments in the same registers as fixed
/// ones, so this fixed signature is correct there. The private flag is never used: the words live in
/// MAP_SHARED mappings and must be matched across processes.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class Futex
{
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int* address, int op, int value, Timespec* timeout, void* address2, int value3);

    private const int FUTEX_WAIT = 0;
    private const int FUTEX_WAKE = 1;
    internal const int ETIMEDOUT = 110;
    internal const int EAGAIN = 11;

    private static readonly long s_number = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        Architecture.X86 => 240,
        Architecture.Arm => 240,
        _ => 98, // the generic syscall table used by newer architectures (riscv64, loongarch64)
    };

    /// <summary>Sleeps while <c>*address == expected</c>, up to <paramref name="timeoutMs"/> (-1: no limit). Returns 0 or an errno.</summary>
    internal static int Wait(int* address, int expected, int timeoutMs)
    {
        Timespec ts = default;
        Timespec* timeout = null;
        if (timeoutMs >= 0)
        {
            ts.Seconds = timeoutMs / 1000;
            ts.Nanoseconds = (timeoutMs % 1000) * 1_000_000L;
            timeout = &ts;
        }

        return Syscall(s_number, address, FUTEX_WAIT, expected, timeout, null, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Wakes up to <paramref name="count"/> processes sleeping on <paramref name="address"/>.</summary>
    internal static void Wake(int* address, int count) => _ = Syscall(s_number, address, FUTEX_WAKE, count, null, null, 0);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
