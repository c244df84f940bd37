using System.Runtime.Versioning;
using Memshare.Interop;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Sync;

/// <summary>Windows: liveness from <c>OpenProcess</c> with the least access, where "cannot tell" counts as alive.</summary>
internal static partial class OwnerToken
{
    /// <summary>DateTime ticks from 0001-01-01 to the FILETIME epoch 1601-01-01.</summary>
    private const long FileTimeEpochTicks = 504_911_232_000_000_000;

    /// <summary>
    /// Dead only when Windows says so: no process has the pid, it has exited, or it started at another time
    /// (pid reuse). A process we may not query (another account's, a service, a protected process) answers
    /// ERROR_ACCESS_DENIED; it exists, so its owner counts as alive, as with EPERM on Linux. Stealing a live
    /// owner's lock would be far worse than waiting.
    /// </summary>
    [SupportedOSPlatform("windows")]
    private static bool IsAliveWindows(ulong token)
    {
        using SafeProcessHandle process = Kernel32.OpenProcess(Kernel32.PROCESS_QUERY_LIMITED_INFORMATION, false, Pid(token));
        if (process.IsInvalid)
        {
            // ERROR_INVALID_PARAMETER is "no such process"; anything else (access denied) means it exists.
            return Marshal.GetLastPInvokeError() != Kernel32.ERROR_INVALID_PARAMETER;
        }

        if (!Kernel32.GetExitCodeProcess(process, out uint exitCode))
        {
            return true;
        }

        if (exitCode != Kernel32.STILL_ACTIVE)
        {
            return false; // exited; a handle someone still holds keeps its pid taken
        }

        // A process that exited with code 259 (STILL_ACTIVE) passes as running until its pid is free or reused.
        return !Kernel32.GetProcessTimes(process, out long creation, out _, out _, out _) || Stamp(creation) == (uint)(token >> 32);
    }

    [SupportedOSPlatform("windows")]
    private static uint? CurrentStampWindows() =>
        Kernel32.GetProcessTimes(Kernel32.GetCurrentProcess(), out long creation, out _, out _, out _) ? Stamp(creation) : null;

    /// <summary>
    /// The creation time in milliseconds since 0001-01-01 UTC, low 32 bits: the number Process.StartTime gave
    /// before, taken from the FILETIME directly (StartTime went through local time, which is ambiguous once a year).
    /// </summary>
    private static uint Stamp(long creationFileTime) => (uint)((creationFileTime + FileTimeEpochTicks) / TimeSpan.TicksPerMillisecond);
}
