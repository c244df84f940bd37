using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>Scoped regions vanish with their last holder (however it ends); persistent ones stay until removed.</summary>
public sealed class SharedMemoryLifetimeTests : IDisposable
{
    private readonly RegionScope _scope = new();

    [Fact]
    public void Scoped_OneHolderExitsThenOtherIsKilled_StaleAndRemovedByNextOpener()
    {
        string name = _scope.Name();
        Peer a = Peer.Start(_scope);
        Peer b = Peer.Start(_scope);
        a.Expect($"create-or-open {name} 4096 init=1", "created");
        b.Expect($"open {name}", "opened");

        a.Exit();
        Assert.True(RegionScope.Exists(name), "b still holds the region");
        b.Kill();

        // Nobody holds it now. On POSIX a SIGKILLed holder cannot unlink, so the name stays until someone looks:
        // the opener must treat it as absent.
        Assert.False(SharedMemory.TryOpenExisting(name, out SharedMemory? region));
        Assert.Null(region);
        Assert.False(RegionScope.Exists(name), "the opener should have removed the stale region");
    }

    [Fact]
    public void Scoped_OneHolderKilledThenOtherExits_LastExitRemovesIt()
    {
        string name = _scope.Name();
        Peer a = Peer.Start(_scope);
        Peer b = Peer.Start(_scope);
        a.Expect($"create-or-open {name} 4096", "created");
        b.Expect($"open {name}", "opened");

        a.Kill();
        Assert.True(RegionScope.Exists(name));
        b.Exit();

        Assert.False(RegionScope.Exists(name));
        Assert.Throws<RegionNotFoundException>(() => SharedMemory.OpenExisting(name));
    }

    [Fact]
    public void Scoped_OnlyHolderKilled_CreateOrOpenCreatesAfreshWithZeros()
    {
        string name = _scope.Name();
        Peer a = Peer.Start(_scope);
        a.Expect($"create-or-open {name} 8192 init=3", "created");
        a.Expect("check 3", "ok");
        a.Kill();

        using SharedMemory region = SharedMemory.CreateOrOpen(name, 8192, out bool created);

        Assert.True(created);
        Assert.Equal(-1, region.ReadOnlySpan.IndexOfAnyExcept((byte)0));
        Assert.False(region.IsPersistent);
    }

    [Fact]
    public void Scoped_OnlyHolderKilled_ReadOnlyOpenerAlsoFindsItAbsentAndRemovesIt()
    {
        string name = _scope.Name();
        Peer a = Peer.Start(_scope);
        a.Expect($"create-new {name} 4096", "created");
        a.Kill();

        Assert.False(SharedMemory.TryOpenExisting(name, out _, new SharedMemoryOptions { Access = SharedMemoryAccess.Read }));

        Assert.False(RegionScope.Exists(name));
    }

    [Fact]
    public void CreateNew_NameOfStaleScopedRegion_CreatesAfresh()
    {
        // A crashed process must not block its own restart: a stale region counts as absent for CreateNew too.
        string name = _scope.Name();
        string text = _scope.Name("s");
        Peer a = Peer.Start(_scope);
        a.Expect($"create-new {name} 4096 init=5", "created");
        a.Expect($"string-create-new {text} 8", "created");
        a.Expect("string-set old", "ok");
        a.Kill();

        using SharedMemory region = SharedMemory.CreateNew(name, 1000);
        using SharedString slot = SharedString.CreateNew(text, 16);

        Assert.Equal(1000, region.Size);
        Assert.Equal(-1, region.ReadOnlySpan.IndexOfAnyExcept((byte)0));
        Assert.Equal(16, slot.Capacity);
        Assert.Equal("", slot.Get());
    }

    [Fact]
    public void CreateNew_NameHeldByLiveProcessOrPersistent_StillThrowsRegionExists()
    {
        string scoped = _scope.Name("scoped");
        string persistent = _scope.Name("persistent");
        if (!OsTraits.PersistentRegions)
        {
            Peer live = Peer.Start(_scope);
            live.Expect($"create-new {scoped} 4096 init=5", "created");
            Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(scoped, 4096));
            live.Expect("check 5", "ok");
            OsTraits.AssertPersistentRefused(persistent);
            return;
        }

