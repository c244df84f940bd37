using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Memshare.Benchmarks.Reporting;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// <c>ipc [--quick] [--reps N] [--csv PATH]</c>: round-trip latency and one-way throughput between two processes
/// for Memshare's channel and event and for the usual .NET alternatives, against a C hardware floor.
/// Repetitions are interleaved (repetition 1 of every transport, then repetition 2, ...; the order rotates each
/// repetition) and medians reported, because this VM's two vCPUs sometimes share a physical core and single
/// runs lie. See bench/README.md.
/// </summary>
internal static class IpcBenchmark
{
    /// <summary>Every transport, in table and CSV order.</summary>
    internal static readonly string[] TransportNames =
        ["floor", "floor-futex", "memshare", "memshare-blocking", IpcPeer.EventTransport, "pipe", "uds", "tcp", "namedpipe"];

    /// <summary>How long one phase (one size of one measurement) may take before its peer is killed.</summary>
    private static readonly TimeSpan s_phaseLimit = TimeSpan.FromSeconds(60);

    private static readonly string s_namePrefix = $"msb-ipc-{Environment.ProcessId}-";
    private static int s_sessions;
    private static volatile bool s_interrupted;

    /// <summary>Ctrl-C or SIGTERM arrived: stop at the next phase.</summary>
    internal static bool Interrupted => s_interrupted;

