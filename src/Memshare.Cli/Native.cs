using System.Runtime.InteropServices;

namespace Memshare.Cli;

/// <summary>The one system call the CLI makes itself: forwarding a signal to the program 'lock' runs.</summary>
/// <remarks>
/// A plain <c>DllImport</c> with only <c>int</c> parameters needs no marshalling code, so it is trimming- and
/// NativeAOT-safe without <c>LibraryImport</c>'s generated unsafe code (the CLI compiles no unsafe code).
/// </remarks>
internal static class Native
{
    /// <summary>kill(2): sends <paramref name="signal"/> to process <paramref name="pid"/>; 0 on success, -1 with errno set.</summary>
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks; int-only signatures marshal nothing anyway.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
