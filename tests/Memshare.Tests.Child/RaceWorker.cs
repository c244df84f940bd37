using System.Diagnostics;
using System.Globalization;

namespace Memshare.TestChild;

/// <summary>
/// One of several long-lived racers for <c>CreateOrOpen</c> (or <c>CreateNew</c>). Per round the test sends
/// <c>round R NAME [create-new]</c>; every
/// worker waits at a shared barrier so all of them call <c>CreateOrOpen</c> at the same moment, then replies
/// <c>created TOKEN ok</c> or <c>opened TOKEN ok</c>, where TOKEN is what the creator's initializer wrote and
/// "ok" means the whole region matched it. The worker holds the region until <c>release</c>.
/// </summary>
internal static class RaceWorker
{
    private static readonly TimeSpan BarrierDeadline = TimeSpan.FromSeconds(20);

    /// <summary>Arguments: INDEX WORKERS GATE (a 64-byte region the test created for the barrier).</summary>
    public static int Run(string[] args)
    {
        int index = int.Parse(args[0], CultureInfo.InvariantCulture);
        int workers = int.Parse(args[1], CultureInfo.InvariantCulture);
        using SharedMemory gate = SharedMemory.OpenExisting(args[2]);
        SharedMemory? held = null;
        Console.WriteLine("ready");
        string? line;
        while ((line = Console.ReadLine()) is not null && line != "exit")
        {
            string[] p = line.Split(' ');
            if (p[0] == "release")
            {
                held?.Dispose();
                held = null;
                Console.WriteLine("released");
                continue;
            }

            long round = long.Parse(p[1], CultureInfo.InvariantCulture);
            if (!Barrier(gate, workers * (round + 1)))
            {
                Console.WriteLine("barrier-timeout");
                continue;
            }

            // Distinct per worker and round, so the test can tell who created the region.
            long token = (round * 1000) + index + 1;
            RegionInitializer initializer = memory => Patterns.WriteToken(memory, token);
            try
            {
                bool created = true;
                held = p.Length > 3 && p[3] == "create-new"
                    ? SharedMemory.CreateNew(p[2], 4096, initializer)
                    : SharedMemory.CreateOrOpen(p[2], 4096, out created, initializer);
                long seen = Patterns.ReadToken(held.ReadOnlySpan, out long mismatch);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(created ? "created" : "opened")} {seen} {(mismatch < 0 ? "ok" : "mismatch@" + mismatch)}"));
            }
            catch (Exception e)
            {
                Console.WriteLine(Repl.Describe(e));
            }
        }

        held?.Dispose();
        return 0;
    }

    /// <summary>Arrives at the barrier and spins (bounded) until every worker has arrived for this round.</summary>
    private static bool Barrier(SharedMemory gate, long target)
    {
        ref long arrived = ref gate.AsRef<long>(0);
        Interlocked.Increment(ref arrived);
        long start = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        while (Volatile.Read(ref arrived) < target)
        {
            if (Stopwatch.GetElapsedTime(start) > BarrierDeadline)
            {
                return false;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }
}
