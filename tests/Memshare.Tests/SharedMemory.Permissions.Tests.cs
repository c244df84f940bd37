using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>A region's mode is what the options say (0600 by default), whatever the creator's umask.</summary>
public sealed class SharedMemoryPermissionsTests : IDisposable
{
    private const int Sticky = 0x200; // 01000: Memshare's "scoped" marker

    private readonly ShmScope _scope = new();

    [Fact]
    public void CreateNew_UnderUmaskZero_ScopedRegionIs0600PlusSticky()
    {
        string name = _scope.Name();
        Peer p = PeerWithUmask("0");

        p.Expect($"create-new {name} 4096", "created");

        int mode = Shm.Mode(name);
        Assert.Equal(Convert.ToInt32("600", 8), mode & Convert.ToInt32("777", 8));
        Assert.Equal(Sticky | Convert.ToInt32("600", 8), mode);
        p.Exit();
    }

    [Fact]
    public void CreateNew_UnderUmaskZero_PersistentRegionIsExactly0600()
    {
        string name = _scope.Name();
        try
        {
            Peer p = PeerWithUmask("0");

            p.Expect($"create-new {name} 4096 persistent", "created");
            p.Exit();

            Assert.Equal(Convert.ToInt32("600", 8), Shm.Mode(name));
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void CreateNew_UnderUmaskZero_StringAndValueAre0600()
    {
        string text = _scope.Name("s");
        string value = _scope.Name("v");
        Peer p = PeerWithUmask("0");

        p.Expect($"string-create-new {text} 64", "created");
        p.Expect($"value-create-new {value} 1", "created");

        Assert.Equal(Sticky | Convert.ToInt32("600", 8), Shm.Mode(text));
        Assert.Equal(Sticky | Convert.ToInt32("600", 8), Shm.Mode(value));
        p.Exit();
    }

    [Theory]
    [InlineData("0", "666")]
    [InlineData("77", "660")]
    [InlineData("777", "644")]
    [InlineData("0", "400")]
    public void CreateNew_ExplicitPermissions_AreExactWhateverTheUmask(string umask, string permissions)
    {
        string name = _scope.Name();
        Peer p = PeerWithUmask(umask);

        p.Expect($"create-new {name} 64 perm={permissions}", "created");

        Assert.Equal(Sticky | Convert.ToInt32(permissions, 8), Shm.Mode(name));
        p.Exit();
    }

    [Fact]
    public void CreateNew_InThisProcess_DefaultsTo0600()
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, 64);

        Assert.Equal(Sticky | Convert.ToInt32("600", 8), Shm.Mode(name));
    }

    /// <summary>A peer whose umask is <paramref name="umask"/> (octal), checked by setting it twice.</summary>
    private Peer PeerWithUmask(string umask)
    {
        Peer p = Peer.Start(_scope);
        Assert.StartsWith("old ", p.Do("umask " + umask), StringComparison.Ordinal);
        p.Expect("umask " + umask, "old " + umask);
        return p;
    }

    public void Dispose() => _scope.Dispose();
}
