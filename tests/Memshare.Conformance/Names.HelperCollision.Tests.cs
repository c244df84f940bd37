using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>
/// Every valid name is a region of its own: names that look like the OS objects an implementation keeps next to
/// a region (its init mutex, its wait objects, as in 'X.memshare-wait-68') coexist with region X.
/// </summary>
public sealed class HelperNameCollisionTests : IDisposable
{
    private static readonly string[] HelperLike = [".memshare-init", ".memshare-wait-68", ".memshare-wait-72", ".memshare-wait-256", ".memshare-wait-384"];

    private readonly RegionScope _scope = new();

    [Fact]
    public void RegionsNamedLikeHelpers_CreatedAfterTheirRegion_AreIndependent()
    {
        string ev = _scope.Name("e");
        string lk = _scope.Name("l");
        using var sharedEvent = SharedEvent.CreateOrOpen(ev, EventResetMode.AutoReset);
        using var sharedLock = SharedLock.CreateOrOpen(lk);
        var regions = new List<SharedMemory>();
        try
        {
            foreach (string owner in new[] { "e", "l" })
            {
                foreach (string suffix in HelperLike)
                {
                    regions.Add(SharedMemory.CreateNew(_scope.Name(owner + suffix), 4096));
                }
            }

            AssertAllWork(sharedEvent, sharedLock, regions);
        }
        finally
        {
            regions.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public void RegionsNamedLikeHelpers_CreatedBeforeTheirRegion_AreIndependent()
    {
        string ev = _scope.Name("e");
        string lk = _scope.Name("l");
        var regions = new List<SharedMemory>();
        try
        {
            foreach (string owner in new[] { "e", "l" })
            {
                foreach (string suffix in HelperLike)
                {
                    regions.Add(SharedMemory.CreateNew(_scope.Name(owner + suffix), 4096));
                }
            }

            using var sharedEvent = SharedEvent.CreateOrOpen(ev, EventResetMode.AutoReset);
            using var sharedLock = SharedLock.CreateOrOpen(lk);
            AssertAllWork(sharedEvent, sharedLock, regions);
        }
        finally
        {
            regions.ForEach(r => r.Dispose());
        }
    }

    private static void AssertAllWork(SharedEvent sharedEvent, SharedLock sharedLock, List<SharedMemory> regions)
    {
        // A waiter really sleeps (so the event's wait objects exist) while another thread sets it.
        Task<bool> waiter = Task.Run(() => sharedEvent.Wait(TimeSpan.FromSeconds(20)));
        Thread.Sleep(200);
        sharedEvent.Set();
        Assert.True(waiter.Wait(TimeSpan.FromSeconds(30)) && waiter.Result, "the event's waiter was not woken");

        SharedLockGuard held = sharedLock.Acquire(TimeSpan.FromSeconds(10));
        Task<bool> contender = Task.Run(() =>
        {
            using SharedLockGuard g = sharedLock.Acquire(TimeSpan.FromSeconds(20));
            return true;
        });
        Thread.Sleep(200);
        held.Dispose();
        Assert.True(contender.Wait(TimeSpan.FromSeconds(30)) && contender.Result, "the lock's contender did not get the lock");

        for (int i = 0; i < regions.Count; i++)
        {
            regions[i].Span[0] = (byte)(i + 1);
            Assert.True(SharedMemory.TryOpenExisting(regions[i].Name, out SharedMemory? again));
            using (again)
            {
                Assert.Equal((byte)(i + 1), again.Span[0]);
            }
        }
    }

    public void Dispose() => _scope.Dispose();
}
