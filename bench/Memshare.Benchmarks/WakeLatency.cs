using System.Diagnostics;
using System.Globalization;

namespace Memshare.Benchmarks;

/// <summary>
/// Cross-process wake-up latency of <see cref="SharedEvent"/>: ping-pong between this process and a child.
/// <c>dotnet run -c Release --project bench/Memshare.Benchmarks -- wake [--reps 7] [--count 20000]</c>.
/// Repetitions of the modes are interleaved and medians reported, because this VM's two vCPUs sometimes
/// share a physical core and single runs lie.
/// </summary>
internal static class WakeLatency
{
    private static readonly (string Mode, TimeSpan Spin)[] s_modes =
    [
        ("spin-then-sleep (default)", SharedEvent.DefaultSpinDuration),
        ("sleep only (spin 0)", TimeSpan.Zero),
    ];

    internal static int Run(string[] args)
    {
        int reps = Option(args, "--reps", 7);
        int count = Option(args, "--count", 20_000);
        var p50 = s_modes.Select(_ => new List<double>()).ToArray();
        var p99 = s_modes.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < reps; r++)
        {
            for (int m = 0; m < s_modes.Length; m++)
            {
                double[] rtt = PingPong(s_modes[m].Spin, count);
                p50[m].Add(rtt[rtt.Length / 2]);
                p99[m].Add(rtt[rtt.Length * 99 / 100]);
            }
        }

        Console.WriteLine($"SharedEvent ping-pong round trip between two processes ({count} round trips x {reps} interleaved repetitions; median [min-max] of the repetitions)");
        Console.WriteLine($"{"mode",-28} {"p50 us",24} {"p99 us",24}");
        for (int m = 0; m < s_modes.Length; m++)
        {
            Console.WriteLine($"{s_modes[m].Mode,-28} {Summary(p50[m]),24} {Summary(p99[m]),24}");
        }

        return 0;
    }

    /// <summary>The child side: answers every ping with a pong.</summary>
    internal static int Peer(string[] args)
    {
        string name = args[1];
        int count = int.Parse(args[2], CultureInfo.InvariantCulture);
        var spin = TimeSpan.FromTicks(long.Parse(args[3], CultureInfo.InvariantCulture));
        using var ping = SharedEvent.CreateOrOpen(name + ".ping");
        using var pong = SharedEvent.CreateOrOpen(name + ".pong");
        ping.SpinDuration = spin;
        Console.WriteLine("ready");
        for (int i = 0; i < count; i++)
        {
            if (!ping.Wait(TimeSpan.FromSeconds(10)))
            {
                return 1;
            }

            pong.Set();
        }

        return 0;
    }

    private static double[] PingPong(TimeSpan spin, int count)
    {
        string name = $"bench-wake-{Environment.ProcessId}";
        using var ping = SharedEvent.CreateOrOpen(name + ".ping");
        using var pong = SharedEvent.CreateOrOpen(name + ".pong");
        pong.SpinDuration = spin;
        using Process peer = StartSelf("wake-peer", name, count.ToString(CultureInfo.InvariantCulture), spin.Ticks.ToString(CultureInfo.InvariantCulture));
        _ = peer.StandardOutput.ReadLine();
        var rtt = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            ping.Set();
            if (!pong.Wait(TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException("the peer stopped answering");
            }

            rtt[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        peer.WaitForExit();
        Array.Sort(rtt);
        return rtt;
    }

    internal static Process StartSelf(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(WakeLatency).Assembly.Location);
        }

        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    private static string Summary(List<double> values)
    {
        values.Sort();
        return string.Create(CultureInfo.InvariantCulture, $"{values[values.Count / 2]:F2} [{values[0]:F2}-{values[^1]:F2}]");
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
