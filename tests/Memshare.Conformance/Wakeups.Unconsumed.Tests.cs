using System.Diagnostics;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>Process CPU time is measured here, so nothing else may run in this process meanwhile.</summary>
[CollectionDefinition(nameof(CpuTimeSerial), DisableParallelization = true)]
public sealed class CpuTimeSerial;

/// <summary>
/// Wake-ups that no sleeper took do not pile up: after many notifications sent while an async waiter was pending,
/// a blocking wait on an unset event sleeps instead of returning early (and looping) once per notification.
/// </summary>
[Collection(nameof(CpuTimeSerial))]
public sealed class UnconsumedWakeupTests : IDisposable
{
    private const int Notifications = 50_000;

    private readonly RegionScope _scope = new();

    [Fact]
    public async Task Wait_AfterManyWakeupsNobodyConsumed_SleepsWithoutSpinning()
    {
        using var sharedEvent = SharedEvent.CreateOrOpen(_scope.Name(), EventResetMode.ManualReset);
        Assert.False(sharedEvent.Wait(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken)); // warm up the blocking path

        using (var cts = new CancellationTokenSource())
        {
            // Keep an async waiter pending throughout, so every Set has a sleeper to notify.
            Task<bool> pending = sharedEvent.WaitAsync(TimeSpan.FromMinutes(2), cts.Token).AsTask();
            Thread.Sleep(100);
            for (int i = 0; i < Notifications; i++)
            {
                sharedEvent.Set();
                sharedEvent.Reset();
                if (pending.IsCompleted)
                {
                    Assert.True(await pending);
                    pending = sharedEvent.WaitAsync(TimeSpan.FromMinutes(2), cts.Token).AsTask();
                }
            }

            await cts.CancelAsync();
            try
            {
                await pending;
            }
            catch (OperationCanceledException)
            {
            }
        }

        TimeSpan idle = CpuDuring(() => Thread.Sleep(1000));
        TimeSpan waiting = CpuDuring(() => Assert.False(sharedEvent.Wait(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken)));
        Assert.True(waiting - idle < TimeSpan.FromMilliseconds(150),
            $"a 1 s wait on an unset event used {waiting.TotalMilliseconds:F0} ms of CPU (idle second: {idle.TotalMilliseconds:F0} ms): it woke for stale notifications");
    }

    private static TimeSpan CpuDuring(Action action)
    {
        using Process self = Process.GetCurrentProcess();
        TimeSpan before = self.TotalProcessorTime;
        action();
        self.Refresh();
        return self.TotalProcessorTime - before;
    }

    public void Dispose() => _scope.Dispose();
}
