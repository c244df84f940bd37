using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Memshare.Benchmarks.Harness;
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

        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, SessionLoop.Interrupt);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, SessionLoop.Interrupt);
        var results = new IpcResults(settings.Reps);
        (string Name, Action<int> Run)[] sessions = [.. Sessions(settings, results)];
        var clock = Stopwatch.StartNew();
        if (!SessionLoop.RunInterleaved(sessions, settings.Policy, results, clock))
        {
            return 130;
        }

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
                yield return ($"sizes {name}", rep => LinkSession.Run(transport, s, ScaleSettings.Sizes, results, rep));
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

    /// <summary>This process writes 64 B messages to a back-pressure broadcast channel; <paramref name="readers"/> processes each check all of them.</summary>
    private static void RunBroadcastSession(int readers, bool blocking, ScaleSettings s, IpcResults results, int rep)
    {
        string name = SessionLoop.NextName();
        var options = new SharedChannelOptions { Mode = ChannelMode.Broadcast, MaxReaders = ScaleSettings.Counts.Max() };
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, options);
        using SharedChannelWriter writer = channel.CreateWriter();
        var peers = new List<PeerProcess>();
        try
        {
            StartPeers(peers, ScalePeer.Reader, name, readers, blocking);
            peers.ForEach(p => SessionLoop.Begin(p, string.Create(CultureInfo.InvariantCulture, $"consume {(int)s.FanWarmup.TotalMilliseconds}")));
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
        string name = SessionLoop.NextName();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Mode = ChannelMode.MultiProducer });
        using SharedChannelReader reader = channel.CreateReader();
        var peers = new List<PeerProcess>();
        try
        {
            StartPeers(peers, ScalePeer.Producer, name, producers, blocking);
            int ms = (int)(s.FanWarmup + s.FanDuration).TotalMilliseconds;
            peers.ForEach(p => SessionLoop.Begin(p, string.Create(CultureInfo.InvariantCulture, $"produce {ms}")));
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

    /// <summary>Starts <paramref name="count"/> <c>scale-peer</c> processes in <paramref name="role"/> on the channel, into <paramref name="peers"/> (so they are disposed even if one fails), and waits until each is ready.</summary>
    private static void StartPeers(List<PeerProcess> peers, string role, string channel, int count, bool blocking)
    {
        for (int i = 0; i < count; i++)
        {
            peers.Add(PeerProcess.Start([role, channel, i.ToString(CultureInfo.InvariantCulture), blocking ? "blocking" : "spin"], "scale-peer"));
        }

        peers.ForEach(p => p.Expect("ready"));
    }

    private static void AddFan(IpcResults results, string series, int n, int rep, double[] perProcess)
    {
        results.Add(series, n, PerMean, rep, perProcess.Average());
        results.Add(series, n, PerMin, rep, perProcess.Min());
        results.Add(series, n, PerMax, rep, perProcess.Max());
        results.Add(series, n, Aggregate, rep, perProcess.Sum());
    }
}
