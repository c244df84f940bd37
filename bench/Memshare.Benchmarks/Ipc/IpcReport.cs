using System.Globalization;
using System.Text;
using static Memshare.Benchmarks.Harness.Figures;
using static Memshare.Benchmarks.Ipc.IpcResults;

namespace Memshare.Benchmarks.Ipc;

/// <summary>Prints the tables and the target summary, and writes the CSV.</summary>
internal static class IpcReport
{
    internal const string CsvHeader = "transport,message_bytes,rtt_p50_ns,rtt_p99_ns,msgs_per_s,bytes_per_s";

    /// <summary>Keys of the extra figures kept alongside the transports.</summary>
    internal const string IdleDefault = "memshare-blocking@idle";
    internal const string IdleSpinZero = "memshare-blocking@idle-spin0";
    internal const string FloorFutexIdle = "floor-futex@idle";
    internal const string FloorFutexIdleSpin = "floor-futex@idle-spin";
    internal const string Memcpy = "memcpy";
    internal const string MemcpyInCache = "memcpy-cache";
    internal const string ForeignCpu = "cpu@foreign"; // size 0: per repetition; size 1, rep 0: the whole run
    internal const string StolenCpu = "cpu@steal";

    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    internal static void Print(TextWriter o, IpcResults r, IpcSettings s, TimeSpan elapsed)
    {
        o.WriteLine();
        o.WriteLine($"Cross-process IPC, {r.Reps} interleaved repetitions{(s.Quick ? " (--quick: indicative only)" : "")}, {elapsed.TotalSeconds:F0} s.");
        o.WriteLine($"Each figure is the median over repetitions, [min-max] its spread. Per repetition: {s.RoundTrips:N0} timed round trips per size");
        o.WriteLine($"(ping-pong, the peer echoes the message) and {s.StreamDuration.TotalMilliseconds:F0} ms of one-way streaming (the peer sends, this process");
        o.WriteLine("consumes and checks each message; timed from the first message after warm-up to the last). RTT in ns.");
        o.WriteLine("p50/floor, p50/ring and p50/uds: RTT p50 relative to floor, floor-ring and uds (lower is better);");
        o.WriteLine("tput/ring and tput/uds: msg/s relative to floor-ring and uds (higher is better).");
        Series foreign = r.Get(ForeignCpu, 0, Share);
        double whole = r.Get(ForeignCpu, 1, Share).Median;
        Series steal = r.Get(StolenCpu, 0, Share);
        o.WriteLine($"Other processes used {Percent(whole)} of the CPUs during the run (per repetition {Percent(foreign.Min)}-{Percent(foreign.Max)}); the hypervisor stole {Percent(steal.Median)} [{Percent(steal.Min)}-{Percent(steal.Max)}].");
        if (r.Retries > 0 || r.Disturbed.Count > 0)
        {
            o.WriteLine($"{r.Retries} session(s) were measured again because other processes were busy; {r.Disturbed.Count} kept although disturbed (listed at the end).");
        }

        if (r.Disturbed.Count > 0 || (whole > s.Policy.MaxForeignCpu && s.Policy.SessionAttempts <= 1))
        {
            o.WriteLine("WARNING: the machine was not idle; spinning transports need both CPUs, so their figures are pessimistic. Run again when it is quiet.");
        }

        foreach (int size in IpcSettings.Sizes)
        {
            PrintSize(o, r, size);
        }

        o.WriteLine();
        Series memcpy = r.Get(Memcpy, MemcpyBandwidth.Block, GigabytesPerSecond);
        Series memcpyCache = r.Get(MemcpyInCache, MemcpyBandwidth.Block, GigabytesPerSecond);
        o.WriteLine($"memcpy, one core, 64 KiB blocks between two 128 MiB buffers: {Spread(memcpy, F2)} GB/s; within one in-cache 64 KiB pair: {Spread(memcpyCache, F2)} GB/s");
        o.WriteLine($"wake from idle (64 B, 1 ms between round trips, the peer asleep in WaitToRead; RTT ns):");
        PrintIdle(o, "memshare-blocking, default spin here", r.Get(IdleDefault, 64, P50), r.Get(IdleDefault, 64, P99));
        PrintIdle(o, "memshare-blocking, SpinDuration 0 here", r.Get(IdleSpinZero, 64, P50), r.Get(IdleSpinZero, 64, P99));
        PrintIdle(o, "floor-futex, same idle, both sleep at once", r.Get(FloorFutexIdle, 64, P50), r.Get(FloorFutexIdle, 64, P99));
        PrintIdle(o, "floor-futex, same idle, both spin 50 us first", r.Get(FloorFutexIdleSpin, 64, P50), r.Get(FloorFutexIdleSpin, 64, P99));
        MachineProbe.Print(o, r);
        PrintTargets(o, r);
        if (r.Disturbed.Count > 0)
        {
            o.WriteLine();
            o.WriteLine($"DISTURBED ({r.Disturbed.Count}): kept after {s.Policy.SessionAttempts} attempts, other processes busy each time:");
            foreach (string d in r.Disturbed)
            {
                o.WriteLine("  " + d);
            }
        }

        if (r.Failures.Count > 0)
        {
            o.WriteLine();
            o.WriteLine($"FAILURES ({r.Failures.Count}); their cells use the remaining repetitions:");
            foreach (string f in r.Failures)
            {
                o.WriteLine("  " + f);
            }
        }
    }

