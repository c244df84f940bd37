using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>The lock-file protocol's calls on macOS: Darwin's flag values, errno values and <c>struct stat</c>.</summary>
[SupportedOSPlatform("macos")]
internal sealed class DarwinShmApi : ShmApi
{
    internal static readonly DarwinShmApi Instance = new();

    public override int ShmOpen(string name, int flags, int mode) => LibcOSX.ShmOpen(name, flags, mode);

    public override int ShmUnlink(string name) => LibcOSX.ShmUnlink(name);

    public override int Open(string path, int flags, int mode) => LibcOSX.Open(path, flags, mode);

    public override bool FStat(int fd, out FileStatus status)
    {
        bool ok = LibcOSX.FStat(fd, out DarwinStat st) == 0;
        status = Convert(st);
        return ok;
    }

    public override bool LStat(string path, out FileStatus status)
    {
        bool ok = LibcOSX.LStat(path, out DarwinStat st) == 0;
        status = Convert(st);
        return ok;
    }

    public override int OCreat => LibcOSX.O_CREAT;

    public override int OExcl => LibcOSX.O_EXCL;

    public override int ONoFollow => LibcOSX.O_NOFOLLOW;

    public override int OCloexec => LibcOSX.O_CLOEXEC;

    public override int ELoop => LibcOSX.ELOOP;

    private static FileStatus Convert(in DarwinStat st) =>
        new(st.Mode, st.Uid, (uint)st.Dev, st.Ino, st.NLink, st.Size);
}
