using System.Text;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>
/// Something other than a region at the name — a symlink planted by someone else, a FIFO, a directory — is
/// refused with a clear message, and whatever it points to is left exactly as it was.
/// </summary>
public sealed class SharedMemorySquattingTests : IDisposable
{
    private static readonly byte[] Precious = Encoding.UTF8.GetBytes("precious contents that must survive");

    private readonly ShmScope _scope = new();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("memshare-tests-");
    private readonly List<string> _planted = [];

    [Fact]
    public void AllFactories_SymlinkAtName_RefuseAndLeaveTargetUnchanged()
    {
        string target = Path.Combine(_dir.FullName, "target.bin");
        File.WriteAllBytes(target, Precious);
        DateTime written = File.GetLastWriteTimeUtc(target);
        string name = Plant("link");
        File.CreateSymbolicLink(Shm.PathOf(name), target);

        var open = Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.OpenExisting(name));
        var openRo = Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly));
        var tryOpen = Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.TryOpenExisting(name, out _));
        var createOrOpen = Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.CreateOrOpen(name, Precious.Length, out _));
        var createNew = Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(name, 4096));
        Assert.Throws<UnauthorizedAccessException>(() => SharedString.CreateOrOpen(name, 16, out _));
        Assert.Throws<UnauthorizedAccessException>(() => SharedValue<Octet>.OpenExisting(name));

        foreach (Exception e in new Exception[] { open, openRo, tryOpen, createOrOpen })
        {
            Assert.Contains($"Region '{name}' is a symbolic link; refusing to follow it", e.Message, StringComparison.Ordinal);
            Assert.Contains(Shm.PathOf(name), e.Message, StringComparison.Ordinal);
        }

        Assert.Contains($"'{name}' already exists", createNew.Message, StringComparison.Ordinal);
        Assert.Equal(Precious, File.ReadAllBytes(target));
        Assert.Equal(written, File.GetLastWriteTimeUtc(target));
        Assert.True(Shm.IsLink(name));
    }

    [Fact]
    public void OpenInOtherProcess_SymlinkAtName_RefusedAndTargetUnchanged()
    {
        string target = Path.Combine(_dir.FullName, "target.bin");
        File.WriteAllBytes(target, Precious);
        string name = Plant("link");
        File.CreateSymbolicLink(Shm.PathOf(name), target);
        Peer p = Peer.Start(_scope);

        (string type, string message) = p.ExpectError($"create-or-open {name} 4096 init=1");

        Assert.Equal(nameof(UnauthorizedAccessException), type);
        Assert.Contains("symbolic link", message, StringComparison.Ordinal);
        Assert.Equal(Precious, File.ReadAllBytes(target));
        p.Exit();
    }

    [Fact]
    public void CreateOrOpen_DanglingSymlinkAtName_RefusesAndDoesNotCreateTarget()
    {
        string target = Path.Combine(_dir.FullName, "not-there.bin");
        string name = Plant("dangling");
        File.CreateSymbolicLink(Shm.PathOf(name), target);

        Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.CreateOrOpen(name, 4096, out _));
        Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(name, 4096));
        Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.TryOpenExisting(name, out _));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Remove_SymlinkAtName_RemovesLinkNotTarget()
    {
        string target = Path.Combine(_dir.FullName, "target.bin");
        File.WriteAllBytes(target, Precious);
        string name = Plant("link");
        File.CreateSymbolicLink(Shm.PathOf(name), target);

        Assert.True(SharedMemory.Remove(name));

        Assert.False(Shm.Exists(name));
        Assert.Equal(Precious, File.ReadAllBytes(target));
    }

    [Fact]
    public void OpenAndCreateOrOpen_FifoAtName_RefuseWithIOExceptionNamingIt()
    {
        string name = Plant("fifo");
        Shm.Run("mkfifo", "-m", "600", Shm.PathOf(name));

        var open = Assert.Throws<IOException>(() => SharedMemory.OpenExisting(name));
        var openRo = Assert.Throws<IOException>(() => SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly));
        var createOrOpen = Assert.Throws<IOException>(() => SharedMemory.CreateOrOpen(name, 4096, out _));
        Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(name, 4096));

        foreach (Exception e in new Exception[] { open, openRo, createOrOpen })
        {
            Assert.Contains($"Region '{name}' is not a regular file (a FIFO); refusing to open it", e.Message, StringComparison.Ordinal);
        }

        Assert.True(Shm.Exists(name));
    }

    [Fact]
    public void OpenAndCreateOrOpen_DirectoryAtName_RefuseWithIOExceptionNamingIt()
    {
        string name = Plant("dir");
        Directory.CreateDirectory(Shm.PathOf(name));
        File.WriteAllBytes(Path.Combine(Shm.PathOf(name), "inside"), Precious);

        var open = Assert.Throws<IOException>(() => SharedMemory.OpenExisting(name));
        var openRo = Assert.Throws<IOException>(() => SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly));
        var createOrOpen = Assert.Throws<IOException>(() => SharedMemory.CreateOrOpen(name, 4096, out _));
        Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(name, 4096));

        foreach (Exception e in new Exception[] { open, openRo, createOrOpen })
        {
            Assert.Contains($"Region '{name}' is not a regular file (a directory); refusing to open it", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(Precious, File.ReadAllBytes(Path.Combine(Shm.PathOf(name), "inside")));
    }

    /// <summary>A name under this test's prefix for something planted at it; removed when the test ends.</summary>
    private string Plant(string tag)
    {
        string name = _scope.Name(tag);
        _planted.Add(name);
        return name;
    }

    public void Dispose()
    {
        foreach (string name in _planted)
        {
            Shm.Delete(name);
        }

        _dir.Delete(recursive: true);
        _scope.Dispose();
    }
}
