using System.Globalization;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Sync;

/// <summary>
/// SharedEvent across processes: auto-reset releases one waiter per Set, manual-reset releases all until Reset,
/// waits time out and can be cancelled (sync and async), a sleeping waiter uses no CPU, and a waiter still wakes
/// when the notifier died after publishing the event but before waking anyone. "Asleep" is observed from
/// outside: the event's waiter count in shared memory.
/// </summary>
public sealed class SharedEventTests : IDisposable
{
    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedEventTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Set_AutoResetWithTwoWaitingProcesses_ReleasesExactlyOnePerSet()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        SyncPeer a = StartWaiter(name, "auto", "event-wait-bg 20000");
        SyncPeer b = StartWaiter(name, "auto", "event-wait-bg 20000");
        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.EventWaiters) == 2, "both processes sleep in Wait");

        ev.Set();
        (SyncPeer released, string line) = FirstBackground(a, b);
        SyncPeer other = released == a ? b : a;
        Assert.StartsWith("bg waited True", line, StringComparison.Ordinal);
        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.EventWaiters) == 1, "the released waiter has left");
        Assert.False(ev.IsSet); // consumed by the one it released
        Assert.Null(other.TryBackground(TimeSpan.FromMilliseconds(300))); // the other still waits

        ev.Set();
        Assert.StartsWith("bg waited True", other.Background(), StringComparison.Ordinal);
        Assert.False(ev.IsSet);
        Assert.Equal(0, SyncTest.ReadInt(raw, SyncTest.EventWaiters));
        a.Exit();
        b.Exit();
    }

    [Fact]
    public void Set_ManualResetWithTwoWaitingProcesses_ReleasesBothAndStaysSetUntilReset()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.ManualReset);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        SyncPeer a = StartWaiter(name, "manual", "event-wait-bg 20000");
        SyncPeer b = StartWaiter(name, "manual", "event-wait-bg 20000");
        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.EventWaiters) == 2, "both processes sleep in Wait");

        ev.Set();

        Assert.StartsWith("bg waited True", a.Background(), StringComparison.Ordinal);
        Assert.StartsWith("bg waited True", b.Background(), StringComparison.Ordinal);
        Assert.True(ev.IsSet);
        Assert.StartsWith("waited True", a.Do("event-wait 0"), StringComparison.Ordinal); // still set for later waiters
        b.Expect("event-reset", "ok");
        Assert.False(ev.IsSet);
        a.Expect("event-is-set", "False");
        Assert.StartsWith("waited False", a.Do("event-wait 100"), StringComparison.Ordinal);
        Assert.Equal(EventResetMode.ManualReset, ev.Mode);
        a.Exit();
        b.Exit();
    }

    [Fact]
    public void Wait_TimeoutInOtherProcess_ReturnsFalseAfterTimeoutUsingAlmostNoCpu()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        SyncPeer p = SyncPeer.Start(_scope);
        p.Expect($"event-open {name} auto", "opened");

        string reply = p.Do("event-wait 1000");

        _output.WriteLine(reply);
        Dictionary<string, string> f = SyncTest.Fields(reply);
        Assert.StartsWith("waited False", reply, StringComparison.Ordinal);
        Assert.True(f.Long("ms") >= 990, $"returned false before its timeout: {reply}");
        double cpu = double.Parse(f["cpu"], CultureInfo.InvariantCulture);
        Assert.True(cpu < 100, $"a 1 s wait used {cpu} ms of CPU: {reply}");
        p.Exit();
    }

    [Fact]
    public void Wait_CancelledWhileAsleepInOtherProcess_ThrowsOperationCanceledAndConsumesNothing()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        SyncPeer p = StartWaiter(name, "auto", "event-wait-bg -1"); // no timeout: only cancellation ends it
        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.EventWaiters) == 1, "the process sleeps in Wait");

        p.Expect("cancel", "ok");

        Assert.StartsWith("bg error OperationCanceledException", p.Background(), StringComparison.Ordinal);
        Assert.Equal(0, SyncTest.ReadInt(raw, SyncTest.EventWaiters));
        ev.Set();
        Assert.True(ev.IsSet); // the cancelled waiter is gone and takes nothing
        Assert.StartsWith("waited True", p.Do("event-wait 0"), StringComparison.Ordinal);
        p.Exit();
    }

    [Fact]
    public async Task WaitAsync_SetFromOtherProcess_CompletesTrue()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        SyncPeer p = SyncPeer.Start(_scope);
        p.Expect($"event-open {name} auto", "opened");
        ValueTask<bool> wait = ev.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(wait.IsCompleted);
        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.EventWaiters) == 1, "WaitAsync sleeps");

        p.Expect("event-set", "ok");

        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(ev.IsSet);
        p.Exit();
    }

    [Fact]
    public void WaitAsync_InOtherProcessSetHere_CompletesTrue()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        SyncPeer p = StartWaiter(name, "auto", "event-wait-async 20000");
        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.EventWaiters) == 1, "the process sleeps in WaitAsync");

        ev.Set();

        Assert.StartsWith("bg waited True", p.Background(), StringComparison.Ordinal);
        p.Exit();
    }

    [Fact]
    public void WaitAsync_CancelledWhileAsleepInOtherProcess_ThrowsOperationCanceled()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        SyncPeer p = StartWaiter(name, "auto", "event-wait-async -1");
        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.EventWaiters) == 1, "the process sleeps in WaitAsync");

        p.Expect("cancel", "ok");

        string line = p.Background();
        Assert.True(line.StartsWith("bg error TaskCanceledException", StringComparison.Ordinal)
            || line.StartsWith("bg error OperationCanceledException", StringComparison.Ordinal), line);
        Assert.Equal(0, SyncTest.ReadInt(raw, SyncTest.EventWaiters));
        Assert.False(ev.IsSet);
        p.Exit();
    }

    [Fact]
    public void Wait_NotifierKilledAfterPublishingBeforeWaking_SleeperStillReturnsTrueSoon()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        SyncPeer waiter = StartWaiter(name, "auto", "event-wait-bg 10000");
        SyncTest.WaitUntil(() => SyncTest.ReadInt(raw, SyncTest.EventWaiters) == 1, "the process sleeps in Wait");
        int generation = SyncTest.ReadInt(raw, SyncTest.EventGeneration);

        // A notifier that stored Signaled = 1 (what Set publishes first) and died before bumping the futex word.
        Peer notifier = Peer.Start(_scope);
        notifier.Expect($"open {name}", "opened");
        notifier.Expect($"write-hex {SyncTest.EventSignaled} 01000000", "ok");
        notifier.Kill();

        string line = waiter.Background(TimeSpan.FromSeconds(9));
        _output.WriteLine(line);
        Assert.StartsWith("bg waited True", line, StringComparison.Ordinal);
        Assert.True(SyncTest.Fields(line).Long("ms") < 5_000, line);
        Assert.Equal(generation, SyncTest.ReadInt(raw, SyncTest.EventGeneration)); // nobody woke it: it re-checked
        Assert.False(ev.IsSet); // and consumed the event
        waiter.Exit();
    }

    private SyncPeer StartWaiter(string name, string mode, string waitCommand)
    {
        SyncPeer p = SyncPeer.Start(_scope);
        p.Expect($"event-open {name} {mode}", "opened");
        p.Expect(waitCommand, "started");
        return p;
    }

    /// <summary>The first background line from either peer (20 s at most), and which peer sent it.</summary>
    private static (SyncPeer Peer, string Line) FirstBackground(SyncPeer a, SyncPeer b)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            foreach (SyncPeer p in new[] { a, b })
            {
                if (p.TryBackground(TimeSpan.FromMilliseconds(10)) is { } line)
                {
                    return (p, line);
                }
            }
        }

        throw new TimeoutException("neither waiting process was released");
    }

    public void Dispose() => _scope.Dispose();
}
