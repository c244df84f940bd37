using System.Globalization;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Sync;

/// <summary>
/// SharedLock survives owners SIGKILLed while holding it: each death is reported to exactly one acquirer
/// (PreviousOwnerDied) and counted once in Recoveries, and no two processes are ever inside at once, while
/// contender processes hammer the lock the whole time.
/// </summary>
[Collection("Spinning")]
public sealed class SharedLockOwnerDeathTests : IDisposable
{
    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedLockOwnerDeathTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Acquire_OwnerKilled50TimesWhileContendersHammer_EachDeathReportedOnceAndNeverTwoInside()
    {
        int Kills = Stress.Count(50, 8);
        const int Contenders = 3;
        string lockName = _scope.Name("lock");
        string counterName = _scope.Name("inside");
        using SharedLock sharedLock = SharedLock.CreateOrOpen(lockName);
        using SharedMemory counter = SharedMemory.CreateNew(counterName, 64); // int 0: processes inside the lock

        var contenders = new List<Child>();
        for (int i = 0; i < Contenders; i++)
        {
            contenders.Add(_scope.Track(Child.Helper("lock-contender", lockName, counterName, "60")));
        }

        foreach (Child c in contenders)
        {
            Assert.Equal("ready", c.ReadLine());
        }

        // Which death (1..Kills, the Recoveries count right after it was recovered) each report names.
        var reports = new List<long>();
        Child holder = StartHolder(lockName, counterName);
        Dictionary<string, string> held = Held(holder, recoveriesSoFar: 0, reports);
        Assert.Equal("False", held["died"]);

        Assert.Equal(holder.Pid, sharedLock.OwnerProcessId);
        var startToHeld = new List<double>();
        for (int kill = 1; kill <= Kills; kill++)
        {
            holder.Kill();
            if (kill == Kills)
            {
                break;
            }

            // The contenders hammer (one of them recovers) while the next holder starts; it queues up with them.
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            holder = StartHolder(lockName, counterName);

            // It got in, so this death was recovered (by it or a contender); it holds, so no other can be.
            Held(holder, recoveriesSoFar: kill, reports);
            startToHeld.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Assert.Equal(holder.Pid, sharedLock.OwnerProcessId);
        }

        int byHolders = reports.Count;
        SyncTest.WaitUntil(() => sharedLock.Recoveries == Kills, "a contender recovers the lock from the last holder");
        var summaries = new List<Dictionary<string, string>>();
        foreach (Child c in contenders)
        {
            c.WriteLine("stop");
            (string done, List<string> lines) = SyncTest.ReadUntil(c, "done ");
            foreach (string line in lines)
            {
                Assert.StartsWith("died ", line, StringComparison.Ordinal);
                reports.Add(long.Parse(line.AsSpan(5), CultureInfo.InvariantCulture));
            }

            summaries.Add(SyncTest.Fields(done));
            Assert.Equal(0, c.WaitForExit());
        }

        reports.Sort();
        _output.WriteLine($"{Kills} owners killed; {sharedLock.Recoveries} recoveries; holders took {startToHeld.Average():F0} ms on average " +
            $"(at most {startToHeld.Max():F0}) from start to holding; death reports ({byHolders} by holders): {string.Join(",", reports)}; contenders: " +
            string.Join("; ", summaries.Select(f => $"{f["iterations"]} acquisitions, {f["violations"]} violations, {f["timeouts"]} timeouts")));
        Assert.All(summaries, f => Assert.Equal(0, f.Long("violations")));
        Assert.All(summaries, f => Assert.Equal(0, f.Long("timeouts")));
        Assert.All(summaries, f => Assert.True(f.Long("iterations") > Kills, $"a contender got in only {f["iterations"]} times"));
        Assert.Equal(Enumerable.Range(1, Kills).Select(k => (long)k), reports); // each death reported exactly once
        Assert.Equal(Kills, sharedLock.Recoveries);
        Assert.Null(sharedLock.OwnerProcessId);
        Assert.Equal(0, SyncTest.ReadInt(counter, 0));
        using (SharedLockGuard guard = sharedLock.Acquire(TimeSpan.FromSeconds(5)))
        {
            Assert.False(guard.PreviousOwnerDied);
        }
    }

    private Child StartHolder(string lockName, string counterName)
    {
        Child holder = _scope.Track(Child.Helper("lock-holder", lockName, counterName));
        Assert.Equal("ready", holder.ReadLine());
        return holder;
    }

    /// <summary>Reads the holder's "held ..." line and checks it is the owner, alone, after exactly <paramref name="recoveriesSoFar"/> recoveries.</summary>
    private static Dictionary<string, string> Held(Child holder, long recoveriesSoFar, List<long> reports)
    {
        string line = holder.ReadLine();
        Assert.True(line.StartsWith("held ", StringComparison.Ordinal), $"holder said '{line}'; stderr: {holder.Stderr}");
        Dictionary<string, string> f = SyncTest.Fields(line);
        Assert.True(f["entry"] == "ok", $"holder {holder.Pid} was not alone inside the lock: {line}");
        Assert.True(f.Long("recoveries") == recoveriesSoFar, $"after {recoveriesSoFar} deaths: {line}");
        if (f["died"] == "True")
        {
            reports.Add(f.Long("recoveries"));
        }

        return f;
    }

    public void Dispose() => _scope.Dispose();
}
