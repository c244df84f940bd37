using System.Runtime.Versioning;
using Memshare.Platform;

namespace Memshare.Tests.Mac;

/// <summary>
/// The shared lock directory of the macOS protocol, run on Linux: created 1777 whatever the umask, usable by a
/// second user, and refused when it is a symlink, another user's, or not sticky.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LockDirectoryTests : IDisposable
{
    private static readonly UnixFileMode Shared = (UnixFileMode)Convert.ToInt32("1777", 8);

    private readonly LockFileSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void Open_NoDirectoryUnderUmask077_CreatesItSticky1777()
    {
        var child = _box.Helper("create-new", "r", 4096, "umask=077");
        Assert.Equal("created 4096 ok", child.ReadLine());
        Assert.Equal(0, child.WaitForExit());
        Assert.Equal(Shared, File.GetUnixFileMode(_box.LockDirectory));
    }

    [Fact]
    public void Open_DirectoryMadeByRoot_SecondUserCreatesAndRootOpensWithAllowOtherOwner()
    {
        Assert.Null(_box.Open("probe", RegionMode.OpenExisting, 0)); // root makes the directory
        var nobody = _box.HelperAsNobody("create-new", "r", 4096, "allow-other", "hold");
        Assert.Equal("created 4096 ok", nobody.ReadLine());
        Assert.Equal("holding", nobody.ReadLine());

        using (LockFileRegion region = _box.Open("r", RegionMode.OpenExisting, 0, new SharedMemoryOptions { AllowOtherOwner = true })!)
        {
            Assert.False(region.Created);
            Assert.Throws<UnauthorizedAccessException>(() => _box.Open("r", RegionMode.OpenExisting, 0));
            nobody.CloseInput();
            Assert.Equal(0, nobody.WaitForExit());
        }

        Assert.Empty(_box.LockFiles()); // root, the last holder, removed nobody's region
    }

    [Fact]
    public void Open_DirectoryIsSymlink_Refused()
    {
        string target = Path.Combine(_box.Root, "elsewhere");
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, Shared);
        File.CreateSymbolicLink(_box.LockDirectory, target);

        var e = Assert.Throws<IOException>(() => _box.Create("r"));
        Assert.Contains($"The lock directory '{_box.LockDirectory}' of region 'r' is a symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void Open_DirectoryOwnedByAnotherUser_Refused()
    {
        Directory.CreateDirectory(_box.LockDirectory);
        File.SetUnixFileMode(_box.LockDirectory, Shared);
        Shm.Run("chown", "65534:65534", _box.LockDirectory);

        var e = Assert.Throws<UnauthorizedAccessException>(() => _box.Create("r"));
        Assert.Contains("is owned by uid 65534, neither root nor you (uid 0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("sudo install -d -m 1777 -o root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RootsDirectoryWithoutStickyBit_RefusedForAnotherUser()
    {
        Directory.CreateDirectory(_box.LockDirectory);
        File.SetUnixFileMode(_box.LockDirectory, (UnixFileMode)Convert.ToInt32("777", 8));

        var nobody = _box.HelperAsNobody("create-new", "r", 4096);
        string line = nobody.ReadLine();
        Assert.StartsWith("error UnauthorizedAccessException", line, StringComparison.Ordinal);
        Assert.Contains("has mode 0777 without the sticky bit", line, StringComparison.Ordinal);
        Assert.Empty(_box.LockFiles());
    }

    [Fact]
    public void Open_OwnDirectoryWithUmaskedMode_RepairedTo1777()
    {
        Directory.CreateDirectory(_box.LockDirectory);
        File.SetUnixFileMode(_box.LockDirectory, (UnixFileMode)Convert.ToInt32("755", 8));

        using LockFileRegion region = _box.Create("r");
        Assert.Equal(Shared, File.GetUnixFileMode(_box.LockDirectory));
    }
}