        try
        {
            Peer a = Peer.Start(_scope);
            a.Expect($"create-new {scoped} 4096 init=5", "created");
            a.Expect($"create-new {persistent} 4096 persistent init=6", "created");

            Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(scoped, 4096));
            Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(persistent, 4096));
            a.Expect("check 6", "ok"); // the failed creates changed nothing

            // Nobody holds the persistent region now, but it is meant to outlive its holders.
            a.Kill();
            Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(persistent, 4096));
            using SharedMemory region = SharedMemory.OpenExisting(persistent);
            Assert.Equal(-1, Patterns.FindMismatch(region.ReadOnlySpan, 6));
        }
        finally
        {
            SharedMemory.Remove(persistent);
            SharedMemory.Remove(scoped);
        }
    }

    [Fact]
    public void Scoped_HolderDisposesInSameProcess_NameIsGone()
    {
        string name = _scope.Name();
        SharedMemory region = SharedMemory.CreateNew(name, 100);
        Assert.True(RegionScope.Exists(name));

        region.Dispose();

        Assert.False(RegionScope.Exists(name));
        Assert.False(SharedMemory.TryOpenExisting(name, out _));
    }

    [Fact]
    public void Scoped_RemovedAndRecreatedWhileOldHolderLives_OldHolderLeavesNewRegionAlone()
    {
        string name = _scope.Name();
        Peer old = Peer.Start(_scope);
        old.Expect($"create-new {name} 4096 init=1", "created");
        if (!OsTraits.RemoveByName)
        {
            Assert.False(SharedMemory.Remove(name));
            Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(name, 4096));
            old.Expect("check 1", "ok");
            return;
        }

        Assert.True(SharedMemory.Remove(name));
        using SharedMemory fresh = SharedMemory.CreateNew(name, 4096, m => Patterns.Fill(m, 2));
        old.Expect("check 1", "ok"); // the old holder keeps its own memory
        old.Exit();                  // and, as its last holder, must not unlink the new region's name

        Assert.True(RegionScope.Exists(name));
        using SharedMemory again = SharedMemory.OpenExisting(name);
        Assert.Equal(-1, Patterns.FindMismatch(again.ReadOnlySpan, 2));
    }

    [Fact]
    public void Persistent_SurvivesAllHoldersExitingAndKilled_UntilRemoved()
    {
        string name = _scope.Name();
        if (!OsTraits.PersistentRegions)
        {
            OsTraits.AssertPersistentRefused(name);
            return;
        }

        var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };
        try
        {
            Peer a = Peer.Start(_scope);
            a.Expect($"create-new {name} 4096 persistent init=7", "created");
            a.Exit();
            Assert.True(RegionScope.Exists(name));

            Peer b = Peer.Start(_scope);
            b.Expect($"open {name}", "opened");
            b.Expect("check 7", "ok");
            b.Kill();
            Assert.True(RegionScope.Exists(name));

            using (SharedMemory region = SharedMemory.CreateOrOpen(name, 4096, out bool created, options: persistent))
            {
                Assert.False(created);
                Assert.True(region.IsPersistent);
                Assert.Equal(-1, Patterns.FindMismatch(region.ReadOnlySpan, 7));
            }

            Assert.True(RegionScope.Exists(name));
            Assert.True(SharedMemory.Remove(name));
            Assert.False(RegionScope.Exists(name));
            Assert.False(SharedMemory.Remove(name));
            Assert.False(SharedMemory.TryOpenExisting(name, out _));
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void Persistent_OpenedByLaterProcess_ReportsPersistentAndKeepsWrites()
    {
        string name = _scope.Name();
        if (!OsTraits.PersistentRegions)
        {
            OsTraits.AssertPersistentRefused(name);
            return;
        }

        try
        {
            using (SharedMemory region = SharedMemory.CreateNew(name, 64, options: new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent }))
            {
                Assert.True(region.IsPersistent);
                region.Span.Fill(0x5A);
            }

            Peer p = Peer.Start(_scope);
            p.Expect($"open {name}", "opened");
            p.Expect("read-hex 0 4", "hex 5A5A5A5A");
            p.Expect("write-hex 0 01020304", "ok");
            p.Exit();

            using SharedMemory again = SharedMemory.OpenExisting(name);
            Assert.Equal(new byte[] { 1, 2, 3, 4, 0x5A }, again.ReadOnlySpan[..5].ToArray());
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void Remove_ScopedRegionWhileHeld_HolderKeepsMemoryAndNewOpensFail()
    {
        string name = _scope.Name();
        using SharedMemory held = SharedMemory.CreateNew(name, 4096);
        held.Span[0] = 42;
        if (!OsTraits.RemoveByName)
        {
            // Windows: a mapping's name lives exactly as long as its handles; Remove reports that it removed nothing.
            Assert.False(SharedMemory.Remove(name));
            Assert.True(RegionScope.Exists(name));
            return;
        }

        Assert.True(SharedMemory.Remove(name));

        Assert.Equal(42, held.ReadOnlySpan[0]);
        Assert.False(SharedMemory.TryOpenExisting(name, out _));
        Assert.False(SharedMemory.Remove(name));
    }

    public void Dispose() => _scope.Dispose();
}
