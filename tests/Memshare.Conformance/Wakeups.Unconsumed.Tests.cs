using System.Globalization;
using Memshare.Conformance.Infrastructure;
using Memshare.Conformance.Sync;

namespace Memshare.Conformance;

/// <summary>
/// Wake-ups that no sleeper takes do not pile up. A waiter killed in its sleep stays counted as a sleeper, so
/// every later Set notifies nobody; a blocking wait after thousands of such Sets must still sleep, not return
/// early (and loop) once per stale notification.
/// </summary>
public sealed class UnconsumedWakeupTests : IDisposable
{
    private const int Notifications = 20_000;

    private readonly RegionScope _scope = new();

    [Fact]
    public void Wait_AfterManySetsWithADeadSleeper_SleepsWithoutSpinning()
    {
        string name = _scope.Name();
        using var sharedEvent = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);

        SyncPeer doomed = SyncPeer.Start(_scope);
        Assert.Equal("opened", doomed.Do($"event-open {name} auto"));
        Assert.Equal("started", doomed.Do("event-wait-bg 60000"));
        Thread.Sleep(500); // past its spin phase: asleep in the kernel
        doomed.Child.Kill();

        for (int i = 0; i < Notifications; i++)
        {
            sharedEvent.Set();
            Assert.True(sharedEvent.Wait(TimeSpan.Zero, TestContext.Current.CancellationToken), "the Set was not there to consume");
        }

        // A fresh, quiet process measures its own CPU time over a 1 s wait on the unset event.
        SyncPeer waiter = SyncPeer.Start(_scope);
        Assert.Equal("opened", waiter.Do($"event-open {name} auto"));
        Assert.StartsWith("waited False", waiter.Do("event-wait 100"), StringComparison.Ordinal); // warm-up (JIT)
        string reply = waiter.Do("event-wait 1000");
        Assert.StartsWith("waited False", reply, StringComparison.Ordinal);
        double cpuMs = double.Parse(reply[(reply.IndexOf("cpu=", StringComparison.Ordinal) + 4)..], CultureInfo.InvariantCulture);
        Assert.True(cpuMs < 60, $"a 1 s wait on an unset event used {cpuMs} ms of CPU: it woke for stale notifications ({reply})");
        waiter.Child.WriteLine("exit");
        Assert.Equal(0, waiter.Child.WaitForExit());
    }

    public void Dispose() => _scope.Dispose();
}
