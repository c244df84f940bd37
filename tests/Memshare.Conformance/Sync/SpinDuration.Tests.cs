using System.Diagnostics;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Sync;

/// <summary>
/// SpinDuration on every blocking wait: the lock has it like the event (same default, same meaning: spin that
/// long before sleeping, zero sleeps at once), and a long spin still ends promptly on cancellation or Dispose.
/// "Asleep" is observed from outside: the waiter count in shared memory.
/// </summary>
public sealed class SpinDurationTests : IDisposable
{
    private static readonly TimeSpan LongSpin = TimeSpan.FromSeconds(30);

    private readonly RegionScope _scope = new();

    [Fact]
    public void SharedLock_SpinDuration_DefaultsToTheEventsAndRejectsNegative()
    {
        using SharedLock sharedLock = SharedLock.CreateOrOpen(_scope.Name());

        Assert.Equal(SharedEvent.DefaultSpinDuration, sharedLock.SpinDuration);
        Assert.Throws<ArgumentOutOfRangeException>(() => sharedLock.SpinDuration = TimeSpan.FromTicks(-1));
        sharedLock.SpinDuration = TimeSpan.Zero;
        Assert.Equal(TimeSpan.Zero, sharedLock.SpinDuration);
    }

    [Fact]
    public async Task SharedLock_AcquireWithLongSpin_SpinsWithoutSleepingThenTakesTheReleasedLock()
    {
        string name = _scope.Name();
        using SharedLock holder = SharedLock.CreateOrOpen(name);
        using SharedLock waiter = SharedLock.OpenExisting(name);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        waiter.SpinDuration = LongSpin;
        SharedLockGuard held = holder.Acquire();
        Task<SharedLockGuard> acquire = Task.Factory.StartNew(() => waiter.Acquire(), TaskCreationOptions.LongRunning);

        await Task.Delay(300);
        Assert.False(acquire.IsCompleted);
        Assert.Equal(0, SyncTest.ReadInt(raw, SyncTest.LockWaiters)); // still spinning: never announced a sleep

        held.Dispose();
        using SharedLockGuard guard = await acquire.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(guard.IsAcquired);
    }

    [Fact]
    public async Task SharedLock_AcquireWithZeroSpin_SleepsAtOnce()
    {
        string name = _scope.Name();
        using SharedLock holder = SharedLock.CreateOrOpen(name);
        using SharedLock waiter = SharedLock.OpenExisting(name);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        waiter.SpinDuration = TimeSpan.Zero;
        SharedLockGuard held = holder.Acquire();
        Task<SharedLockGuard> acquire = Task.Factory.StartNew(() => waiter.Acquire(), TaskCreationOptions.LongRunning);

        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.LockWaiters) == 1, "the acquirer sleeps", TimeSpan.FromSeconds(10));

        held.Dispose();
        using SharedLockGuard guard = await acquire.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(guard.IsAcquired);
        Assert.Equal(0, SyncTest.ReadInt(raw, SyncTest.LockWaiters));
    }

    [Fact]
    public async Task SharedEvent_WaitCancelledDuringLongSpin_ThrowsPromptly()
    {
        using SharedEvent ev = SharedEvent.CreateOrOpen(_scope.Name());
        ev.SpinDuration = LongSpin;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        Task<bool> wait = Task.Factory.StartNew(() => ev.Wait(Timeout.InfiniteTimeSpan, cts.Token), TaskCreationOptions.LongRunning);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"cancelled after 200 ms, the spinning Wait returned after {clock.Elapsed}");
    }

    [Fact]
    public async Task SharedLock_DisposedDuringLongSpin_AcquireThrowsObjectDisposedPromptly()
    {
        string name = _scope.Name();
        using SharedLock holder = SharedLock.CreateOrOpen(name);
        SharedLock waiter = SharedLock.OpenExisting(name);
        waiter.SpinDuration = LongSpin;
        using SharedLockGuard held = holder.Acquire();
        var clock = Stopwatch.StartNew();
        Task<SharedLockGuard> acquire = Task.Factory.StartNew(() => waiter.Acquire(), TaskCreationOptions.LongRunning);
        await Task.Delay(200);

        waiter.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => acquire.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"disposed after 200 ms, the spinning Acquire returned after {clock.Elapsed}");
    }

    public void Dispose() => _scope.Dispose();
}
