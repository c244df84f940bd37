using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>
/// Get never returns a mix of two Sets, against writers in other processes — including writers that are
/// SIGKILLed in the middle of their loop. Each string is self-validating (see <see cref="Patterns.StringFor"/>).
/// </summary>
[Collection("Spinning")]
public sealed class SharedStringTornTests : IDisposable
{
    private const string WriterSeconds = "30"; // an upper bound; the tests stop their writers long before

    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedStringTornTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Get_WhileOtherProcessSetsInLoop_NeverTornAndVersionsOnlyAdvance()
    {
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, Patterns.MaxStringBytes);
        Child writer = _scope.Track(Child.Helper("string-writer", name, WriterSeconds));
        TornReads.Ready(writer);

        var stats = new TornStats();
        TornReads.ReadStrings(slot, stats, minReads: 1_000_000, minChanges: 2_000);
        long sets = TornReads.Stop(writer);

        _output.WriteLine($"{stats}; writer made {sets} sets");
        Assert.True(stats.Torn == 0, stats.ToString());
        Assert.True(stats.Regressions == 0, stats.ToString());
        Assert.True(stats.Changes >= 2_000, stats.ToString());
        Assert.Equal(sets, slot.Version);
        Assert.Equal(Patterns.StringFor(sets - 1), slot.Get()); // k ran 0..sets-1
    }

    [Fact]
    public void Get_WriterKilledMidLoopRepeatedly_StaysValidAndNextWriterSets()
    {
        int Kills = Stress.Count(12, 4);
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, Patterns.MaxStringBytes);
        var stats = new TornStats();
        long last = -1;

        for (int i = 0; i < Kills; i++)
        {
            Child writer = _scope.Track(Child.Helper("string-writer", name, WriterSeconds));
            long first = TornReads.Ready(writer);
            Assert.True(first > last, $"writer {i} started at {first}, after {last}");

            TornReads.ReadStrings(slot, stats, minReads: 20_000, minChanges: 50); // it is mid-loop now
            writer.Kill();

            string after = slot.Get();
            Assert.True(Patterns.TryParseString(after, out last), $"after kill {i}: '{after}'");
            Assert.True(last >= first);
            Assert.Equal(after, slot.Get()); // stable: nobody writes now
        }

        // A writer in this process takes over the lock too, whatever state the last one died in.
        slot.Set(Patterns.StringFor(last + 1));
        Assert.Equal(Patterns.StringFor(last + 1), slot.Get());

        (ulong lockWord, ulong recoveries) = TornReads.LockState(name);
        _output.WriteLine($"{stats}; {recoveries} of {Kills} kills left the writer lock held");
        Assert.True(stats.Torn == 0, stats.ToString());
        Assert.True(stats.Regressions == 0, stats.ToString());
        Assert.Equal(0UL, lockWord);
        Assert.InRange(recoveries, 0UL, (ulong)Kills); // only dead owners are ever taken over
    }

    [Fact]
    public void Get_TwoWriterProcessesAndReader_NeverTornAndNoSetIsLost()
    {
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, Patterns.MaxStringBytes);
        Child even = _scope.Track(Child.Helper("string-writer", name, WriterSeconds, "2", "0"));
        Child odd = _scope.Track(Child.Helper("string-writer", name, WriterSeconds, "2", "1"));
        TornReads.Ready(even);
        TornReads.Ready(odd);

        var stats = new TornStats();
        TornReads.ReadStrings(slot, stats, minReads: 300_000, minChanges: 2_000, stride: 2);
        long sets = TornReads.Stop(even) + TornReads.Stop(odd);

        _output.WriteLine($"{stats}; writers made {sets} sets");
        Assert.True(stats.Torn == 0, stats.ToString());
        Assert.True(stats.Regressions == 0, stats.ToString());
        Assert.True(stats.Latest[0] >= 0 && stats.Latest[1] >= 0, "the reader should have seen both writers");

        // Each Set publishes exactly one version: the writer lock kept the two processes from overlapping.
        Assert.Equal(sets, slot.Version);
        Assert.Equal(0UL, TornReads.LockState(name).Recoveries);
    }

    public void Dispose() => _scope.Dispose();
}
