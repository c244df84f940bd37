using System.Globalization;
using Memshare.Benchmarks.Ipc;
using static Memshare.Benchmarks.Harness.Figures;
using static Memshare.Benchmarks.Ipc.IpcResults;

namespace Memshare.Benchmarks.Scale;

/// <summary>Prints the scale run's tables: medians over repetitions, [min-max] their spread.</summary>
internal static class ScaleReport
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private static readonly string[] s_sizeHeader = ["size", "RTT p50 [min-max]", "p99", "msg/s [min-max]", "GB/s"];

    internal static void Print(TextWriter o, IpcResults r, ScaleSettings s, TimeSpan elapsed)
    {
        o.WriteLine();
        o.WriteLine($"Channel scaling, {r.Reps} interleaved repetitions{(s.Quick ? " (--quick: indicative only)" : "")}, {elapsed.TotalSeconds:F0} s, {Environment.ProcessorCount} CPUs.");
        o.WriteLine("Each figure is the median over repetitions, [min-max] its spread. RTT in ns; rates in messages per second.");
        Series foreign = r.Get(IpcReport.ForeignCpu, 1, Share);
        o.WriteLine($"Other processes used {Percent(foreign.Median)} of the CPUs during the run; {r.Retries} session(s) measured again, {r.Disturbed.Count} kept although disturbed.");
        if (r.Disturbed.Count > 0 || foreign.Median > s.Policy.MaxForeignCpu)
        {
            o.WriteLine("WARNING: the machine was not idle; spinning figures are pessimistic. Run again when it is quiet.");
        }

        foreach (string t in ScaleBenchmark.SizeTransports)
        {
            if (!r.Get(t, ScaleSettings.Sizes[0], P50).HasValue)
            {
                continue;
            }

            o.WriteLine();
            o.WriteLine($"{t}: message size");
            var rows = new List<string[]> { s_sizeHeader };
            foreach (int size in ScaleSettings.Sizes)
            {
                Series msgs = r.Get(t, size, MessagesPerSecond);
                rows.Add([SizeName(size), Spread(r.Get(t, size, P50), N0, "-"), N0(r.Get(t, size, P99).Median), Spread(msgs, Rate, "-"), F2(msgs.Median * size / 1e9)]);
            }

            Table(o, rows);
        }

        foreach ((string group, string who) in new[] { ("broadcast", "readers"), ("producers", "producers") })
        {
            foreach (bool blocking in new[] { false, true })
            {
                string series = ScaleBenchmark.Series(group, blocking);
                if (!r.Get(series, 1, ScaleBenchmark.Aggregate).HasValue)
                {
                    continue;
                }

                o.WriteLine();
                o.WriteLine(group == "broadcast"
                    ? $"{series}: one writer, N reader processes, 64 B, back-pressure; each reader checks every message"
                    : $"{series}: N writer processes, one reader (this process), 64 B; each producer's order checked");
                var rows = new List<string[]> { new[] { who, "per process [min-max]", "slowest", "fastest", "aggregate [min-max]" } };
                foreach (int n in ScaleSettings.Counts)
                {
                    rows.Add([
                        n.ToString(s_inv),
                        Spread(r.Get(series, n, ScaleBenchmark.PerMean), Rate, "-"),
                        Rate(r.Get(series, n, ScaleBenchmark.PerMin).Median),
                        Rate(r.Get(series, n, ScaleBenchmark.PerMax).Median),
                        Spread(r.Get(series, n, ScaleBenchmark.Aggregate), Rate, "-"),
                    ]);
                }

                Table(o, rows);
            }
        }

        foreach ((string title, List<string> lines) in new[] { ("DISTURBED", r.Disturbed), ("FAILURES", r.Failures) })
        {
            if (lines.Count > 0)
            {
                o.WriteLine();
                o.WriteLine($"{title} ({lines.Count}):");
                lines.ForEach(l => o.WriteLine("  " + l));
            }
        }
    }
}
