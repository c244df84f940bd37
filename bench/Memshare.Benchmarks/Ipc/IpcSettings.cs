using System.Globalization;

namespace Memshare.Benchmarks.Ipc;

/// <summary>What one <c>ipc</c> run measures and for how long: the full run, or <c>--quick</c> (under a minute).</summary>
internal sealed record IpcSettings
{
    /// <summary>The message sizes measured, in bytes.</summary>
    internal static readonly int[] Sizes = [64, 1024, 65536];

    /// <summary>The largest message any link carries (the scale harness's size sweep goes up to 256 KiB).</summary>
    internal const int MaxMessage = 256 * 1024;

    /// <summary>How long a peer may go without answering before a wait gives up.</summary>
    internal static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(10);

    internal const string Usage = "usage: ipc [--quick] [--reps N] [--csv PATH] [--csv-detail PATH] [--only NAME,NAME...]";

    public bool Quick { get; init; }

    public string? CsvPath { get; init; }

    /// <summary>Where to write every figure (p90, p99.9, wake from idle, memcpy...) with its spread, for docs/perf.</summary>
    public string? DetailCsvPath { get; init; }

    /// <summary>When set, only these sessions run (transport names, or "memcpy"); for working on one transport.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    /// <summary>Interleaved repetitions of every transport.</summary>
    public int Reps { get; init; } = 7;

    /// <summary>Timed round trips per size, per repetition.</summary>
    public int RoundTrips { get; init; } = 20_000;

    /// <summary>Untimed round trips before each size's timed ones.</summary>
    public int RoundTripWarmup { get; init; } = 1_000;

    /// <summary>Untimed 64 B ping-pong at the start of each peer process, so both sides' code is fully compiled (tiered JIT).</summary>
    public TimeSpan SessionWarmup { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Streaming discarded before the throughput clock starts.</summary>
    public TimeSpan StreamWarmup { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Timed streaming per size, per repetition.</summary>
    public TimeSpan StreamDuration { get; init; } = TimeSpan.FromMilliseconds(750);

    /// <summary>Round trips of the wake-from-idle measurement, one per <see cref="IdleSleep"/>.</summary>
    public int IdleRoundTrips { get; init; } = 1_000;

    public TimeSpan IdleSleep { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The share of all CPUs other processes may use during a session before it is measured again: the spinning
    /// transports need both vCPUs. 5% is 1/10 of one of the two.
    /// </summary>
    public double MaxForeignCpu { get; init; } = 0.05;

    /// <summary>Attempts per session while other processes disturb it (the last is kept, flagged).</summary>
    public int SessionAttempts { get; init; } = 4;

    /// <summary>How long to wait for a quiet machine before measuring a disturbed session again.</summary>
    public TimeSpan QuietWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long each memcpy bandwidth measurement copies.</summary>
    public TimeSpan MemcpyDuration { get; init; } = TimeSpan.FromMilliseconds(250);

    internal static IpcSettings Parse(string[] args)
    {
        bool quick = args.Contains("--quick");
        var settings = quick
            ? new IpcSettings
            {
                Quick = true,
                Reps = 3,
                RoundTrips = 3_000,
                RoundTripWarmup = 300,
                SessionWarmup = TimeSpan.FromMilliseconds(150),
                StreamWarmup = TimeSpan.FromMilliseconds(50),
                StreamDuration = TimeSpan.FromMilliseconds(150),
                IdleRoundTrips = 200,
                MemcpyDuration = TimeSpan.FromMilliseconds(60),
                SessionAttempts = 1,
            }
            : new IpcSettings();

        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--reps":
                    int reps = i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out int r) ? r : 0;
                    if (reps is < 1 or > 1000)
                    {
                        throw new ArgumentException($"--reps needs a count from 1 to 1000. {Usage}");
                    }

                    settings = settings with { Reps = reps };
                    break;
                case "--csv":
                    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"--csv needs a file path. {Usage}");
                    }

                    settings = settings with { CsvPath = args[++i] };
                    break;
                case "--csv-detail":
                    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"--csv-detail needs a file path. {Usage}");
                    }

                    settings = settings with { DetailCsvPath = args[++i] };
                    break;
                case "--only":
                    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"--only needs a comma-separated list of transports. {Usage}");
                    }

                    settings = settings with { Only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() };
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'. {Usage}");
            }
        }

        return settings;
    }
}
