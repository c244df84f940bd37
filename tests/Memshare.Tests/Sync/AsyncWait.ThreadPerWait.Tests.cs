using Memshare.Sync;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Sync;

/// <summary>
/// The async wait of macOS and older Linux, a thread per wait running the blocking wait loop, forced on here:
/// set, timeout, cancellation and Dispose each end it as the futex_waitv hub would, and the region goes.
/// </summary>
[Collection("Spinning")] // switches a process-wide path: no other test may run meanwhile
public sealed class AsyncWaitThreadPerWaitTests : IDisposable
{
    private readonly ShmScope _scope = new();

    public AsyncWaitThreadPerWaitTests() => AsyncWaitHub.ThreadPerWait = true;

    [Fact]
    public async Task SharedEventWaitAsync_OnThreadPerWait_EndsOnSetTimeoutCancelAndDispose()
    {
        using (SharedEvent ev = SharedEvent.CreateOrOpen(_scope.Name()))
        {
            ValueTask<bool> set = ev.WaitAsync(TimeSpan.FromSeconds(20));
            await Task.Delay(50);
            Assert.False(set.IsCompleted);
            ev.Set();
            Assert.True(await set);
            Assert.False(ev.IsSet); // consumed by the wait

            Assert.False(await ev.WaitAsync(TimeSpan.FromMilliseconds(50)));

            using var cts = new CancellationTokenSource();
            ValueTask<bool> cancelled = ev.WaitAsync(cts.Token);
            await Task.Delay(50);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);

            Task<bool> disposed = ev.WaitAsync().AsTask();
            await Task.Delay(50);
            ev.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => disposed.WaitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.Empty(_scope.Leftovers()); // every wait let go of the region
    }

    public void Dispose()
    {
        AsyncWaitHub.ThreadPerWait = false;
        _scope.Dispose();
    }
}