    internal static int Run(string[] args)
    {
        IpcSettings settings;
        try
        {
            settings = IpcSettings.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("The ipc harness runs on Linux only: its floor program uses fork and futex.");
            return 2;
        }

        FloorProgram floor;
        try
        {
            floor = FloorProgram.Build();
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        // Ctrl-C or SIGTERM: stop at the next phase, so peers are killed and shared memory and temporary files removed
        // on the way out. A second signal ends the process at once.
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        using (floor)
        using (var memcpy = new MemcpyBandwidth())
        {
            if (!settings.Quick && settings.Reps < 7)
            {
                Console.Error.WriteLine($"note: {settings.Reps} repetitions; use 7 or more for figures worth quoting.");
            }

            var results = new IpcResults(settings.Reps);
            (string Name, Action<int> Run)[] sessions = [.. Sessions(settings, results, floor, memcpy)];
            if (settings.Only is { } only)
            {
                string[] unknown = [.. only.Where(n => !Array.Exists(sessions, x => x.Name == n))];
                if (unknown.Length > 0)
                {
                    Console.Error.WriteLine($"--only: unknown '{string.Join("', '", unknown)}'; choose from {string.Join(", ", sessions.Select(x => x.Name))}.");
                    return 2;
                }

                sessions = [.. sessions.Where(x => only.Contains(x.Name))];
            }

            var clock = Stopwatch.StartNew();
            try
            {
                CpuAccounting? runStart = CpuAccounting.Sample();
                for (int rep = 0; rep < settings.Reps; rep++)
                {
                    CpuAccounting? repStart = CpuAccounting.Sample();
                    for (int k = 0; k < sessions.Length; k++)
                    {
                        (string name, Action<int> run) = sessions[(k + rep) % sessions.Length];
                        RunSession(name, run, rep, settings, results);
                    }

                    (double foreign, double steal) = CpuAccounting.Between(repStart, CpuAccounting.Sample());
                    results.Add(IpcReport.ForeignCpu, 0, IpcResults.Share, rep, foreign);
                    results.Add(IpcReport.StolenCpu, 0, IpcResults.Share, rep, steal);
                    results.Commit();
                    Console.Error.WriteLine($"repetition {rep + 1}/{settings.Reps} done ({clock.Elapsed.TotalSeconds:F0} s; other processes used {foreign * 100:F0}% of the CPUs, the hypervisor stole {steal * 100:F0}%)");
                }

                results.Add(IpcReport.ForeignCpu, 1, IpcResults.Share, 0, CpuAccounting.Between(runStart, CpuAccounting.Sample()).Foreign);
                results.Commit();
            }
#pragma warning disable CA1031 // Once interrupted, whatever a session threw (a peer killed by the same Ctrl-C) just ends the run.
            catch (Exception) when (s_interrupted)
#pragma warning restore CA1031
            {
                CheckCleanup(results);
                Console.Error.WriteLine("Interrupted: peers stopped, shared memory and temporary files removed; no report.");
                foreach (string f in results.Failures)
                {
                    Console.Error.WriteLine("  " + f);
                }

                return 130;
            }

            CheckCleanup(results);
            IpcReport.Print(Console.Out, results, settings, clock.Elapsed);
            if (settings.CsvPath is not null)
            {
                IpcReport.WriteCsv(settings.CsvPath, results);
                Console.WriteLine($"CSV written to {Path.GetFullPath(settings.CsvPath)}");
            }

            if (settings.DetailCsvPath is not null)
            {
                DetailCsv.Write(settings.DetailCsvPath, results, "ipc", settings.Quick);
                Console.WriteLine($"Detail CSV written to {Path.GetFullPath(settings.DetailCsvPath)}");
            }

            return results.Failures.Count == 0 ? 0 : 1;
        }
    }

    /// <summary>
    /// Runs one session (one transport, one repetition). If other processes took more than
    /// <see cref="IpcSettings.MaxForeignCpu"/> of the CPUs meanwhile, its figures are dropped and it runs again once
    /// the machine is quiet, up to <see cref="IpcSettings.SessionAttempts"/> times; the last attempt is kept and flagged.
    /// </summary>
    internal static void RunSession(string name, Action<int> run, int rep, IpcSettings s, IpcResults results)
    {
        for (int attempt = 1; ; attempt++)
        {
            CpuAccounting? before = CpuAccounting.Sample();
            try
            {
                run(rep);
            }
#pragma warning disable CA1031 // One transport failing must not lose the others' figures; the failure is reported.
            catch (Exception e) when (!s_interrupted)
#pragma warning restore CA1031
            {
                results.Discard();
                string failure = $"repetition {rep + 1}, {name}: {e.GetType().Name}: {e.Message}";
                results.Failures.Add(failure);
                Console.Error.WriteLine("FAILED " + failure);
                return;
            }

            double foreign = CpuAccounting.Between(before, CpuAccounting.Sample()).Foreign;
            if (!(foreign > s.MaxForeignCpu) || attempt >= s.SessionAttempts)
            {
                results.Commit();
                if (foreign > s.MaxForeignCpu)
                {
                    results.Disturbed.Add($"repetition {rep + 1}, {name}: other processes used {foreign * 100:F0}% of the CPUs");
                }

                return;
            }

            results.Discard();
            results.Retries++;
            Console.Error.WriteLine($"  {name}: other processes used {foreign * 100:F0}% of the CPUs meanwhile; measuring it again when the machine is quiet");
            WaitForQuiet(s);
        }
    }

    /// <summary>Waits (up to <see cref="IpcSettings.QuietWait"/>) for a second in which other processes stay under the limit.</summary>
    private static void WaitForQuiet(IpcSettings s)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < s.QuietWait && !s_interrupted)
        {
            CpuAccounting? before = CpuAccounting.Sample();
            Thread.Sleep(1000);
            if (!(CpuAccounting.Between(before, CpuAccounting.Sample()).Foreign > s.MaxForeignCpu))
            {
                return;
            }
        }
    }

    private static IEnumerable<(string, Action<int>)> Sessions(IpcSettings s, IpcResults results, FloorProgram floor, MemcpyBandwidth memcpy)
    {
        yield return ("floor", rep => results.AddRoundTrips("floor", 64, rep, floor.Run("spin", s.RoundTrips, s.RoundTripWarmup)));
        yield return ("floor-futex", rep =>
        {
            results.AddRoundTrips("floor-futex", 64, rep, floor.Run("futex", s.RoundTrips, s.RoundTripWarmup));
            // The like-for-like baselines of the wake-from-idle figures: sleep at once, and spin-then-sleep as Memshare does.
            int idleUs = (int)s.IdleSleep.TotalMicroseconds;
            results.AddRoundTrips(IpcReport.FloorFutexIdle, 64, rep, floor.Run("futex", s.IdleRoundTrips, 10, idleUs));
            results.AddRoundTrips(IpcReport.FloorFutexIdleSpin, 64, rep,
                floor.Run("futex", s.IdleRoundTrips, 10, idleUs, (int)SharedEvent.DefaultSpinDuration.TotalNanoseconds));
        });
        foreach (Transport t in Transport.All)
        {
            yield return (t.Name, rep => RunLinkSession(t, s, results, rep));
        }

        yield return (IpcPeer.EventTransport, rep => RunEventSession(s, results, rep));
        yield return ("memcpy", rep =>
        {
            results.Add(IpcReport.Memcpy, MemcpyBandwidth.Block, IpcResults.GigabytesPerSecond, rep, memcpy.Large(s.MemcpyDuration));
            results.Add(IpcReport.MemcpyInCache, MemcpyBandwidth.Block, IpcResults.GigabytesPerSecond, rep, memcpy.InCache(s.MemcpyDuration));
        });
    }

    /// <summary>One peer process for one transport: warm-up, round trips at each size, streams at each size.</summary>
    private static void RunLinkSession(Transport transport, IpcSettings s, IpcResults results, int rep)
    {
        var receive = new byte[IpcSettings.MaxMessage];
        using Endpoint endpoint = transport.Listen(NextName());
        using PeerProcess peer = PeerProcess.Start([transport.Name, .. endpoint.PeerArgs]);
        IMessageLink? link = null;
        try
        {
            endpoint.PeerStarted();
            peer.Expect("ready");
            link = endpoint.Accept(IpcSettings.StallLimit);
            RunLinkPhases(link, peer, transport.Name, s, results, rep, receive);
            peer.Quit();
        }
        finally
        {
            // The peer goes first (killed if it has not quit), so this process holds the last handle to any shared
            // memory and its Dispose removes it: a region whose last holder is killed stays behind in /dev/shm.
            peer.Dispose();
            link?.Dispose();
        }
    }

    private static void RunLinkPhases(IMessageLink link, PeerProcess peer, string name, IpcSettings s, IpcResults results, int rep, byte[] receive)
    {
        Begin(peer, "echo");
        Measure.WarmUp(link, s.SessionWarmup, receive);
        peer.Expect("done");

        foreach (int size in IpcSettings.Sizes)
        {
            Begin(peer, "echo");
            RoundTripStats rtt = Measure.RoundTrips(link, size, s.RoundTripWarmup, s.RoundTrips, TimeSpan.Zero, receive);
            peer.Expect("done");
            results.AddRoundTrips(name, size, rep, rtt);
        }

        foreach (int size in IpcSettings.Sizes)
        {
            int ms = (int)(s.StreamWarmup + s.StreamDuration).TotalMilliseconds;
            Begin(peer, string.Create(CultureInfo.InvariantCulture, $"stream {size} {ms}"));
            double rate = Measure.Consume(link, size, s.StreamWarmup, receive);
            peer.Expect("done");
            results.Add(name, size, IpcResults.MessagesPerSecond, rep, rate);
        }

        if (link is BlockingChannelLink blocking)
        {
            // Wake from idle: the peer has slept in WaitToRead for ~1 ms when each ping arrives. First with this
            // side's default spin (it catches the reply spinning), then with no spin (both sides sleep, like floor-futex).
            Begin(peer, "echo");
            results.AddRoundTrips(IpcReport.IdleDefault, 64, rep, Measure.RoundTrips(link, 64, 10, s.IdleRoundTrips, s.IdleSleep, receive));
            peer.Expect("done");
            TimeSpan spin = blocking.ReceiveSpin;
            blocking.ReceiveSpin = TimeSpan.Zero;
            Begin(peer, "echo");
            results.AddRoundTrips(IpcReport.IdleSpinZero, 64, rep, Measure.RoundTrips(link, 64, 10, s.IdleRoundTrips, s.IdleSleep, receive));
            peer.Expect("done");
            blocking.ReceiveSpin = spin;
        }
    }

    /// <summary><c>memshare-event</c>: SharedEvent ping-pong (auto-reset, default spin on both sides); no payload.</summary>
    private static void RunEventSession(IpcSettings s, IpcResults results, int rep)
    {
        string name = NextName();
        using SharedEvent ping = SharedEvent.CreateOrOpen(name + ".ping");
        using SharedEvent pong = SharedEvent.CreateOrOpen(name + ".pong");
        using SharedEvent stop = SharedEvent.CreateOrOpen(name + ".stop", EventResetMode.ManualReset);
        using PeerProcess peer = PeerProcess.Start([IpcPeer.EventTransport, name]);
        peer.Expect("ready");
        Begin(peer, "event");
        RoundTripStats rtt = Measure.EventRoundTrips(ping, pong, stop, s.SessionWarmup, s.RoundTrips);
        peer.Expect("done");
        results.AddRoundTrips(IpcPeer.EventTransport, 64, rep, rtt);
        peer.Quit();
    }

    internal static void Interrupt(PosixSignalContext context)
    {
        context.Cancel = !s_interrupted; // the first signal asks for a clean stop; a second one ends the process
        s_interrupted = true;
    }

    internal static void Begin(PeerProcess peer, string command)
    {
        if (s_interrupted)
        {
            throw new OperationCanceledException("Interrupted.");
        }

        peer.Arm(s_phaseLimit);
        peer.Command(command);
    }

    internal static string NextName() => s_namePrefix + Interlocked.Increment(ref s_sessions).ToString(CultureInfo.InvariantCulture);

    /// <summary>Every region, socket and pipe this run made must be gone: a leftover is reported as a failure.</summary>
    internal static void CheckCleanup(IpcResults results)
    {
        string[] leftovers =
        [
            .. Directory.Exists("/dev/shm") ? Directory.GetFiles("/dev/shm", s_namePrefix + "*") : [],
            .. Directory.GetFiles(Path.GetTempPath(), "CoreFxPipe_" + s_namePrefix + "*"),
        ];
        foreach (string path in leftovers)
        {
            results.Failures.Add($"cleanup: {path} was left behind (removed now)");
            File.Delete(path);
        }
    }
}
