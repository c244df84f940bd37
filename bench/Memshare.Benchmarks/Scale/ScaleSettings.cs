using System.Globalization;
using Memshare.Benchmarks.Ipc;

namespace Memshare.Benchmarks.Scale;

/// <summary>What one <c>scale</c> run measures and for how long: the full run, or <c>--quick</c> (under a minute).</summary>
internal sealed record ScaleSettings
{
    internal const string Usage = "usage: scale [--quick] [--reps N] [--attempts N] [--csv PATH] [--only sizes,broadcast,producers]";

    /// <summary>The message-size sweep: powers of 4 from 16 B to 256 KiB.</summary>
    internal static readonly int[] Sizes = [16, 64, 256, 1024, 4096, 16384, 65536, 262144];

    /// <summary>Broadcast readers and multi-producer writers: one process each.</summary>
    internal static readonly int[] Counts = [1, 2, 4];

    /// <summary>The message size of the broadcast and producer measurements.</summary>
    internal const int FanMessage = 64;

    public bool Quick { get; init; }

    public int Reps { get; init; } = 7;

    public string? CsvPath { get; init; }

    /// <summary>When set, only these groups run (sizes, broadcast, producers).</summary>
    public IReadOnlySet<string>? Only { get; init; }

    /// <summary>Timed round trips per size, per repetition (fewer than ipc's: eight sizes, and uds takes ~50 µs each).</summary>
    public int RoundTrips { get; init; } = 10_000;

    public int RoundTripWarmup { get; init; } = 500;

    /// <summary>Untimed 64 B ping-pong at the start of each size-sweep peer, so both sides' code is fully compiled.</summary>
    public TimeSpan SessionWarmup { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Streaming discarded before a size's throughput clock starts (the peer is warm from the session's ping-pong).</summary>
    public TimeSpan StreamWarmup { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// The same for the broadcast and producers measurements. Not shortened by --quick: their readers and producers
    /// are fresh processes whose code tiers up during it.
    /// </summary>
    public TimeSpan FanWarmup { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Timed streaming per size of the sweep.</summary>
    public TimeSpan StreamDuration { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Timed streaming of one broadcast or producers measurement.</summary>
    public TimeSpan FanDuration { get; init; } = TimeSpan.FromMilliseconds(750);

    /// <summary>The session discipline shared with ipc: the busy-machine limit and how often a disturbed session is retried.</summary>
    public IpcSettings Policy { get; init; } = new();

    internal static ScaleSettings Parse(string[] args)
    {
        bool quick = args.Contains("--quick");
        var settings = quick
            ? new ScaleSettings
            {
                Quick = true,
                Reps = 3,
                RoundTrips = 1_000,
                RoundTripWarmup = 100,
                SessionWarmup = TimeSpan.FromMilliseconds(100),
                StreamWarmup = TimeSpan.FromMilliseconds(50),
                StreamDuration = TimeSpan.FromMilliseconds(100),
                FanDuration = TimeSpan.FromMilliseconds(150),
                Policy = new IpcSettings { Quick = true, SessionAttempts = 1 },
            }
            : new ScaleSettings();

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
                case "--attempts":
                    // 1 keeps every session however busy the machine was (flagged): for a shared machine, not for quoting.
                    int attempts = i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out int t) ? t : 0;
                    if (attempts is < 1 or > 100)
                    {
                        throw new ArgumentException($"--attempts needs a count from 1 to 100. {Usage}");
                    }

                    settings = settings with { Policy = settings.Policy with { SessionAttempts = attempts } };
                    break;
                case "--csv":
                    settings = settings with { CsvPath = Value(args, ref i, "a file path") };
                    break;
                case "--only":
                    string[] groups = Value(args, ref i, "a comma-separated list").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    string[] unknown = [.. groups.Where(g => g is not ("sizes" or "broadcast" or "producers"))];
                    if (unknown.Length > 0)
                    {
                        throw new ArgumentException($"--only: unknown '{string.Join("', '", unknown)}'; choose from sizes, broadcast, producers. {Usage}");
                    }

                    settings = settings with { Only = groups.ToHashSet() };
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'. {Usage}");
            }
        }

        return settings with { Policy = settings.Policy with { Reps = settings.Reps } };
    }

    private static string Value(string[] args, ref int i, string what)
    {
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{args[i]} needs {what}. {Usage}");
        }

        return args[++i];
    }
}
