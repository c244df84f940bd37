using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Sync;

/// <summary>
/// Async waits run on pooled operations: a steady stream of them allocates nothing on the caller's side, and an
/// operation reused after a completed, timed-out or cancelled wait never leaks that wait's result into the next.
/// </summary>
public sealed class AsyncWaitPoolingTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void SharedEventWaitAsync_SteadyStreamSetByPeerThread_AllocatesNothing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // pooled only where one thread sleeps on every wait (futex_waitv); Windows registers a wait per call
        }

        using SharedEvent ping = SharedEvent.CreateOrOpen(_scope.Name("ping"));
        using SharedEvent pong = SharedEvent.CreateOrOpen(_scope.Name("pong"));
        using var stop = new CancellationTokenSource();
        var peer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (ping.Wait(TimeSpan.FromMilliseconds(50)))
                {
                    pong.Set();
                }
            }
        }) { IsBackground = true };
        peer.Start();
        try
        {
            _ = RoundTrips(ping, pong, 500); // warm: the pool and the hub's queue fill
            long before = GC.GetAllocatedBytesForCurrentThread();
            int pending = RoundTrips(ping, pong, 2000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.True(pending > 200, $"only {pending} of 2000 waits went asynchronous: the test measured nothing");
            Assert.True(allocated < 4096, $"2000 async waits ({pending} pending) allocated {allocated} bytes on the caller's thread");
        }
        finally
        {
            stop.Cancel();
            peer.Join();
        }
    }

    [Fact]
    public async Task SharedEventWaitAsync_AfterTimedOutAndCancelledWaits_NextWaitsGetTheirOwnResults()
    {
        using SharedEvent ev = SharedEvent.CreateOrOpen(_scope.Name());
        for (int round = 0; round < 20; round++)
        {
            Assert.False(await ev.WaitAsync(TimeSpan.FromMilliseconds(5)));

            using (var cts = new CancellationTokenSource())
            {
                ValueTask<bool> cancelled = ev.WaitAsync(cts.Token);
                await cts.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
            }

            ValueTask<bool> wait = ev.WaitAsync(TimeSpan.FromSeconds(20));
            ev.Set();
            Assert.True(await wait);
            Assert.False(ev.IsSet); // consumed by that wait, not by an earlier one's leftover
        }
    }

    [Fact]
    public async Task SharedEventWaitAsync_ManyConcurrentWaitersOnManyEvents_EachSetReleasesOne()
    {
        const int Events = 6;
        const int Rounds = 100;
        var events = new SharedEvent[Events];
        for (int i = 0; i < Events; i++)
        {
            events[i] = SharedEvent.CreateOrOpen(_scope.Name($"e{i}"));
        }

        try
        {
            var loops = new Task<int>[Events];
            for (int i = 0; i < Events; i++)
            {
                SharedEvent ev = events[i];
                loops[i] = Task.Run(async () =>
                {
                    int released = 0;
                    for (int r = 0; r < Rounds; r++)
                    {
                        if (await ev.WaitAsync(TimeSpan.FromSeconds(20)))
                        {
                            released++;
                        }
                    }

                    return released;
                });
            }

            // Each Set waits until the previous one was consumed, so each releases exactly one wait.
            for (int r = 0; r < Rounds; r++)
            {
                foreach (SharedEvent ev in events)
                {
                    while (ev.IsSet)
                    {
                        await Task.Yield();
                    }

                    ev.Set();
                }
            }

            int[] counts = await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.All(counts, c => Assert.Equal(Rounds, c));
        }
        finally
        {
            foreach (SharedEvent ev in events)
            {
                ev.Dispose();
            }
        }
    }

    /// <summary>Waits for pong, sets ping, and sees the wait through <paramref name="count"/> times on this thread; returns how many waits did not complete at once.</summary>
    private static int RoundTrips(SharedEvent ping, SharedEvent pong, int count)
    {
        int pending = 0;
        for (int i = 0; i < count; i++)
        {
            ValueTask<bool> wait = pong.WaitAsync(TimeSpan.FromSeconds(20)); // first, so that it is pending when the peer answers
            ping.Set();
            if (!wait.IsCompleted)
            {
                pending++;
                var spin = default(SpinWait);
                while (!wait.IsCompleted)
                {
                    spin.SpinOnce();
                }
            }

            Assert.True(wait.GetAwaiter().GetResult());
        }

        return pending;
    }

    public void Dispose() => _scope.Dispose();
}
