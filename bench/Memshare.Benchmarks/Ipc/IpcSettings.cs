using Memshare.Benchmarks.Harness;

namespace Memshare.Benchmarks.Ipc;

/// <summary>What one <c>ipc</c> run measures and for how long: the full run, or <c>--quick</c> (under a minute).</summary>
internal sealed record IpcSettings : HarnessSettings, ILinkSettings
{
    /// <summary>The message sizes measured, in bytes.</summary>
    internal static readonly int[] Sizes = [64, 1024, 65536];

    /// <summary>The largest message any link carries (the scale harness's size sweep goes up to 256 KiB).</summary>
    internal const int MaxMessage = 256 * 1024;

    /// <summary>How long a peer may go without answering before a wait gives up.</summary>
    internal static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(10);

    internal const string Usage = "usage: ipc [--quick] [--reps N] [--csv PATH] [--csv-detail PATH] [--only NAME,NAME...]";

    /// <summary>Where to write every figure (p90, p99.9, wake from idle, memcpy...) with its spread, for docs/perf.</summary>
    public string? DetailCsvPath { get; init; }

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

    /// <summary>How long each memcpy bandwidth measurement copies.</summary>
    public TimeSpan MemcpyDuration { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Reads the options; <see cref="HarnessSettings.Only"/> holds transport names, or "memcpy", checked when the sessions are known.</summary>
    internal static IpcSettings Parse(string[] args)
    {
        IpcSettings settings = args.Contains("--quick")
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
                Policy = new SessionPolicy { SessionAttempts = 1 },
            }
            : new IpcSettings();
        return Parse(args, settings, Usage, static (s, options) => options.Current switch
        {
            "--csv-detail" => s with { DetailCsvPath = options.Value("a file path") },
            "--only" => s with { Only = options.Names("a comma-separated list of transports") },
            _ => null,
        });
    }
}
