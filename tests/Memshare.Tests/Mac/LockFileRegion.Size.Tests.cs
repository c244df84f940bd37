using System.Runtime.Versioning;
using Memshare.Platform;

namespace Memshare.Tests.Mac;

/// <summary>
/// Sizes in the macOS lock-file protocol: the Linux binding sizes shm objects as xnu does (rounded up to whole
/// pages, once), and an opener must still report the size the creator asked for; ENOMEM from sizing is the
/// no-space error.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed unsafe class LockFileRegionSizeTests : IDisposable
{
    private readonly LockFileSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void OpenExisting_ObjectPageRounded_ReportsTheCreatorsSize()
    {
        using LockFileRegion created = _box.Create("r", 100);
        Assert.Equal(100, created.Length);
        Assert.Equal(Environment.SystemPageSize, new FileInfo(_box.ShmPath("r")).Length); // the object is page-rounded, as on macOS

        var peer = _box.Helper("open-existing", "r", 0);
        Assert.StartsWith("opened 100 ", peer.ReadLine(), StringComparison.Ordinal);
        using LockFileRegion opened = _box.Open("r", RegionMode.OpenExisting, 0)!;
        Assert.Equal(100, opened.Length);
        Assert.Equal(0, peer.WaitForExit());
    }

    [Fact]
    public void OpenExisting_MoreThanTheCreatorsSize_ThrowsRegionTooSmall()
    {
        using LockFileRegion created = _box.Create("r", 100);
        var e = Assert.Throws<RegionFormatException>(() => _box.Open("r", RegionMode.OpenExisting, 200));
        Assert.Contains("holds 100 bytes but 200 were requested", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateNew_SizingFailsWithEnomem_ThrowsNoSpaceAndLeavesNothingUsable()
    {
        var settings = _box.Settings();
        var request = new RegionRequest("r", RegionMode.CreateNew, 1 << 20, SharedMemoryOptions.Default);
        var e = Assert.Throws<IOException>(() => LockFileRegion.Open(request, new NoMemoryApi(), settings));
        Assert.StartsWith("Not enough shared memory to create region 'r' of 1048576 bytes", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_box.ShmPath("r")));
        Assert.Null(_box.Open("r", RegionMode.OpenExisting, 0)); // clears the failed creator's lock file
    }

    /// <summary>The Linux binding, except that sizing fails as xnu's does when memory is short.</summary>
    private sealed class NoMemoryApi : DelegatingShmApi
    {
        public override int SizeShm(int fd, long size)
        {
            System.Runtime.InteropServices.Marshal.SetLastPInvokeError(12); // ENOMEM
            return -1;
        }
    }
}
