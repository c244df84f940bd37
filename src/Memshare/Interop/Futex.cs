using System.Runtime.Versioning;

namespace Memshare.Interop;

/// <summary>
/// futex(2) through glibc's <c>syscall</c>. It is variadic in C, but glibc implements it in assembly as a plain
/// register shuffle, and x86-64/arm64 Linux pass variadic integer arguments in the same registers as fixed
/// ones, so this fixed signature is correct there. The private flag is used only for the async hub's own
/// in-process word: every other word lives in a MAP_SHARED mapping and must be matched across processes.
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

    /// <summary>Wakes a thread of this process sleeping on a word in private memory (the async hub's own word).</summary>
    internal static void WakePrivate(int* address, int count) => _ = Syscall(s_number, address, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, count, null, null, 0);

    private const int FUTEX_PRIVATE_FLAG = 128;

    /// <summary>Wakes up to <paramref name="count"/> processes sleeping on <paramref name="address"/>.</summary>
    internal static void Wake(int* address, int count) => _ = Syscall(s_number, address, FUTEX_WAKE, count, null, null, 0);

    private const int FutexWaitvNumber = 449; // the same on every architecture (added in Linux 5.16)
    private const int CLOCK_MONOTONIC = 1;
    internal const uint FUTEX2_SIZE_U32 = 0x02;
    internal const uint FUTEX2_PRIVATE = 128;
    internal const int ENOSYS = 38;

    /// <summary>
    /// futex_waitv(2): sleeps until any of <paramref name="count"/> words no longer holds its expected value, or
    /// until the absolute CLOCK_MONOTONIC <paramref name="deadlineNs"/>. Returns the index woken, or -errno.
    /// </summary>
    internal static int WaitMany(FutexWaitv* waiters, int count, long deadlineNs)
    {
        Timespec ts = new() { Seconds = deadlineNs / 1_000_000_000, Nanoseconds = deadlineNs % 1_000_000_000 };
        long rc = SyscallWaitv(FutexWaitvNumber, waiters, (uint)count, 0, &ts, CLOCK_MONOTONIC);
        return rc >= 0 ? (int)rc : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Now on CLOCK_MONOTONIC, in nanoseconds: the clock futex_waitv deadlines use.</summary>
    internal static long MonotonicNowNs()
    {
        Timespec ts;
        _ = ClockGetTime(CLOCK_MONOTONIC, &ts);
        return (ts.Seconds * 1_000_000_000) + ts.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallWaitv(long number, FutexWaitv* waiters, uint count, uint flags, Timespec* timeout, int clock);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, Timespec* time);

    /// <summary>struct futex_waitv from linux/futex.h.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FutexWaitv
    {
        public ulong Value;
        public ulong Address;
        public uint Flags;
        public uint Reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
