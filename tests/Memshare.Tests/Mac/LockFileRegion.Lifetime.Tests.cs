using System.Runtime.Versioning;
using Memshare.Platform;
using Memshare.TestChild;
using Memshare.TestChild.LockFileProtocol;

namespace Memshare.Tests.Mac;

/// <summary>
/// The macOS lock-file protocol's lifetime rules, run on Linux with real processes: the last holder of a scoped
/// region removes it, a holder never removes a region that replaced its own, killed holders leave a stale
/// region that the next open clears, persistent regions stay until removed.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed unsafe class LockFileRegionLifetimeTests : IDisposable
{
    private readonly LockFileSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void Dispose_AfterRemoveAndRecreate_KeepsTheNewRegion()
    {
        LockFileRegion old = _box.Create("r", 4096);
        old.Base[0] = 1;
        Assert.True(_box.Remove("r"));
        Assert.Null(_box.Open("r", RegionMode.OpenExisting, 0));

        using LockFileRegion fresh = _box.Create("r", 4096);
        fresh.Base[0] = 2;
        old.Dispose(); // the old holder is alone on its (unlinked) lock file: it must not remove the new region

        Assert.True(File.Exists(_box.ShmPath("r")), "the old holder's Dispose removed the new shm object");
        Assert.True(File.Exists(_box.LockPath("r")), "the old holder's Dispose removed the new lock file");
        using LockFileRegion again = _box.Open("r", RegionMode.OpenExisting, 0)!;
        Assert.Equal(2, again.Base[0]);
    }

    [Fact]
    public void OpenExisting_LockFileReplacedBetweenOpenAndLock_RetriesAndHoldsTheNewOne()
    {
        LockFileRegion first = _box.Create("r", 4096, initializer: m => m.Fill(1));
        LockFileRegion? second = null;
        var api = new ReplaceAfterLockFileOpen(_box.LockPath("r"), () =>
        {
            // Another process removes and recreates the name after our open of the lock file, before our lock.
            Assert.True(_box.Remove("r"));
            second = _box.Create("r", 4096, initializer: m => m.Fill(2));
        });
        using LockFileRegion opened = LockFileRegion.Open(new RegionRequest("r", RegionMode.OpenExisting, 0, SharedMemoryOptions.Default), api, _box.Settings())!;
        Assert.True(api.Fired);
        Assert.Equal(2, opened.Base[0]);

        // Had the opener kept its lock on the old file, the new region's creator would now be its "last holder".
        second!.Dispose();
        Assert.True(File.Exists(_box.ShmPath("r")), "the new region was removed while the opener still held it");
        first.Dispose();
    }

    [Fact]
    public void Dispose_SecondProcessHolds_RegionStaysUntilItsLastHolderCloses()
    {
        LockFileRegion mine = _box.Create("r", 4096, initializer: m => Patterns.Fill(m, LockFileScenarios.PatternSeed));
        var peer = _box.Helper("open-existing", "r", 4096, "hold");
        Assert.Equal("opened 4096 ok", peer.ReadLine());
        Assert.Equal("holding", peer.ReadLine());

        mine.Dispose();
        Assert.True(File.Exists(_box.ShmPath("r")), "removed although another process holds it");
        Assert.True(File.Exists(_box.LockPath("r")));

        peer.CloseInput(); // the peer disposes: now it is the last holder
        Assert.Equal(0, peer.WaitForExit());
        Assert.False(File.Exists(_box.ShmPath("r")), "the last holder left the shm object");
        Assert.Empty(_box.LockFiles());
    }

    [Fact]
    public void OpenExisting_AllHoldersKilled_StaleRegionRemovedAndReportedAbsent()
    {
        var peer = _box.Helper("create-new", "r", 4096, "hold");
        Assert.Equal("created 4096 ok", peer.ReadLine());
        Assert.Equal("holding", peer.ReadLine());
        peer.Kill();
        Assert.True(File.Exists(_box.ShmPath("r")), "a SIGKILLed holder cannot clean up; the region should still be there");

        Assert.Null(_box.Open("r", RegionMode.OpenExisting, 0));
        Assert.False(File.Exists(_box.ShmPath("r")));
        Assert.Empty(_box.LockFiles());
    }

    [Fact]
    public void CreateNew_OverStaleRegionOfKilledHolder_Creates()
    {
        var peer = _box.Helper("create-new", "r", 4096, "hold");
        Assert.Equal("created 4096 ok", peer.ReadLine());
        peer.Kill();

        using LockFileRegion region = _box.Create("r", 8192);
        Assert.True(region.Created);
        Assert.Equal(8192, region.Length);
    }

    [Fact]
    public void CreateNew_WhileLiveHolder_ThrowsRegionExists()
    {
        using LockFileRegion region = _box.Create("r", 4096);
        Assert.Throws<RegionExistsException>(() => _box.Create("r", 4096));
    }

    [Fact]
    public void Persistent_OutlivesItsHolders_UntilRemoved()
    {
        var peer = _box.Helper("create-new", "r", 4096, "persistent");
        Assert.Equal("created 4096 ok", peer.ReadLine());
        Assert.Equal(0, peer.WaitForExit());
        Assert.True(File.Exists(_box.ShmPath("r")));

        using (LockFileRegion region = _box.Open("r", RegionMode.OpenExisting, 0)!)
        {
            Assert.True(region.Persistent);
            Assert.Equal(-1, Patterns.FindMismatch(new ReadOnlySpan<byte>(region.Base, 4096), LockFileScenarios.PatternSeed));
        }

        Assert.True(File.Exists(_box.ShmPath("r")), "a persistent region was removed by its last holder");
        Assert.True(_box.Remove("r"));
        Assert.False(_box.Remove("r"));
        Assert.Empty(_box.LockFiles());
    }

    /// <summary>Runs an action once, right after the protocol opens the lock file at <c>lockPath</c> for reading.</summary>
    private sealed class ReplaceAfterLockFileOpen(string lockPath, Action action) : DelegatingShmApi
    {
        public bool Fired { get; private set; }

        public override int Open(string path, int flags, int mode)
        {
            int fd = base.Open(path, flags, mode);
            if (!Fired && path == lockPath && (flags & OCreat) == 0)
            {
                Fired = true;
                action();
            }

            return fd;
        }
    }
}
