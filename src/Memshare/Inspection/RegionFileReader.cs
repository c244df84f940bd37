using System.Runtime.Versioning;
using Memshare.Interop;
using Memshare.Platform;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Inspection;

/// <summary>
/// A region's backing file (<c>/dev/shm/NAME</c>) opened <c>O_RDONLY|O_NOFOLLOW</c> for plain reads, outside
/// the region's lifetime: no flock, so it neither keeps a scoped region alive nor removes a stale one, and no
/// mapping, so a file truncated meanwhile ends a read early instead of raising SIGBUS.
/// </summary>
internal sealed class RegionFileReader : IDisposable
{
    private readonly SafeFileHandle _handle;

    private RegionFileReader(string name, SafeFileHandle handle)
    {
        Name = name;
        _handle = handle;
    }

    public string Name { get; }

    /// <summary>The file's size now (a foreign file may change size; a Memshare region never shrinks).</summary>
    public long Length => RandomAccess.GetLength(_handle);

    [SupportedOSPlatform("linux")]
    internal static RegionFileReader Open(string name)
    {
        string path = LinuxRegion.Directory + name;
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NONBLOCK, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Libc.ELOOP => SharedMemoryCatalog.NotRegular(name, path, Libc.S_IFLNK),
                Libc.ENXIO => SharedMemoryCatalog.NotRegular(name, path, 0xC000),
                _ => ThrowHelper.ExceptionForErrno(errno, name, "open for reading"),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            StatxBuffer st = LinuxRegion.FStat(fd, name);
            if ((st.Mode & Libc.S_IFMT) != Libc.S_IFREG)
            {
                throw SharedMemoryCatalog.NotRegular(name, path, st.Mode);
            }

            return new RegionFileReader(name, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads at <paramref name="offset"/> until the buffer is full or the file ends; returns the bytes read.</summary>
    public int Read(Span<byte> buffer, long offset) => SharedMemoryCatalog.ReadAt(_handle, buffer, offset);

    public void Dispose() => _handle.Dispose();
}
