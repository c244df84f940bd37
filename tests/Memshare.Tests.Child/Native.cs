using System.Runtime.InteropServices;

namespace Memshare.TestChild;

internal static partial class Native
{
    /// <summary>RLIMIT_CORE on Linux.</summary>
    internal const int RlimitCore = 4;

    /// <summary>umask(2): sets the process's file mode creation mask and returns the previous one.</summary>
    [LibraryImport("libc", EntryPoint = "umask")]
    internal static partial int Umask(int mask);

    /// <summary>setrlimit(2).</summary>
    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    internal static partial int SetRLimit(int resource, in RLimit limit);

    /// <summary>Stops this process from writing a core file when it crashes on purpose.</summary>
    internal static void DisableCoreDumps() => _ = SetRLimit(RlimitCore, default);

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
