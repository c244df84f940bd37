using Memshare.Interop;
using Memshare.Platform;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Inspection;

public static partial class SharedMemoryCatalog
{
    /// <summary>
    /// Describes one region like <see cref="GetInfo"/> and reads up to <paramref name="maxPayloadBytes"/> bytes of
    /// what it holds (see <see cref="SharedMemorySample.Payload"/>); null if there is none of that name.
    /// </summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <param name="maxPayloadBytes">The most bytes of contents to read.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> breaks the naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPayloadBytes"/> is negative.</exception>
    /// <exception cref="IOException">The name exists but is not a regular file.</exception>
    /// <exception cref="UnauthorizedAccessException">The name is a symbolic link.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static SharedMemorySample? GetSample(string name, int maxPayloadBytes)
    {
        RegionName.Validate(name);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPayloadBytes);
        if (!OperatingSystem.IsLinux())
        {
            throw NotSupported();
        }

        return SampleLinux(name, maxPayloadBytes);
    }

    /// <summary>
    /// Opens a region's backing file (<c>/dev/shm/NAME</c>) for reading only, outside the region's lifetime: no
    /// lock, so it neither keeps a scoped region alive nor removes a stale one, and no mapping, so a file truncated
    /// meanwhile ends a read early instead of faulting. Symbolic links and special files are refused.
    /// </summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <returns>A read-only, unbuffered, seekable stream over the file; dispose it to close the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> breaks the naming rule.</exception>
    /// <exception cref="RegionNotFoundException">There is no region of that name.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read, or the name is a symbolic link.</exception>
    /// <exception cref="IOException">The name is not a regular file.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static FileStream OpenRead(string name)
    {
        RegionName.Validate(name);
        if (!OperatingSystem.IsLinux())
        {
            throw NotSupported();
        }

        string path = LinuxRegion.Directory + name;
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NONBLOCK, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Libc.ELOOP => NotRegular(name, path, Libc.S_IFLNK),
                Libc.ENXIO => NotRegular(name, path, 0xC000),
                _ => ThrowHelper.ExceptionForErrno(errno, name, "open for reading"),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            StatxBuffer st = LinuxRegion.FStat(fd, name);
            if (!IsRegularFile(st.Mode))
            {
                throw NotRegular(name, path, st.Mode);
            }

            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
