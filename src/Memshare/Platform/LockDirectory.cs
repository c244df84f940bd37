using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>
/// The directory that holds every user's lock files. It must be shared (mode 1777) and trustworthy: a real
/// directory, not a symlink, owned by root or by the current user (a directory's owner may remove anything in
/// it, sticky bit or not), and sticky, so that no other user can remove or replace our lock files.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static class LockDirectory
{
    private const int SharedMode = 0x3FF; // 01777: rwx for all, plus the sticky bit
    private const int PermissionBits = 0xFFF;

    /// <summary>Creates the directory if it is missing, then checks it; throws a message naming <paramref name="name"/> if it cannot be trusted.</summary>
    internal static void Ensure(ShmApi api, string directory, string name)
    {
        if (!api.LStat(directory, out FileStatus st))
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.ENOENT)
            {
                ThrowHelper.ThrowForErrno(errno, name, "inspect the lock directory of");
            }

            // mkdir applies the umask (xnu's too), so the shared mode is set afterwards. Until then the
            // directory is 0700 and ours: nobody else can create in it or replace it (/tmp is sticky).
            if (Libc.Mkdir(directory, 0x1C0) == 0)
            {
                if (Libc.Chmod(directory, SharedMode) != 0)
                {
                    ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "set the mode of the lock directory of");
                }
            }
            else if (Marshal.GetLastPInvokeError() is int e && e != Libc.EEXIST)
            {
                ThrowHelper.ThrowForErrno(e, name, "create the lock directory of");
            }

            if (!api.LStat(directory, out st))
            {
                ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "inspect the lock directory of");
            }
        }

        Check(directory, name, st);
    }

    private static void Check(string directory, string name, in FileStatus st)
    {
        if ((st.Mode & Libc.S_IFMT) != Libc.S_IFDIR)
        {
            string what = (st.Mode & Libc.S_IFMT) == Libc.S_IFLNK ? "a symbolic link" : "not a directory";
            throw new IOException(SR.Format(SR.LockDirNotDirectory, name, directory, what));
        }

        uint me = Libc.GetEUid();
        if (st.Uid != 0 && st.Uid != me)
        {
            throw new UnauthorizedAccessException(SR.Format(SR.LockDirOwner, name, directory, st.Uid, me));
        }

        if ((st.Mode & PermissionBits) == SharedMode)
        {
            return;
        }

        // Ours but not shared (an earlier Memshare created it under a umask): repair it.
        if (st.Uid == me && Libc.Chmod(directory, SharedMode) == 0)
        {
            return;
        }

        if ((st.Mode & Libc.S_ISVTX) == 0)
        {
            string mode = Convert.ToString(st.Mode & PermissionBits, 8).PadLeft(4, '0');
            throw new UnauthorizedAccessException(SR.Format(SR.LockDirMode, name, directory, mode));
        }

        // Root's and sticky but not open to everyone: root chose who may create regions; use it as it is.
    }
}
