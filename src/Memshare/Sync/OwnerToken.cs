using System.Diagnostics;
using System.Globalization;

namespace Memshare.Sync;

/// <summary>
/// A 64-bit identity of a process that survives pid reuse: the pid in the low 32 bits and a stamp of the
/// process start time in the high 32. Written into shared memory by lock owners so that others can tell a
/// dead owner from a live one.
/// </summary>
internal static partial class OwnerToken
{
    /// <summary>This process's token; never 0.</summary>
    internal static readonly ulong Current = Make(Environment.ProcessId, StartStamp(Environment.ProcessId) ?? 1);

    internal static int Pid(ulong token) => (int)(uint)token;

    internal static ulong Make(int pid, uint stamp) => ((ulong)stamp << 32) | (uint)pid;

    /// <summary>Whether the process that wrote <paramref name="token"/> is still running. Slow: reads /proc or asks the OS.</summary>
    internal static bool IsAlive(ulong token)
    {
        int pid = Pid(token);
        if (pid == Environment.ProcessId)
        {
            return token == Current;
        }

        if (OperatingSystem.IsWindows())
        {
            return IsAliveWindows(token);
        }

        if (OperatingSystem.IsMacOS())
        {
            return MacIsAlive(pid, (uint)(token >> 32));
        }

        if (OperatingSystem.IsLinux() && !File.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat")
            && Interop.Libc.Kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() == Interop.Libc.EPERM)
        {
            // /proc hides other users' processes (hidepid): the pid exists, but its start time cannot be
            // checked. Assume alive: stealing a live owner's lock would be far worse than waiting.
            return true;
        }

        uint? stamp = StartStamp(pid);
        return stamp is not null && stamp.Value == (uint)(token >> 32);
    }

    /// <summary>The start-time stamp of <paramref name="pid"/>, or null if no such live process exists.</summary>
    private static uint? StartStamp(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return LinuxStartStamp(pid);
        }

        if (OperatingSystem.IsWindows())
        {
            return CurrentStampWindows();
        }

        if (OperatingSystem.IsMacOS())
        {
            return MacStartStamp(pid);
        }

        try
        {
            using var p = Process.GetProcessById(pid);
            if (p.HasExited)
            {
                return null;
            }

            // Exact on Windows (creation FILETIME), so every reader agrees.
            return (uint)(p.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerMillisecond);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// Field 22 of /proc/PID/stat: start time in clock ticks since boot, the same number for every reader.
    /// A zombie (state Z) counts as dead: it will never release anything.
    /// </summary>
    private static uint? LinuxStartStamp(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) may hold spaces and parentheses; the fields we want follow the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        string[] fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] is "Z" or "X" or "x")
        {
            return null;
        }

        return ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out ulong ticks) ? (uint)ticks | 1u : null;
    }
}
