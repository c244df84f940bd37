using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>
/// The one stale-region step of the Linux lifetime protocol (docs/format.md, "Holders"), shared by an open that
/// finds a dead region under its name, a create that finds the name taken, and <c>memshare gc</c>.
/// </summary>
/// <remarks>
/// A scoped region (sticky bit) whose exclusive <c>flock</c> can be taken without waiting has no holder: every
/// holder keeps a shared lock until it closes or dies. While we hold the exclusive lock no Memshare process can
/// start holding it (an opener blocks on its shared lock until we close, then finds the inode unlinked), so once
/// the name is checked to still lead to the locked inode, unlinking it is race-free.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static class StaleRegion
{
    /// <summary>What <see cref="TryLock"/> found.</summary>
    internal enum Check
    {
        /// <summary>Not a regular file with the sticky bit: persistent, or made by another program. Never removed.</summary>
        NotScoped,

        /// <summary>Another user owns it and the caller did not allow that.</summary>
        OtherOwner,

        /// <summary>Someone holds a lock on it: live holders (shared), or another remover (exclusive).</summary>
        Held,

        /// <summary>Locked, but the name no longer leads to this inode: removed or replaced meanwhile.</summary>
        Changed,

        /// <summary>Stale, and now locked exclusively through the descriptor until it is closed.</summary>
        Stale,
    }

    /// <summary>
    /// Decides whether the file open as <paramref name="fd"/> (stat <paramref name="st"/>, found at
    /// <paramref name="path"/>) is a stale scoped region this caller may remove. On <see cref="Check.Stale"/> the
    /// descriptor holds the exclusive lock: call <see cref="Unlink"/> (or not) before closing it.
    /// </summary>
    internal static Check TryLock(int fd, string path, in StatxBuffer st, bool allowOtherOwner)
    {
        if ((st.Mode & Libc.S_IFMT) != Libc.S_IFREG || (st.Mode & Libc.S_ISVTX) == 0)
        {
            return Check.NotScoped;
        }

        if (st.Uid != Libc.GetEUid() && !allowOtherOwner)
        {
            return Check.OtherOwner;
        }

        if (!Posix.TryLockExclusive(fd))
        {
            return Check.Held;
        }

        return LinuxRegion.IsSameFile(path, st) ? Check.Stale : Check.Changed;
    }

    /// <summary>Unlinks a name that <see cref="TryLock"/> found stale. Returns 0, or the errno (ENOENT: someone else removed it first).</summary>
    internal static int Unlink(string path) => Libc.Unlink(path) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
