using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Sync;

/// <summary>
/// Owner liveness on macOS. <c>proc_pidinfo</c> (and so .NET's <c>Process</c>) fails for another user's
/// process, which used to make a live owner look dead; <c>sysctl(KERN_PROC_PID)</c> works across users.
/// Anything that cannot be answered counts as alive: stealing a live owner's lock is far worse than waiting.
/// </summary>
internal static partial class OwnerToken
{
    /// <summary>Milliseconds from 0001-01-01 to 1970-01-01 UTC: the stamp counts .NET ticks / 10,000.</summary>
    private const long UnixEpochMilliseconds = 62_135_596_800_000;

    private enum MacProcess
    {
        Unknown,
        Gone,
        Running,
    }

    [SupportedOSPlatform("macos")]
    private static bool MacIsAlive(int pid, uint stamp) => MacQuery(pid, out uint now) switch
    {
        MacProcess.Gone => false,
        MacProcess.Running => now == stamp,
        _ => true,
    };

    [SupportedOSPlatform("macos")]
    private static uint? MacStartStamp(int pid) => MacQuery(pid, out uint stamp) == MacProcess.Running ? stamp : null;

    /// <summary>
    /// The stamp is the low 32 bits of the start time in milliseconds since 0001-01-01 UTC, from the kernel's
    /// <c>p_starttime</c>: the number earlier versions took from <c>Process.StartTime</c>, for every reader alike.
    /// </summary>
    [SupportedOSPlatform("macos")]
    private static unsafe MacProcess MacQuery(int pid, out uint stamp)
    {
        stamp = 0;
        int* mib = stackalloc int[4] { LibcOSX.CTL_KERN, LibcOSX.KERN_PROC, LibcOSX.KERN_PROC_PID, pid };
        KinfoProc info;
        nuint length = (nuint)sizeof(KinfoProc);
        if (LibcOSX.Sysctl(mib, 4, &info, &length, null, 0) != 0)
        {
            return MacProcess.Unknown; // e.g. a sandbox refusing the query: cannot tell
        }

        if (length == 0)
        {
            return MacProcess.Gone; // the kernel found no process with this pid
        }

        if (length < 44 || info.Pid != pid)
        {
            return MacProcess.Unknown;
        }

        if (info.Stat == LibcOSX.SZOMB)
        {
            return MacProcess.Gone; // a zombie will never release anything
        }

        stamp = (uint)(UnixEpochMilliseconds + (info.StartSeconds * 1000) + (info.StartMicroseconds / 1000));
        return MacProcess.Running;
    }
}
