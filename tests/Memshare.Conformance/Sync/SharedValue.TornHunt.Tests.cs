using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Sync;

/// <summary>
/// SharedValue&lt;T&gt;.Read in several reader processes never returns a mix of two Writes, while a writer process
/// writes in a tight loop or is SIGKILLed over and over in the middle of writing. The values have all fields equal
/// (<see cref="Octet"/>: 8 longs; <see cref="Kilo"/>: 512 longs), so a mix shows.
/// </summary>
[Collection("Spinning")]
public sealed class SharedValueTornHuntTests : IDisposable
{
    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedValueTornHuntTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Read_ThreeReaderProcessesWhileWriterProcessLoops_MillionReadsNoneTorn()
    {
        const int Readers = 3;
        const long ReadsEach = 400_000;
        const long ChangesEach = 1_000;
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(0));
        Child writer = _scope.Track(Child.Helper("value-writer", name, "60"));
        Assert.Equal(1, TornReads.Ready(writer));

        var readers = new List<Child>();
        for (int i = 0; i < Readers; i++)
        {
            Child r = _scope.Track(Child.Helper("value-reader", "octet", name, $"{ReadsEach}", $"{ChangesEach}", "40"));
            readers.Add(r);
        }

        foreach (Child r in readers)
        {
            Assert.Equal("ready", r.ReadLine());
        }

        var results = readers.Select(r => SyncTest.Fields(SyncTest.ReadUntil(r, "done ", TimeSpan.FromSeconds(60)).Line)).ToList();
        long writes = TornReads.Stop(writer);

        long reads = results.Sum(f => f.Long("reads"));
        _output.WriteLine($"{reads} reads by {Readers} processes; per reader: " +
            string.Join("; ", results.Select(f => $"{f["reads"]} reads, {f["changes"]} values, {f["torn"]} torn")) + $"; writer made {writes} writes");
        foreach (Child r in readers)
        {
            Assert.Equal(0, r.WaitForExit());
        }

        Assert.All(results, f => Assert.True(f.Long("torn") == 0, $"torn read: {f["first-torn"]}"));
        Assert.All(results, f => Assert.Equal(0, f.Long("regressions")));
        Assert.All(results, f => Assert.True(f.Long("changes") >= ChangesEach, $"a reader saw only {f["changes"]} distinct values"));
        Assert.True(reads >= 1_000_000, $"only {reads} reads");
        Assert.Equal(Octet.Of(writes), value.Read());
    }

    [Fact]
    public void Read_WriterProcessKilledMidWriteRepeatedly_NoneTornAndValueStaysWritable() =>
        KillWritersRepeatedly(kills: Stress.Count(100, 12), mode: "write", minMidWrite: Stress.Count(10, 2)); // about half land mid-write

    [Fact]
    public void Read_UpdaterProcessKilledMidUpdateRepeatedly_NoneTornAndValueStaysWritable() =>
        KillWritersRepeatedly(kills: Stress.Count(40, 8), mode: "update", minMidWrite: Stress.Count(10, 2)); // most land mid-update

    /// <summary>
    /// Starts a <see cref="Kilo"/> writer process <paramref name="kills"/> times and SIGKILLs each at a random instant
    /// of its write loop, while one reader process validates every read. A kill that leaves the writer lock held
    /// landed mid-write: between taking the lock and publishing.
    /// </summary>
    private void KillWritersRepeatedly(int kills, string mode, int minMidWrite)
    {
        string name = _scope.Name();
        using SharedValue<Kilo> value = SharedValue<Kilo>.CreateNew(name, Kilo.Of(0));
        Child reader = _scope.Track(Child.Helper("value-reader", "kilo", name, "0", "0", "300"));
        Assert.Equal("ready", reader.ReadLine());
        int seed = Environment.TickCount;
        var random = new Random(seed);
        long last = 0;
        int midWrite = 0;

        // At least `kills` kills; more (up to four times as many) while fewer than `minMidWrite` landed mid-write, since
        // where a kill lands is chance and a slow machine (Wine) lands fewer there.
        int killed = 0;
        for (int i = 0; i < kills || (midWrite < minMidWrite && i < 4 * kills); i++, killed++)
        {
            Child writer = _scope.Track(Child.Helper("kilo-writer", name, "30", mode));
            long first = TornReads.Ready(writer);
            Assert.True(first == last + 1, $"kill {i}: the writer started at {first}, not right after {last}: a dead writer's value showed or vanished");

            Thread.Sleep(random.Next(0, 4)); // a random instant in the write loop, not synchronisation
            writer.Kill();

            if (TornReads.LockState(name).Lock != 0)
            {
                midWrite++;
            }

            Kilo after = value.Read();
            Assert.True(after.IsConsistent, $"after kill {i}: {after.Describe()}");
            Assert.True(after.First >= first, $"after kill {i}: {after.First} < {first}");
            last = after.First;
        }

        value.Write(Kilo.Of(last + 1));
        Assert.Equal(last + 1, value.Read().First);
        reader.WriteLine("stop");
        Dictionary<string, string> seen = SyncTest.Fields(SyncTest.ReadUntil(reader, "done ").Line);
        Assert.Equal(0, reader.WaitForExit());
        (ulong lockWord, ulong recoveries) = TornReads.LockState(name);

        _output.WriteLine($"seed {seed}: {killed} {mode} loops killed, {midWrite} of them mid-write (holding the writer lock); " +
            $"reader: {seen["reads"]} reads, {seen["changes"]} values, {seen["torn"]} torn; {recoveries} lock recoveries");
        Assert.True(seen.Long("torn") == 0, $"torn read: {seen["first-torn"]}");
        Assert.Equal(0, seen.Long("regressions"));
        Assert.Equal(last + 1, seen.Long("last")); // the reader process reads the value written after all the kills
        Assert.Equal("True", seen["last-consistent"]);
        Assert.True(seen.Long("changes") >= killed, $"the reader saw only {seen["changes"]} values");
        Assert.Equal(0UL, lockWord);
        Assert.Equal((ulong)midWrite, recoveries); // each lock left held was recovered exactly once
        Assert.True(midWrite >= minMidWrite, $"only {midWrite} of {killed} kills landed mid-write");
    }

    public void Dispose() => _scope.Dispose();
}
