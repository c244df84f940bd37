using Memshare.Sync;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>
/// The writer lock of values and strings: a live owner in another process holds it; a dead one (SIGKILLed, or a
/// pid now used by another process) is taken over exactly once, and the value it was writing never shows.
/// </summary>
public sealed class RobustLockTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void Set_AfterOwnerProcessKilledHoldingLock_RecoversOnceAndPublishes()
    {
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, 32);
        slot.Set("before");
        Child holder = _scope.Track(Child.Helper("hold-writer-lock", name));
        Assert.Equal("locked", holder.ReadLine());
        ulong token = TornReads.LockState(name).Lock;

        // While the owner lives: it is recognised as alive, writers wait for it, readers do not.
        Assert.Equal(holder.Pid, OwnerToken.Pid(token));
        Assert.True(OwnerToken.IsAlive(token));
        var e = Assert.Throws<TimeoutException>(() => AcquireWithTimeout(name, 200));
        Assert.Contains($"waiting for the writer lock of '{name}', held by process {holder.Pid}", e.Message, StringComparison.Ordinal);
        Assert.Equal("before", slot.Get());

        holder.Kill();
        Assert.False(OwnerToken.IsAlive(token));
        slot.Set("after");

        Assert.Equal("after", slot.Get());
        Assert.Equal(2, slot.Version);
        Assert.Equal((0UL, 1UL), TornReads.LockState(name));
        slot.Set("again");
        Assert.Equal(1UL, TornReads.LockState(name).Recoveries); // an ordinary write recovers nothing
    }

    [Fact]
    public void Write_AfterOwnerProcessKilledHoldingLock_RecoversAndOtherProcessSeesValue()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(1));
        Child holder = _scope.Track(Child.Helper("hold-writer-lock", name));
        Assert.Equal("locked", holder.ReadLine());
        holder.Kill();

        Peer p = Peer.Start(_scope);
        p.Expect($"value-open {name}", "opened");
        p.Expect("value-write 2", "ok");

        Assert.Equal(Octet.Of(2), value.Read());
        Assert.Equal((0UL, 1UL), TornReads.LockState(name));
        p.Exit();
    }

    [Fact]
    public void Set_LockHeldUnderLivePidWithOtherStartTime_TreatedAsDeadOwner()
    {
        // A recycled pid: the process with that pid is alive, but it is not the one that took the lock.
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, 32);
        Peer bystander = Peer.Start(_scope);
        uint stamp = StartStamp(bystander.Pid);
        Assert.True(OwnerToken.IsAlive(OwnerToken.Make(bystander.Pid, stamp))); // the real owner would be alive
        ulong stale = OwnerToken.Make(bystander.Pid, stamp ^ 0x100);
        Assert.False(OwnerToken.IsAlive(stale));
        using (SharedMemory raw = SharedMemory.OpenExisting(name))
        {
            raw.AsRef<ulong>(TornReads.WriterLockOffset) = stale;
        }

        slot.Set("taken over");

        Assert.Equal("taken over", slot.Get());
        Assert.Equal((0UL, 1UL), TornReads.LockState(name));
        bystander.Exit();
    }

    [Fact]
    public void OwnerToken_Current_IsAliveAndNamesThisProcess()
    {
        Assert.True(OwnerToken.IsAlive(OwnerToken.Current));
        Assert.Equal(Environment.ProcessId, OwnerToken.Pid(OwnerToken.Current));
        Assert.False(OwnerToken.IsAlive(OwnerToken.Current ^ (1UL << 40)));
    }

    /// <summary>The start-time stamp an owner token holds for <paramref name="pid"/>: /proc/PID/stat field 22, odd (docs/format.md).</summary>
    private static uint StartStamp(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (uint)ulong.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture) | 1u;
    }

    private static void AcquireWithTimeout(string name, int milliseconds)
    {
        using SharedMemory raw = SharedMemory.OpenExisting(name);
        RobustLock.Acquire(ref raw.AsRef<ulong>(TornReads.WriterLockOffset), name, milliseconds);
        RobustLock.Release(ref raw.AsRef<ulong>(TornReads.WriterLockOffset));
    }

    public void Dispose() => _scope.Dispose();
}
