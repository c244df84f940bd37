using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Memshare.Benchmarks.Ipc;
using Memshare.Benchmarks.Reporting;

namespace Memshare.Benchmarks.Scale;

/// <summary>
/// <c>scale [--quick] [--reps N] [--csv PATH] [--only sizes,broadcast,producers]</c>: how the channel scales, between
/// real processes, with the discipline of the ipc harness (interleaved repetitions, medians, spread, disturbed
/// sessions measured again, bounded waits, peers killed on overrun, nothing left in /dev/shm):
/// <list type="bullet">
/// <item>message size, 16 B to 256 KiB: round trips and one-way throughput of memshare, memshare-blocking and uds;</item>
/// <item>broadcast readers 1, 2, 4: one writer (this process), N reader processes, back-pressure, spinning or blocking;</item>
/// <item>producers 1, 2, 4: N writer processes into one multi-producer channel read by this process.</item>
/// </list>
/// </summary>
internal static class ScaleBenchmark
{
    /// <summary>The transports of the size sweep.</summary>
    internal static readonly string[] SizeTransports = ["memshare", "memshare-blocking", "uds"];

    internal const string PerMean = "per_mean";
    internal const string PerMin = "per_min";
    internal const string PerMax = "per_max";
    internal const string Aggregate = "aggregate";

    internal static int Run(string[] args)
    {
        ScaleSettings settings;
        try
        {
            settings = ScaleSettings.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("The scale harness runs on Linux only, like ipc.");
            return 2;
        }

        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, IpcBenchmark.Interrupt);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, IpcBenchmark.Interrupt);
        var results = new IpcResults(settings.Reps);
        (string Name, Action<int> Run)[] sessions = [.. Sessions(settings, results)];
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
                    IpcBenchmark.RunSession(name, run, rep, settings.Policy, results);
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
        catch (Exception) when (IpcBenchmark.Interrupted)
