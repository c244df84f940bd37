using System.Runtime.Versioning;
using Memshare.Platform;
using Memshare.TestChild.LockFileProtocol;

namespace Memshare.Tests.Mac;

/// <summary>The Linux binding, for tests that change one call: inject a failure, or act at an exact point of the protocol.</summary>
[SupportedOSPlatform("linux")]
internal class DelegatingShmApi : ShmApi
{
    private static readonly ShmApi Linux = LinuxShmApi.Instance;

    public override int ShmOpen(string name, int flags, int mode) => Linux.ShmOpen(name, flags, mode);

    public override int ShmUnlink(string name) => Linux.ShmUnlink(name);

    public override int Open(string path, int flags, int mode) => Linux.Open(path, flags, mode);

    public override bool FStat(int fd, out FileStatus status) => Linux.FStat(fd, out status);

    public override bool LStat(string path, out FileStatus status) => Linux.LStat(path, out status);

    public override int SizeShm(int fd, long size) => Linux.SizeShm(fd, size);

    public override int OCreat => Linux.OCreat;

    public override int OExcl => Linux.OExcl;

    public override int ONoFollow => Linux.ONoFollow;

    public override int OCloexec => Linux.OCloexec;

    public override int ELoop => Linux.ELoop;
}
