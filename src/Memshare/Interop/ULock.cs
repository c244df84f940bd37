using System.Runtime.Versioning;

namespace Memshare.Interop;

/// <summary>
/// macOS address waits shared across processes: <c>__ulock_wait</c>/<c>__ulock_wake</c> with
/// <c>UL_COMPARE_AND_WAIT_SHARED</c>. Fixed-argument functions, so safe to call on arm64. They are not public
/// API; libc++ and the Swift runtime depend on them, and macOS 14.4's <c>os_sync_wait_on_address</c> wraps the
/// same kernel call. Not run in our CI.
/// </summary>
[SupportedOSPlatform("macos")]
internal static unsafe partial class ULock
{
    [LibraryImport("libc", EntryPoint = "__ulock_wait", SetLastError = true)]
    private static partial int UlockWait(uint operation, int* address, ulong value, uint timeoutMicroseconds);

    [LibraryImport("libc", EntryPoint = "__ulock_wake", SetLastError = true)]
    private static partial int UlockWake(uint operation, int* address, ulong wakeValue);

    private const uint UL_COMPARE_AND_WAIT_SHARED = 3;
    private const uint ULF_WAKE_ALL = 0x100;
    private const uint ULF_NO_ERRNO = 0x1000000;

    internal static void Wait(int* address, int expected, int timeoutMs)
    {
        // A timeout of 0 means "forever" to the kernel; callers here always bound their waits.
        uint micros = timeoutMs < 0 ? 0 : (uint)Math.Min((long)timeoutMs * 1000, uint.MaxValue);
        _ = UlockWait(UL_COMPARE_AND_WAIT_SHARED | ULF_NO_ERRNO, address, (uint)expected, micros == 0 && timeoutMs == 0 ? 1 : micros);
    }

    internal static void Wake(int* address, bool all) =>
        _ = UlockWake(UL_COMPARE_AND_WAIT_SHARED | ULF_NO_ERRNO | (all ? ULF_WAKE_ALL : 0), address, 0);
}
