using System.Globalization;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>Creating a region: publish a complete lock file, then create, size and initialise S, then mark it Ready.</summary>
internal sealed unsafe partial class LockFileRegion
{
    /// <summary>Done (with <paramref name="region"/>); Taken if L exists; Foreign if S exists without L.</summary>
    private static Step TryCreate(ShmApi api, in RegionPaths paths, in RegionRequest request, out LockFileRegion? region)
    {
        region = null;
        string name = request.Name;
        string? tempPath = string.Create(CultureInfo.InvariantCulture,
            $"{paths.Directory}/.{Environment.ProcessId}-{Random.Shared.NextInt64():x}.tmp");
        int lockFd = api.Open(tempPath, Libc.O_RDWR | api.OCreat | api.OExcl | api.ONoFollow | api.OCloexec, 0x180);
        if (lockFd < 0)
        {
            ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "create the lock file of");
        }

        int shmFd = -1;
        byte* address = null;
        bool shmCreated = false;
        bool published = false;
        try
        {
            // Everything an opener reads is in place before the file has its name.
            if (Libc.FChmod(lockFd, LockFileMode(request.Options.Permissions)) != 0)
            {
                ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "set the mode of the lock file of");
            }

            var record = new LockFileRecord
            {
                Magic = LockFileRecord.MagicValue,
                State = LockFileRecord.Initializing,
                Flags = request.Persistent ? 0 : LockFileRecord.ScopedFlag,
                Size = request.Size,
                Creator = Sync.OwnerToken.Current,
            };
            Write(lockFd, &record, sizeof(LockFileRecord), 0, name);
            Posix.LockShared(lockFd, name); // nobody else knows this file yet: never waits
            FileStatus lockStat = StatFd(api, lockFd, name);

            if (Libc.Link(tempPath, paths.Lock) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == Libc.EEXIST ? Step.Taken : throw ThrowHelper.ExceptionForErrno(errno, name, "publish the lock file of");
            }

            published = true;
            _ = Libc.Unlink(tempPath);
            tempPath = null;

            shmFd = api.ShmOpen(paths.Shm, Libc.O_RDWR | api.OCreat | api.OExcl | api.OCloexec, Posix.ValidModeBits(request.Options.Permissions));
            if (shmFd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EEXIST)
                {
                    ThrowHelper.ThrowForErrno(errno, name, "create");
                }

                // S exists without a lock file: another program made it. Take our L back at once (S is not
                // ours, so the stale rule must never see this L), and let the caller open S or report it.
                _ = Libc.Unlink(paths.Lock);
                published = false;
                return Step.Foreign;
            }

            shmCreated = true;
            if (api.SizeShm(shmFd, request.Size) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw errno == Libc.ENOMEM
                    ? new IOException(SR.Format(SR.NoSpaceMacOS, name, request.Size, Marshal.GetPInvokeErrorMessage(errno)))
                    : ThrowHelper.ExceptionForErrno(errno, name, "size", request.Size);
            }

            address = Posix.Map(shmFd, request.Size, readOnly: false, name);
            Initialize(request, address);

            // The initializer's stores precede this system call, and an opener maps S only after reading Ready.
            int ready = LockFileRecord.Ready;
            Write(lockFd, &ready, sizeof(int), LockFileRecord.StateOffset, name);
            region = new LockFileRegion(api, paths, lockStat, shmFd, lockFd, address, request.Size, created: true, persistent: request.Persistent);
            shmFd = -1;
            lockFd = -1;
            address = null;
            return Step.Done;
        }
        finally
        {
            if (lockFd >= 0)
            {
                Posix.Unmap(address, request.Size);
                Posix.Close(shmFd);
                if (shmCreated)
                {
                    _ = api.ShmUnlink(paths.Shm);
                }

                if (published)
                {
                    // Leave L, marked Failed, for the next opener or creator to remove as stale (see remarks).
                    int failed = LockFileRecord.Failed;
                    _ = Libc.PWrite(lockFd, &failed, sizeof(int), LockFileRecord.StateOffset);
                }

                Posix.Close(lockFd);
            }

            if (tempPath is not null)
            {
                _ = Libc.Unlink(tempPath);
            }
        }
    }

    private static void Initialize(in RegionRequest request, byte* address)
    {
        RegionInitializer? init = request.Initializer;
        if (init is null)
        {
            return;
        }

        if (request.Size > int.MaxValue)
        {
            ThrowHelper.ThrowTooLargeForSpan(request.Name, request.Size);
        }

        init(new Span<byte>(address, (int)request.Size));
    }

    private static void Write(int fd, void* data, int length, long offset, string name)
    {
        if (Libc.PWrite(fd, data, (nuint)length, offset) != length)
        {
            ThrowHelper.ThrowForErrno(Marshal.GetLastPInvokeError(), name, "write the lock file of");
        }
    }

    /// <summary>
    /// The lock file's mode: read-write for its owner; readable by the group and by others if the region's
    /// permissions give them any access, since every holder must open it to take its shared lock.
    /// </summary>
    private static int LockFileMode(UnixFileMode permissions)
    {
        int p = (int)permissions;
        return 0x180 | ((p & 0x30) != 0 ? 0x20 : 0) | ((p & 0x6) != 0 ? 0x4 : 0);
    }
}
