using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Sync;

/// <summary>
/// SharedValue&lt;T&gt;.Update is a read-modify-write under the writer lock: concurrent updates from several
/// processes are never lost, and an update whose delegate throws publishes nothing and releases the lock.
/// </summary>
[Collection("Spinning")]
public sealed class SharedValueUpdateTests : IDisposable
{
    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedValueUpdateTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Update_TwoProcessesIncrementConcurrently_NoUpdateLost()
    {
        long AtLeast = Stress.Count(100_000, 20_000);
        string name = _scope.Name();
        string gateName = _scope.Name("gate");
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(0));
        using SharedMemory gate = SharedMemory.CreateNew(gateName, 64);
        Child a = _scope.Track(Child.Helper("value-updater", name, $"{AtLeast}", gateName));
        Child b = _scope.Track(Child.Helper("value-updater", name, $"{AtLeast}", gateName));
        Assert.Equal("ready", a.ReadLine());
        Assert.Equal("ready", b.ReadLine());

        a.WriteLine("go");
        b.WriteLine("go");

        Dictionary<string, string> doneA = SyncTest.Fields(a.ReadLine(TimeSpan.FromSeconds(60)));
        Dictionary<string, string> doneB = SyncTest.Fields(b.ReadLine(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, a.WaitForExit());
        Assert.Equal(0, b.WaitForExit());
        long updates = doneA.Long("updates") + doneB.Long("updates");
        _output.WriteLine($"updates {doneA["updates"]} + {doneB["updates"]}, interleaved {doneA["interleaved"]} and {doneB["interleaved"]}; " +
            $"final {value.Read().A}, version {value.Version}");
        Assert.True(doneA.Long("updates") >= AtLeast && doneB.Long("updates") >= AtLeast);
        Assert.True(Math.Max(doneA.Long("interleaved"), doneB.Long("interleaved")) >= 100, "the two processes hardly updated concurrently");
        Assert.Equal(Octet.Of(updates), value.Read()); // every update of either process counted
        Assert.Equal(updates, value.Version);
        Assert.Equal((0UL, 0UL), TornReads.LockState(name));
    }

    [Fact]
    public void Update_DelegateThrowsInOtherProcess_PublishesNothingAndReleasesLock()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(5));
        value.Write(Octet.Of(6));
        SyncPeer p = SyncPeer.Start(_scope);
        p.Expect($"value-open {name}", "opened");

        string reply = p.Do("value-update-throw");

        Assert.Equal("error InvalidOperationException update abandoned on purpose", reply);
        Assert.Equal(Octet.Of(6), value.Read());
        Assert.Equal(1, value.Version);
        Assert.Equal((0UL, 0UL), TornReads.LockState(name)); // released, not left for a recovery
        Octet updated = value.Update(static (ref Octet v) => v = Octet.Of(v.A + 1));
        Assert.Equal(Octet.Of(7), updated);
        Assert.Equal(Octet.Of(7), value.Read());
        Assert.Equal(2, value.Version);
        p.Exit();
    }

    [Fact]
    public void Update_DelegateThrowsHere_PublishesNothingAndOtherProcessCanWrite()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(5));

        Assert.Throws<InvalidOperationException>(() => value.Update(static (ref Octet v) =>
        {
            v = Octet.Of(-1);
            throw new InvalidOperationException("abandoned");
        }));

        Assert.Equal(Octet.Of(5), value.Read());
        Assert.Equal(0, value.Version);
        Peer p = Peer.Start(_scope);
        p.Expect($"value-open {name}", "opened");
        p.Expect("value-read", "value " + Octet.Of(5));
        p.Expect("value-write 9", "ok"); // would wait forever on a lock left held by this live process
        Assert.Equal(Octet.Of(9), value.Read());
        p.Exit();
    }

    public void Dispose() => _scope.Dispose();
}
