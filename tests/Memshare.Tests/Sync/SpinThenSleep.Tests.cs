using Memshare.Sync;

namespace Memshare.Tests.Sync;

/// <summary>
/// The sleep schedule of the one blocking wait (<see cref="SpinThenSleep"/>): a waiter counts itself once per wait,
/// reads the word before every look, and sleeps at most 1 ms at a time until 1 ms has passed since it counted
/// itself, then at most 100 ms. A channel's publishes skip the full fence before reading the sleeper count, and
/// the short first sleeps are what still bound a racing publish's delay (docs/format.md, "Wake-ups").
/// </summary>
public sealed class SpinThenSleepTests
{
    [Fact]
    public void Wait_NeverMet_AnnouncesOnceAndSleepsShortOnlyInTheFirstMillisecond()
    {
        var wait = new Recorder(new List<(int Observed, int TimeoutMs, double SinceAnnounceMs)>());

        bool met = SpinThenSleep.Wait(ref wait, spinTicks: 0, timeoutMs: 250, null, null, CancellationToken.None);

        Assert.False(met);
        Assert.Equal(1, wait.Announced);
        Assert.Equal(1, wait.Withdrawn);
        Assert.True(wait.Sleeps.Count >= 3, $"{wait.Sleeps.Count} sleeps");
        Assert.Equal(wait.Sleeps.Count + 1, wait.Observed); // one read of the word before every look, the last one too
        Assert.Equal(SpinThenSleep.FirstSleepMilliseconds, wait.Sleeps[0].TimeoutMs);
        Assert.All(wait.Sleeps, s => Assert.True(s.TimeoutMs <= SpinThenSleep.RecheckMilliseconds, $"slept up to {s.TimeoutMs} ms"));
        Assert.All(wait.Sleeps.Where(s => s.SinceAnnounceMs < SpinThenSleep.FirstSleepMilliseconds),
            s => Assert.Equal(SpinThenSleep.FirstSleepMilliseconds, s.TimeoutMs));

        // Past the first millisecond the waiter sleeps long: it does not wake every millisecond for the whole wait.
        Assert.Contains(wait.Sleeps, s => s.TimeoutMs > 50);
        Assert.True(wait.Sleeps.Count < 20, $"{wait.Sleeps.Count} sleeps in 250 ms");
    }

    [Fact]
    public void Wait_MetAfterSeveralSleeps_WithdrawsOnce()
    {
        var wait = new Recorder(new List<(int Observed, int TimeoutMs, double SinceAnnounceMs)>()) { MetAfterSleeps = 3 };

        bool met = SpinThenSleep.Wait(ref wait, spinTicks: 0, timeoutMs: -1, null, null, CancellationToken.None);

        Assert.True(met);
        Assert.Equal(1, wait.Announced);
        Assert.Equal(1, wait.Withdrawn);
        Assert.Equal(3, wait.Sleeps.Count);
        Assert.Equal([7, 8, 9], wait.Sleeps.Select(s => s.Observed)); // each sleep expects the value read before its look
    }

    /// <summary>A wait whose condition is met after <see cref="MetAfterSleeps"/> sleeps; each sleep really sleeps.</summary>
    private struct Recorder(List<(int Observed, int TimeoutMs, double SinceAnnounceMs)> sleeps) : IWaitCondition, ISleep
    {
        private long _announcedAt;
        private int _word;

        public int MetAfterSleeps { get; init; } = int.MaxValue;

        public int Announced { get; private set; }

        public int Withdrawn { get; private set; }

        public int Observed { get; private set; }

        public readonly List<(int Observed, int TimeoutMs, double SinceAnnounceMs)> Sleeps => sleeps;

        public readonly bool IsMet() => Sleeps.Count >= MetAfterSleeps;

        public readonly bool IsFinished() => false;

        public void Announce()
        {
            Announced++;
            _announcedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _word = 7;
        }

        public int Observe()
        {
            Observed++;
            return _word;
        }

        public void Withdraw() => Withdrawn++;

        public void Sleep(int observed, int timeoutMs)
        {
            Sleeps.Add((observed, timeoutMs, System.Diagnostics.Stopwatch.GetElapsedTime(_announcedAt).TotalMilliseconds));
            _word++; // as if a waker bumped the word while we slept
            Thread.Sleep(timeoutMs);
        }
    }
}