#pragma warning restore CA1031
        {
            IpcBenchmark.CheckCleanup(results);
            Console.Error.WriteLine("Interrupted: peers stopped, shared memory and temporary files removed; no report.");
            return 130;
        }

        IpcBenchmark.CheckCleanup(results);
        ScaleReport.Print(Console.Out, results, settings, clock.Elapsed);
        if (settings.CsvPath is not null)
        {
            DetailCsv.Write(settings.CsvPath, results, "scale", settings.Quick);
            Console.WriteLine($"CSV written to {Path.GetFullPath(settings.CsvPath)}");
        }

        return results.Failures.Count == 0 ? 0 : 1;
    }

    internal static string Series(string group, bool blocking) => group + (blocking ? "-blocking" : "-spin");

    private static IEnumerable<(string, Action<int>)> Sessions(ScaleSettings s, IpcResults results)
    {
        bool Wanted(string group) => s.Only is null || s.Only.Contains(group);
        if (Wanted("sizes"))
        {
            foreach (string name in SizeTransports)
            {
                Transport transport = Transport.Find(name);
                yield return ($"sizes {name}", rep => RunSizeSession(transport, s, results, rep));
            }
        }

        foreach (bool blocking in new[] { false, true })
        {
            foreach (int n in ScaleSettings.Counts)
            {
                if (Wanted("broadcast"))
                {
                    yield return ($"{Series("broadcast", blocking)} x{n}", rep => RunBroadcastSession(n, blocking, s, results, rep));
                }

                if (Wanted("producers"))
                {
                    yield return ($"{Series("producers", blocking)} x{n}", rep => RunProducersSession(n, blocking, s, results, rep));
                }
            }
        }
    }

    /// <summary>One ipc peer: warm-up, then round trips at every size, then streams at every size.</summary>
    private static void RunSizeSession(Transport transport, ScaleSettings s, IpcResults results, int rep)
    {
        var receive = new byte[IpcSettings.MaxMessage];
        using Endpoint endpoint = transport.Listen(IpcBenchmark.NextName());
        using PeerProcess peer = PeerProcess.Start([transport.Name, .. endpoint.PeerArgs]);
        IMessageLink? link = null;
        try
        {
            endpoint.PeerStarted();
            peer.Expect("ready");
            link = endpoint.Accept(IpcSettings.StallLimit);
            IpcBenchmark.Begin(peer, "echo");
            Measure.WarmUp(link, s.SessionWarmup, receive);
            peer.Expect("done");
            foreach (int size in ScaleSettings.Sizes)
            {
                IpcBenchmark.Begin(peer, "echo");
                RoundTripStats rtt = Measure.RoundTrips(link, size, s.RoundTripWarmup, s.RoundTrips, TimeSpan.Zero, receive);
                peer.Expect("done");
                results.AddRoundTrips(transport.Name, size, rep, rtt);
            }

            foreach (int size in ScaleSettings.Sizes)
            {
                int ms = (int)(s.StreamWarmup + s.StreamDuration).TotalMilliseconds;
                IpcBenchmark.Begin(peer, string.Create(CultureInfo.InvariantCulture, $"stream {size} {ms}"));
                double rate = Measure.Consume(link, size, s.StreamWarmup, receive);
                peer.Expect("done");
                results.Add(transport.Name, size, IpcResults.MessagesPerSecond, rep, rate);
            }

            peer.Quit();
        }
        finally
        {
            // The peer goes first, so this process holds the last handle and its Dispose removes the shared memory.
            peer.Dispose();
            link?.Dispose();
        }
    }

    /// <summary>This process writes 64 B messages to a back-pressure broadcast channel; <paramref name="readers"/> processes each check all of them.</summary>
    private static void RunBroadcastSession(int readers, bool blocking, ScaleSettings s, IpcResults results, int rep)
    {
        string name = IpcBenchmark.NextName();
        var options = new SharedChannelOptions { Mode = ChannelMode.Broadcast, MaxReaders = ScaleSettings.Counts.Max() };
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, options);
        using SharedChannelWriter writer = channel.CreateWriter();
        var peers = new List<PeerProcess>();
        try
        {
            for (int i = 0; i < readers; i++)
            {
                peers.Add(PeerProcess.Start([ScalePeer.Reader, name, i.ToString(CultureInfo.InvariantCulture), blocking ? "blocking" : "spin"], "scale-peer"));
            }

            peers.ForEach(p => p.Expect("ready"));
            peers.ForEach(p => IpcBenchmark.Begin(p, string.Create(CultureInfo.InvariantCulture, $"consume {(int)s.FanWarmup.TotalMilliseconds}")));
            IpcPeer.Stream(new ChannelEnd(writer, blocking), ScaleSettings.FanMessage, s.FanWarmup + s.FanDuration);
            double[] rates = [.. peers.Select(p => double.Parse(p.ExpectValue("done"), CultureInfo.InvariantCulture))];
            AddFan(results, Series("broadcast", blocking), readers, rep, rates);
            peers.ForEach(p => p.Quit());
        }
        finally
        {
            peers.ForEach(p => p.Dispose());
        }
    }

    /// <summary><paramref name="producers"/> processes write 64 B messages to one multi-producer channel; this process reads and checks them.</summary>
    private static void RunProducersSession(int producers, bool blocking, ScaleSettings s, IpcResults results, int rep)
    {
        string name = IpcBenchmark.NextName();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Mode = ChannelMode.MultiProducer });
        using SharedChannelReader reader = channel.CreateReader();
        var peers = new List<PeerProcess>();
        try
        {
            for (int i = 0; i < producers; i++)
            {
                peers.Add(PeerProcess.Start([ScalePeer.Producer, name, i.ToString(CultureInfo.InvariantCulture), blocking ? "blocking" : "spin"], "scale-peer"));
            }

            peers.ForEach(p => p.Expect("ready"));
            int ms = (int)(s.FanWarmup + s.FanDuration).TotalMilliseconds;
            peers.ForEach(p => IpcBenchmark.Begin(p, string.Create(CultureInfo.InvariantCulture, $"produce {ms}")));
            MergedRates rates = MergedStream.Consume(new ChannelEnd(reader, blocking), producers, s.FanWarmup, new byte[IpcSettings.MaxMessage]);
            peers.ForEach(p => p.Expect("done"));
            AddFan(results, Series("producers", blocking), producers, rep, rates.PerProducer);
            peers.ForEach(p => p.Quit());
        }
        finally
        {
            peers.ForEach(p => p.Dispose());
        }
    }

    private static void AddFan(IpcResults results, string series, int n, int rep, double[] perProcess)
    {
        results.Add(series, n, PerMean, rep, perProcess.Average());
        results.Add(series, n, PerMin, rep, perProcess.Min());
        results.Add(series, n, PerMax, rep, perProcess.Max());
        results.Add(series, n, Aggregate, rep, perProcess.Sum());
    }
}
