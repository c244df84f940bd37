using static Memshare.Benchmarks.Harness.Figures;
using static Memshare.Benchmarks.Ipc.IpcResults;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// The machine-state probe, run before each repetition: a short C spin ping-pong (<c>floor</c>) and a short C ring
/// ping-pong (<c>floor-ring</c>, 64 B), well under a second together. This VM's two vCPUs sometimes sit on separate
/// physical cores and sometimes share one, for minutes at a time, and every spinning figure moves with that by a
/// factor of three or more; the probe records which state each repetition met, so figures can be grouped by it.
/// </summary>
internal static class MachineProbe
{
    internal const string Spin = "probe@spin";
    internal const string Ring = "probe@ring";

    /// <summary>Per repetition (x = 0): <see cref="StateMetric"/> (a <see cref="MachineState"/>), <see cref="RingSlowMetric"/> (0 or 1).</summary>
    internal const string State = "probe@state";
    internal const string StateMetric = "state";
    internal const string RingSlowMetric = "ring-slow";

    /// <summary>Per probe series: the CPUs (sched_getcpu) the pinging and the echoing process ended on.</summary>
    internal const string ParentCpu = "cpu-parent";
    internal const string ChildCpu = "cpu-child";

    private const int RoundTrips = 3_000;
    private const int Warmup = 300;

    /// <summary>
    /// Spin-probe p50 above which the vCPUs are taken to share a physical core. Measured spin floors were 80-121 ns
    /// with the vCPUs on separate cores and about 380-450 ns sharing one (bench/README.md); 200 ns lies between
    /// the two clusters with a margin of almost 2x on either side.
    /// </summary>
    internal const double SharedCoreNs = 200;

    /// <summary>
    /// Spin-probe p50 above which the two processes took turns on one CPU (a spinning round trip then waits for a
    /// scheduler tick): microseconds to milliseconds, far above either core state.
    /// </summary>
    internal const double SameCpuNs = 2_000;

    /// <summary>
    /// Ring-probe p50 / spin-probe p50 above which the ring is flagged slow. The ring moves the record's lines as well
    /// as its commit and normally costs 1.5-1.7x the spin floor here (211 against 130 ns split, 641 against 401 ns
    /// sharing a core); a ring was seen at 8x (997 against 121 ns) while the spin floor did not move. 4x lies between.
    /// </summary>
    internal const double RingSlowRatio = 4;

    internal static void Run(FloorProgram floor, IpcResults results, int rep)
    {
        FloorRun spin = floor.Run("spin", RoundTrips, Warmup);
        FloorRun ring = floor.RingRoundTrips(64, RoundTrips, Warmup);
        Record(results, Spin, rep, spin);
        Record(results, Ring, rep, ring);
        MachineState state = Classify(spin);
        results.Add(State, 0, StateMetric, rep, (int)state);
        results.Add(State, 0, RingSlowMetric, rep, ring.Stats.P50 > RingSlowRatio * spin.Stats.P50 ? 1 : 0);
    }

    internal static MachineState Classify(FloorRun spin) =>
        (spin.ParentCpu >= 0 && spin.ParentCpu == spin.ChildCpu) || spin.Stats.P50 > SameCpuNs ? MachineState.SameCpu
        : spin.Stats.P50 > SharedCoreNs ? MachineState.SharedCore
        : MachineState.Split;

    internal static string Describe(MachineState state) => state switch
    {
        MachineState.Split => "split",
        MachineState.SharedCore => "shared core",
        _ => "same cpu",
    };

    /// <summary>
    /// One line per repetition: the probe's figures and state beside the 64 B round trips of memshare and floor-ring
    /// measured in that repetition; then the memshare / floor-ring ratio grouped by state.
    /// </summary>
    internal static void Print(TextWriter o, IpcResults r)
    {
        Series state = r.Get(State, 0, StateMetric);
        if (!state.HasValue)
        {
            return;
        }

        o.WriteLine();
        o.WriteLine($"Machine state per repetition (probe before it: {RoundTrips:N0} C spin and 64 B C ring round trips; RTT p50 in ns).");
        o.WriteLine($"State from the spin probe: split (vCPUs on separate cores) <= {SharedCoreNs:F0} ns < shared core <= {SameCpuNs:N0} ns < same cpu;");
        o.WriteLine($"ring slow: ring probe > {RingSlowRatio:F0}x spin probe.");
        Series spin = r.Get(Spin, 64, P50), ring = r.Get(Ring, 64, P50), slow = r.Get(State, 0, RingSlowMetric);
        Series cpu0 = r.Get(Spin, 64, ParentCpu), cpu1 = r.Get(Spin, 64, ChildCpu);
        Series ms = r.Get("memshare", 64, P50), fr = r.Get("floor-ring", 64, P50);
        Series ratio = Series.Ratio(ms, fr);
        List<string[]> rows = [["rep", "spin probe", "ring probe", "CPUs", "state", "memshare 64 B", "floor-ring 64 B", "memshare/floor-ring"]];
        for (int i = 0; i < r.Reps; i++)
        {
            double code = state.PerRep[i];
            rows.Add([
                (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                N0(At(spin, i)),
                N0(At(ring, i)),
                $"{N0(At(cpu0, i))}/{N0(At(cpu1, i))}",
                double.IsNaN(code) ? "-" : Describe((MachineState)(int)code) + (At(slow, i) == 1 ? ", ring slow" : ""),
                N0(At(ms, i)),
                N0(At(fr, i)),
                X(At(ratio, i)),
            ]);
        }

        Table(o, rows);
        foreach (MachineState s in Enum.GetValues<MachineState>())
        {
            double[] inState = [.. Enumerable.Range(0, r.Reps).Where(i => state.PerRep[i] == (int)s).Select(i => At(ratio, i))];
            if (inState.Length > 0)
            {
                var group = new Series(inState);
                o.WriteLine($"  {Describe(s)}: {inState.Length} repetition(s), memshare/floor-ring 64 B RTT p50 {Spread(group, X, "-")}");
            }
        }
    }

    private static double At(Series s, int i) => i < s.PerRep.Length ? s.PerRep[i] : double.NaN;

    private static void Record(IpcResults results, string series, int rep, FloorRun run)
    {
        results.AddRoundTrips(series, 64, rep, run.Stats);
        results.Add(series, 64, ParentCpu, rep, run.ParentCpu);
        results.Add(series, 64, ChildCpu, rep, run.ChildCpu);
    }
}

/// <summary>What the spin probe says of the two vCPUs; the codes are what the detail CSV records.</summary>
internal enum MachineState
{
    /// <summary>The two processes spin on separate physical cores.</summary>
    Split = 0,

    /// <summary>The two vCPUs are hyperthreads of one physical core (or the host is contended).</summary>
    SharedCore = 1,

    /// <summary>Both processes ran on one CPU, taking turns.</summary>
    SameCpu = 2,
}
