using System.Diagnostics;
using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>POSIX steps that Linux and macOS share: mapping, flock with a deadline, errno to exception.</summary>
[UnsupportedOSPlatform("windows")]
internal static unsafe class Posix
{
    /// <summary>How long an opener waits for a holder that is removing a region before it gives up.</summary>
    internal static readonly TimeSpan LockDeadline = TimeSpan.FromSeconds(10);

    internal static byte* Map(int fd, long length, bool readOnly, string name)
    {
        int prot = readOnly ? Libc.PROT_READ : Libc.PROT_READ | Libc.PROT_WRITE;
        void* p = Libc.Mmap(null, (nuint)length, prot, Libc.MAP_SHARED, fd, 0);
        if (p == Libc.MAP_FAILED)
        {
            ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "map", length);
        }

        return (byte*)p;
    }

    internal static void Unmap(byte* address, long length)
    {
        if (address != null)
        {
            _ = Libc.Munmap(address, (nuint)length);
        }
    }

    /// <summary>Takes a shared flock, waiting out a holder that briefly has it exclusively while removing.</summary>
    internal static void LockShared(int fd, string name)
    {
        long start = Stopwatch.GetTimestamp();
        for (int spins = 0; ; spins++)
        {
            if (Libc.Flock(fd, Libc.LOCK_SH | Libc.LOCK_NB) == 0)
            {
                return;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR && errno != EWouldBlock)
            {
                ThrowHelper.ThrowForErrno(errno, name, "lock");
            }

            if (Stopwatch.GetElapsedTime(start) > LockDeadline)
            {
                throw new IOException(SR.Format(SR.BusyRemoving, name, (int)LockDeadline.TotalSeconds));
            }

            // Exclusive holders only unlink and close, so the first few retries nearly always succeed.
            if (spins < 16)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>True if this descriptor alone holds the region: no other open description has a flock on it.</summary>
    internal static bool TryLockExclusive(int fd) => Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) == 0;

    internal static int EWouldBlock => OperatingSystem.IsMacOS() ? 35 : 11;

    internal static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }

    internal static int ValidModeBits(UnixFileMode permissions) => (int)permissions & 0x1B6; // rw for user, group, other
}
