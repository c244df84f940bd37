namespace Memshare.Benchmarks.Harness;

/// <summary>When a session counts as disturbed by other processes, and what happens then (see <see cref="SessionLoop"/>).</summary>
internal sealed record SessionPolicy
{
    /// <summary>
    /// The share of all CPUs other processes may use during a session before it is measured again: the spinning
    /// transports need both vCPUs. 5% is 1/10 of one of the two.
    /// </summary>
    public double MaxForeignCpu { get; init; } = 0.05;

    /// <summary>Attempts per session while other processes disturb it (the last is kept, flagged).</summary>
    public int SessionAttempts { get; init; } = 4;

    /// <summary>How long to wait for a quiet machine before measuring a disturbed session again.</summary>
    public TimeSpan QuietWait { get; init; } = TimeSpan.FromSeconds(30);
}
