using Memshare.Benchmarks.Harness;
using Memshare.Benchmarks.Ipc;

namespace Memshare.Benchmarks.Scale;

/// <summary>What one <c>scale</c> run measures and for how long: the full run, or <c>--quick</c> (under a minute).</summary>
internal sealed record ScaleSettings : HarnessSettings, ILinkSettings
{
    internal const string Usage = "usage: scale [--quick] [--reps N] [--attempts N] [--csv PATH] [--only sizes,broadcast,producers]";

    /// <summary>The message-size sweep: powers of 4 from 16 B to 256 KiB.</summary>
    internal static readonly int[] Sizes = [16, 64, 256, 1024, 4096, 16384, 65536, 262144];

    /// <summary>Broadcast readers and multi-producer writers: one process each.</summary>
    internal static readonly int[] Counts = [1, 2, 4];

    /// <summary>The message size of the broadcast and producer measurements.</summary>
    internal const int FanMessage = 64;

    /// <summary>The groups <c>--only</c> chooses from.</summary>
    internal static readonly string[] Groups = ["sizes", "broadcast", "producers"];

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

    internal static ScaleSettings Parse(string[] args)
    {
        ScaleSettings settings = args.Contains("--quick")
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
                Policy = new SessionPolicy { SessionAttempts = 1 },
            }
            : new ScaleSettings();
        return Parse(args, settings, Usage, static (s, options) => options.Current switch
        {
            // 1 keeps every session however busy the machine was (flagged): for a shared machine, not for quoting.
            "--attempts" => s with { Policy = s.Policy with { SessionAttempts = options.Count(100) } },
            "--only" => s with { Only = options.Names("a comma-separated list", Groups) },
            _ => null,
        });
    }
}
