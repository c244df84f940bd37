using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>
/// SharedValue&lt;T&gt;.Read never returns a mix of two Writes from another process, even when that writer is
/// SIGKILLed mid-loop. <see cref="Octet"/>'s eight fields are always written equal, so a mix shows.
/// </summary>
[Collection("Spinning")]
public sealed class SharedValueTornTests : IDisposable
{
    private const string WriterSeconds = "30";

    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedValueTornTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Read_WhileOtherProcessWritesInLoop_NeverTornAndVersionsOnlyAdvance()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(0));
        Child writer = _scope.Track(Child.Helper("value-writer", name, WriterSeconds));
        Assert.Equal(1, TornReads.Ready(writer));

        var stats = new TornStats();
        TornReads.ReadValues(value, stats, minReads: 1_000_000, minChanges: 2_000);
        long writes = TornReads.Stop(writer);

        _output.WriteLine($"{stats}; writer made {writes} writes");
        Assert.True(stats.Torn == 0, stats.ToString());
        Assert.True(stats.Regressions == 0, stats.ToString());
        Assert.True(stats.Changes >= 2_000, stats.ToString());
        Assert.Equal(writes, value.Version);
        Assert.Equal(Octet.Of(writes), value.Read()); // k ran 1..writes
    }

    [Fact]
    public void Read_WriterKilledMidLoopRepeatedly_StaysConsistentAndNextWriterWrites()
    {
        int Kills = Stress.Count(12, 4);
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(0));
        var stats = new TornStats();
        long last = 0;

        for (int i = 0; i < Kills; i++)
        {
            Child writer = _scope.Track(Child.Helper("value-writer", name, WriterSeconds));
            long first = TornReads.Ready(writer);
            Assert.Equal(last + 1, first); // continues right after the last published value

            TornReads.ReadValues(value, stats, minReads: 20_000, minChanges: 50);
            writer.Kill();

            Octet after = value.Read();
            Assert.True(after.IsConsistent, $"after kill {i}: {after}");
            Assert.True(after.A >= first);
            Assert.Equal(after, value.Read());
            last = after.A;
        }

        value.Write(Octet.Of(last + 1));
        Assert.Equal(Octet.Of(last + 1), value.Read());

        (ulong lockWord, ulong recoveries) = TornReads.LockState(name);
        _output.WriteLine($"{stats}; {recoveries} of {Kills} kills left the writer lock held");
        Assert.True(stats.Torn == 0, stats.ToString());
        Assert.True(stats.Regressions == 0, stats.ToString());
        Assert.Equal(0UL, lockWord);
        Assert.InRange(recoveries, 0UL, (ulong)Kills);
    }

    public void Dispose() => _scope.Dispose();
}