    internal static void WriteCsv(string path, IpcResults r)
    {
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (string transport in IpcBenchmark.TransportNames)
        {
            foreach (int size in IpcSettings.Sizes)
            {
                Series msgs = r.Get(transport, size, MessagesPerSecond);
                csv.Append(transport).Append(',').Append(size.ToString(s_inv)).Append(',')
                    .Append(CsvCell(r.Get(transport, size, P50))).Append(',')
                    .Append(CsvCell(r.Get(transport, size, P99))).Append(',')
                    .Append(CsvCell(msgs)).Append(',')
                    .Append(CsvCell(msgs.Scale(size))).Append('\n');
            }
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static void PrintSize(TextWriter o, IpcResults r, int size)
    {
        o.WriteLine();
        o.WriteLine($"{SizeName(size)} messages");
        string[] header = ["transport", "RTT p50 [min-max]", "p90", "p99 [min-max]", "p99.9", "p50/floor", "p50/ring", "p50/uds", "msg/s [min-max]", "GB/s", "tput/ring", "tput/uds"];
        var rows = new List<string[]> { header };
        Series floor = r.Get("floor", 64, P50);
        Series ringP50 = r.Get(IpcBenchmark.FloorRing, size, P50);
        Series ringMsgs = r.Get(IpcBenchmark.FloorRing, size, MessagesPerSecond);
        Series udsP50 = r.Get("uds", size, P50);
        Series udsMsgs = r.Get("uds", size, MessagesPerSecond);
        foreach (string t in IpcBenchmark.TransportNames)
        {
            Series p50 = r.Get(t, size, P50);
            Series msgs = r.Get(t, size, MessagesPerSecond);
            if (!p50.HasValue && !msgs.HasValue)
            {
                continue; // does not apply at this size
            }

            rows.Add([
                t,
                Spread(p50, N0),
                Median(r.Get(t, size, P90), N0),
                Spread(r.Get(t, size, P99), N0),
                Median(r.Get(t, size, P999), N0),
                size == 64 ? Ratio(p50, floor) : "",
                Ratio(p50, ringP50),
                Ratio(p50, udsP50),
                Spread(msgs, Rate),
                Median(msgs.Scale(size / 1e9), F2),
                Ratio(msgs, ringMsgs),
                Ratio(msgs, udsMsgs),
            ]);
        }

        Table(o, rows);
    }

    private static void PrintIdle(TextWriter o, string label, Series p50, Series p99) =>
        o.WriteLine($"  {label,-46} p50 {Spread(p50, N0),-28} p99 {Spread(p99, N0)}");

    private static void PrintTargets(TextWriter o, IpcResults r)
    {
        o.WriteLine();
        o.WriteLine("Targets (median; the per-repetition ratio's range in brackets):");
        Series ms50 = r.Get("memshare", 64, P50);
        Series floor50 = r.Get("floor", 64, P50);
        Target(o, "memshare 64 B RTT p50 / floor", $"{N0(ms50.Median)} ns / {N0(floor50.Median)} ns", Series.Ratio(ms50, floor50), "<= 1.5x", v => v <= 1.5, X);
        Series ring50 = r.Get(IpcBenchmark.FloorRing, 64, P50);
        Target(o, "memshare 64 B RTT p50 / floor-ring", $"{N0(ms50.Median)} ns / {N0(ring50.Median)} ns", Series.Ratio(ms50, ring50), "<= 1.1x", v => v <= 1.1, X);
        Series managed50 = r.Get(ManagedRingTransport.TransportName, 64, P50);
        Target(o, "  same harness: memshare / floor-ring-dotnet", $"{N0(ms50.Median)} ns / {N0(managed50.Median)} ns", Series.Ratio(ms50, managed50), "(context)", null, X);
        foreach (int size in IpcSettings.Sizes)
        {
            Series stream = r.Get("memshare", size, MessagesPerSecond);
            Series ringStream = r.Get(IpcBenchmark.FloorRing, size, MessagesPerSecond);
            Target(o, $"memshare {SizeName(size)} throughput / floor-ring", $"{Rate(stream.Median)} / {Rate(ringStream.Median)} msg/s",
                Series.Ratio(stream, ringStream), ">= 1.0x", v => v >= 1.0, X);
            Series managedStream = r.Get(ManagedRingTransport.TransportName, size, MessagesPerSecond);
            Target(o, "  same harness: memshare / floor-ring-dotnet", $"{Rate(stream.Median)} / {Rate(managedStream.Median)} msg/s",
                Series.Ratio(stream, managedStream), "(context)", null, X);
        }

        Series msgs = r.Get("memshare", 64, MessagesPerSecond);
        Target(o, "memshare 64 B throughput", $"[{Rate(msgs.Min)}-{Rate(msgs.Max)}]", msgs, ">= 20M msg/s", v => v >= 20e6, Rate, showRange: false);
        Series uds = r.Get("uds", 64, MessagesPerSecond);
        Target(o, "memshare 64 B throughput / uds", $"{Rate(msgs.Median)} / {Rate(uds.Median)} msg/s", Series.Ratio(msgs, uds), ">= 25x", v => v >= 25, X);

        Series blocking64 = r.Get("memshare-blocking", 64, P50);
        Target(o, "memshare / memshare-blocking RTT p50, 64 B", $"{N0(ms50.Median)} ns / {N0(blocking64.Median)} ns", Series.Ratio(ms50, blocking64), "<= 1.0x", v => v <= 1.0, X);
        foreach (int size in IpcSettings.Sizes)
        {
            Series blocking = r.Get("memshare-blocking", size, P50);
            Series spinning = r.Get("memshare", size, P50);
            Target(o, $"memshare-blocking / memshare RTT p50, {SizeName(size)}", $"{N0(blocking.Median)} ns / {N0(spinning.Median)} ns",
                Series.Ratio(blocking, spinning), "<= 1.5x", v => v <= 1.5, X);
        }

        Series futex = r.Get("floor-futex", 64, P50);
        Series idle = r.Get(IdleDefault, 64, P50);
        Target(o, "wake from idle: memshare-blocking / floor-futex p50", $"{N0(idle.Median)} ns / {N0(futex.Median)} ns", Series.Ratio(idle, futex), "<= 1.2x", v => v <= 1.2, X);
        Series idle0 = r.Get(IdleSpinZero, 64, P50);
        Series futexIdle = r.Get(FloorFutexIdle, 64, P50);
        Series futexIdleSpin = r.Get(FloorFutexIdleSpin, 64, P50);
        Target(o, "  like for like: default spin / floor spin-then-sleep", $"{N0(idle.Median)} ns / {N0(futexIdleSpin.Median)} ns", Series.Ratio(idle, futexIdleSpin), "(context)", null, X);
        Target(o, "  like for like: SpinDuration 0 / floor sleep at once", $"{N0(idle0.Median)} ns / {N0(futexIdle.Median)} ns", Series.Ratio(idle0, futexIdle), "(context)", null, X);

        Series gbps = r.Get("memshare", 65536, MessagesPerSecond).Scale(65536 / 1e9);
        Series memcpy = r.Get(Memcpy, MemcpyBandwidth.Block, GigabytesPerSecond);
        Target(o, "memshare 64 KiB throughput / memcpy", $"{F2(gbps.Median)} / {F2(memcpy.Median)} GB/s", Series.Ratio(gbps, memcpy), ">= 50%", v => v >= 0.5, Percent);
        Series ringGbps = r.Get(IpcBenchmark.FloorRing, 65536, MessagesPerSecond).Scale(65536 / 1e9);
        Target(o, "  floor-ring 64 KiB throughput / memcpy", $"{F2(ringGbps.Median)} / {F2(memcpy.Median)} GB/s", Series.Ratio(ringGbps, memcpy), "(context)", null, Percent);
    }

    private static void Target(TextWriter o, string what, string detail, Series value, string target, Func<double, bool>? met, Func<double, string> format, bool showRange = true)
    {
        string verdict = met is null ? "" : !value.HasValue ? "NO DATA" : met(value.Median) ? "MET" : "MISSED";
        string figure = format(value.Median) + (showRange && value.HasValue ? $" [{format(value.Min)}-{format(value.Max)}]" : "");
        o.WriteLine($"  {what,-52} {figure,-22} {detail,-30} target {target,-14} {verdict}");
    }

    private static string Ratio(Series a, Series b) => a.HasValue && b.HasValue ? X(a.Median / b.Median) : "";

    private static string CsvCell(Series s) => s.HasValue ? s.Median.ToString("F0", s_inv) : "";
}
