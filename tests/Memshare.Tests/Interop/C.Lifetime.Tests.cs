using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>A C process is a holder under Memshare's lifetime rules: it keeps a scoped region alive and frees it last.</summary>
public sealed class CLifetimeTests
{
    [Fact]
    public void CHolder_OutlivesDotNetCreator_ThenRemovesScopedRegionAsLastHolder()
    {
        using var shm = new ShmScope();
        string name = shm.Name("hold");
        string path = "/dev/shm/" + name;
        using var peer = Child.Program(NativeBuild.CPeer, "hold", name, "-");
        using (SharedMemory region = SharedMemory.CreateNew(name, 4096))
        {
            peer.WriteLine("go"); // the peer opens only now, after the region exists
            Assert.Equal("held", peer.ReadLine());
            Assert.Contains(File.ReadAllLines("/proc/locks"), l => l.Contains("FLOCK", StringComparison.Ordinal)
                && l.Contains(" READ ", StringComparison.Ordinal) && l.Contains($" {peer.Pid} ", StringComparison.Ordinal));
        }

        Assert.True(File.Exists(path), "the C holder keeps the scoped region alive");
        peer.CloseInput();
        Assert.Equal("closed", peer.ReadLine());
        Assert.Equal(0, peer.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.False(File.Exists(path), "the C process was the last holder and removed the name");
    }

    [Fact]
    public void CHolderKilled_StaleScopedRegion_NextCOpenRemovesItAndReportsNotFound()
    {
        using var shm = new ShmScope();
        string name = shm.Name("stale");
        string path = "/dev/shm/" + name;
        using (var peer = Child.Program(NativeBuild.CPeer, "hold", name, "-"))
        {
            using (SharedMemory region = SharedMemory.CreateNew(name, 4096))
            {
                peer.WriteLine("go");
                Assert.Equal("held", peer.ReadLine());
            }

            peer.Kill();
        }

        Assert.True(File.Exists(path), "every holder died: the name is stale until someone notices");
        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "get", name);

        Assert.Equal(3, exit);
        Assert.Contains($"Region '{name}' does not exist (a stale one whose holders all died was removed)", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void CHolder_PersistentRegion_StaysAfterEveryoneCloses()
    {
        using var shm = new ShmScope();
        string name = shm.Name("keep");
        string path = "/dev/shm/" + name;
        try
        {
            using var peer = Child.Program(NativeBuild.CPeer, "hold", name, "-");
            using (SharedMemory.CreateNew(name, 4096, options: new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent }))
            {
                peer.WriteLine("go");
                Assert.Equal("held", peer.ReadLine());
            }

            peer.CloseInput();
            Assert.Equal("closed", peer.ReadLine());
            Assert.Equal(0, peer.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.True(File.Exists(path), "a persistent region outlives its holders, C ones included");
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }
}
