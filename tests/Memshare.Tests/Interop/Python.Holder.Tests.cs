using System.Globalization;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// memshare.py takes part in a scoped region's lifetime like a Memshare holder (a shared flock on its descriptor),
/// and never unlinks a name itself: a region it alone held last is left stale, for the next Memshare opener to remove.
/// </summary>
public sealed class PythonHolderTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void ScopedRegion_PythonHoldsOnAfterDotNetCloses_NameStaysThenIsStaleAndMemshareRemovesIt()
    {
        string name = _scope.Name("s");
        using (var slot = SharedString.CreateNew(name, 16))
        {
            using PythonProcess h = PythonProcess.Peer("hold", name);
            h.Expect("holding");
            Assert.True(HoldsSharedLock(h.Pid, name), $"python3 (pid {h.Pid}) holds no shared flock on '{name}': {File.ReadAllText("/proc/locks")}");

            slot.Dispose(); // not the last holder: the name stays
            Assert.True(Shm.Exists(name), "Memshare removed a scoped region that the Python process still holds");

            h.WriteLine("close");
            Assert.Equal("closed", h.ReadLine());
            h.Finish().AssertExit(0);
        }

        Assert.True(Shm.Exists(name), "memshare.py unlinked a region it did not create");
        using (PythonProcess p = PythonProcess.Peer("expect-error", "string", name))
        {
            string line = Assert.Single(p.Finish().AssertExit(0).Lines);
            Assert.StartsWith("RegionNotFoundError|", line, StringComparison.Ordinal);
            Assert.Contains("stale", line, StringComparison.Ordinal);
        }

        Assert.True(Shm.Exists(name), "memshare.py unlinked a stale region; only Memshare openers remove those");
        Assert.False(SharedString.TryOpenExisting(name, out _)); // Memshare sees it stale, and removes it
        Assert.False(Shm.Exists(name));
    }

    /// <summary>Whether /proc/locks lists a shared (READ) flock by <paramref name="pid"/> on the region's inode.</summary>
    private static bool HoldsSharedLock(int pid, string name)
    {
        string inode = Shm.Run("stat", "-c", "%i", Shm.PathOf(name)).Trim();
        foreach (string line in File.ReadLines("/proc/locks"))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 5 && f[1] == "FLOCK" && f[3] == "READ" && f[4] == pid.ToString(CultureInfo.InvariantCulture)
                && f[5].EndsWith(":" + inode, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _scope.Dispose();
}
