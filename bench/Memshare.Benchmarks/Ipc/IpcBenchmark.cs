using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Memshare.Benchmarks.Harness;
using Memshare.Benchmarks.Reporting;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// <c>ipc [--quick] [--reps N] [--csv PATH]</c>: round-trip latency and one-way throughput between two processes
/// for Memshare's channel and event and for the usual .NET alternatives (pipes, sockets, gRPC), against C floors: the
/// hardware floor (one cache line) and the message floor (a bare SPSC ring). A machine-state probe runs before each
/// repetition (<see cref="MachineProbe"/>).
/// Repetitions are interleaved (repetition 1 of every transport, then repetition 2, ...; the order rotates each
/// repetition) and medians reported, because this VM's two vCPUs sometimes share a physical core and single
/// runs lie. See bench/README.md.
/// </summary>
internal static class IpcBenchmark
{
    /// <summary>Every transport, in table and CSV order.</summary>
    internal static readonly string[] TransportNames =
        ["floor", "floor-futex", FloorRing, ManagedRingTransport.TransportName, "memshare", "memshare-blocking", IpcPeer.EventTransport, "pipe", "uds", "tcp", "namedpipe", Grpc.GrpcTransport.TransportName];

    /// <summary>The message floor: a bare C SPSC ring (bench/floor/floor-ring.c).</summary>
    internal const string FloorRing = "floor-ring";

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
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, SessionLoop.Interrupt);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, SessionLoop.Interrupt);
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
            Action<int> probe = rep => MachineProbe.Run(floor, results, rep);
            if (!SessionLoop.RunInterleaved(sessions, settings.Policy, results, clock, probe))
            {
                foreach (string f in results.Failures)
                {
                    Console.Error.WriteLine("  " + f);
                }

                return 130;
            }

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

    private static IEnumerable<(string, Action<int>)> Sessions(IpcSettings s, IpcResults results, FloorProgram floor, MemcpyBandwidth memcpy)
    {
        yield return ("floor", rep => results.AddRoundTrips("floor", 64, rep, floor.Run("spin", s.RoundTrips, s.RoundTripWarmup).Stats));
        yield return ("floor-futex", rep =>
        {
            results.AddRoundTrips("floor-futex", 64, rep, floor.Run("futex", s.RoundTrips, s.RoundTripWarmup).Stats);
            // The like-for-like baselines of the wake-from-idle figures: sleep at once, and spin-then-sleep as Memshare does.
            int idleUs = (int)s.IdleSleep.TotalMicroseconds;
            results.AddRoundTrips(IpcReport.FloorFutexIdle, 64, rep, floor.Run("futex", s.IdleRoundTrips, 10, idleUs).Stats);
            results.AddRoundTrips(IpcReport.FloorFutexIdleSpin, 64, rep,
                floor.Run("futex", s.IdleRoundTrips, 10, idleUs, (int)SharedEvent.DefaultSpinDuration.TotalNanoseconds).Stats);
        });
        yield return (FloorRing, rep =>
        {
            foreach (int size in IpcSettings.Sizes)
            {
                results.AddRoundTrips(FloorRing, size, rep, floor.RingRoundTrips(size, s.RoundTrips, s.RoundTripWarmup).Stats);
            }

            foreach (int size in IpcSettings.Sizes)
            {
                results.Add(FloorRing, size, IpcResults.MessagesPerSecond, rep, floor.RingStream(size, s.StreamWarmup, s.StreamDuration));
            }
        });
        foreach (Transport t in Transport.All)
        {
            yield return (t.Name, rep => LinkSession.Run(t, s, IpcSettings.Sizes, results, rep, (link, peer, receive) => RunIdlePhases(link, peer, s, results, rep, receive)));
        }

        yield return (IpcPeer.EventTransport, rep => RunEventSession(s, results, rep));
        yield return ("memcpy", rep =>
        {
            results.Add(IpcReport.Memcpy, MemcpyBandwidth.Block, IpcResults.GigabytesPerSecond, rep, memcpy.Large(s.MemcpyDuration));
            results.Add(IpcReport.MemcpyInCache, MemcpyBandwidth.Block, IpcResults.GigabytesPerSecond, rep, memcpy.InCache(s.MemcpyDuration));
        });
    }

    /// <summary>
    /// Wake from idle, on <c>memshare-blocking</c> only: the peer has slept in WaitToRead for ~1 ms when each ping
    /// arrives. First with this side's default spin (it catches the reply spinning), then with no spin (both sides
    /// sleep, like floor-futex).
    /// </summary>
    private static void RunIdlePhases(IMessageLink link, PeerProcess peer, IpcSettings s, IpcResults results, int rep, byte[] receive)
    {
        if (link is BlockingChannelLink blocking)
        {
            SessionLoop.Begin(peer, "echo");
            results.AddRoundTrips(IpcReport.IdleDefault, 64, rep, Measure.RoundTrips(link, 64, 10, s.IdleRoundTrips, s.IdleSleep, receive));
            peer.Expect("done");
            TimeSpan spin = blocking.ReceiveSpin;
            blocking.ReceiveSpin = TimeSpan.Zero;
            SessionLoop.Begin(peer, "echo");
            results.AddRoundTrips(IpcReport.IdleSpinZero, 64, rep, Measure.RoundTrips(link, 64, 10, s.IdleRoundTrips, s.IdleSleep, receive));
            peer.Expect("done");
            blocking.ReceiveSpin = spin;
        }
    }

    /// <summary><c>memshare-event</c>: SharedEvent ping-pong (auto-reset, default spin on both sides); no payload.</summary>
    private static void RunEventSession(IpcSettings s, IpcResults results, int rep)
    {
        string name = SessionLoop.NextName();
        using SharedEvent ping = SharedEvent.CreateOrOpen(name + ".ping");
        using SharedEvent pong = SharedEvent.CreateOrOpen(name + ".pong");
        using SharedEvent stop = SharedEvent.CreateOrOpen(name + ".stop", EventResetMode.ManualReset);
        using PeerProcess peer = PeerProcess.Start([IpcPeer.EventTransport, name]);
        peer.Expect("ready");
        SessionLoop.Begin(peer, "event");
        RoundTripStats rtt = Measure.EventRoundTrips(ping, pong, stop, s.SessionWarmup, s.RoundTrips);
        peer.Expect("done");
        results.AddRoundTrips(IpcPeer.EventTransport, 64, rep, rtt);
        peer.Quit();
    }
}
