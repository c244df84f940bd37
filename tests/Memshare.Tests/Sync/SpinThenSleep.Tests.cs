using System.Diagnostics;
using Memshare.Sync;

namespace Memshare.Tests.Sync;

/// <summary>
/// The one blocking wait (<see cref="SpinThenSleep"/>) once its spin is over: a waiter counts itself once per wait,
/// reads the word before every look, keeps looking without sleeping for <see cref="SpinThenSleep.RaceWindowMicroseconds"/>
/// after counting itself, then sleeps at most 100 ms at a time. A channel's publishes skip the full fence before
/// reading the sleeper count; the looks in that window are what still find a publish that raced the announcement
/// (docs/format.md, "Wake-ups").
/// </summary>
public sealed class SpinThenSleepTests
{
    private static readonly double RaceWindowMs = SpinThenSleep.RaceWindowMicroseconds / 1000.0;

    [Fact]
    public void Wait_NeverMet_AnnouncesOnceAndSleepsOnlyAfterTheRaceWindow()
    {
        var wait = new Recorder();

        bool met = SpinThenSleep.Wait(ref wait, spinTicks: 0, timeoutMs: 250, null, null, CancellationToken.None);

        Assert.False(met);
        Assert.Equal((1, 1), (wait.Announced, wait.Withdrawn));
        Assert.NotEmpty(wait.Sleeps);
        Assert.All(wait.Sleeps, s => Assert.True(s.SinceAnnounceMs >= RaceWindowMs, $"slept {s.SinceAnnounceMs:F4} ms after announcing"));
        Assert.All(wait.Sleeps, s => Assert.InRange(s.TimeoutMs, 1, SpinThenSleep.RecheckMilliseconds));

        // Until then it only looked (a publish that raced the announcement is found there); after it, it sleeps
        // long: a wait of 250 ms is a few sleeps of up to 100 ms, not a busy loop or a string of short timed sleeps
        // (the first sleep is shorter than 100 ms only if the machine stalled this thread for over 150 ms).
        Assert.True(wait.Sleeps[0].TimeoutMs > 50, $"first sleep {wait.Sleeps[0].TimeoutMs} ms");
        Assert.InRange(wait.Sleeps.Count, 1, 4);
    }

    [Fact]
    public void Wait_MetAfterSeveralSleeps_SleepsOnTheValueReadBeforeEachLook()
    {
        var wait = new Recorder { MetAfterSleeps = 3 };

        bool met = SpinThenSleep.Wait(ref wait, spinTicks: 0, timeoutMs: -1, null, null, CancellationToken.None);

        Assert.True(met);
        Assert.Equal((1, 1), (wait.Announced, wait.Withdrawn));
        Assert.Equal([7, 8, 9], wait.Sleeps.Select(s => s.Observed)); // the word moves on while each sleep lasts
    }

    /// <summary>A wait met after <see cref="MetAfterSleeps"/> sleeps; each sleep really sleeps.</summary>
    private struct Recorder() : IWaitCondition, ISleep
    {
        private long _announcedAt;
        private int _word;

        public int MetAfterSleeps { get; init; } = int.MaxValue;

        public int Announced { get; private set; }

        public int Withdrawn { get; private set; }

        public int Observed { get; private set; }

        public List<(int Observed, int TimeoutMs, double SinceAnnounceMs)> Sleeps { get; } = [];

        public readonly bool IsMet() => Sleeps.Count >= MetAfterSleeps;

        public readonly bool IsFinished() => false;

        public void Announce()
        {
            Announced++;
            _announcedAt = Stopwatch.GetTimestamp();
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
            Sleeps.Add((observed, timeoutMs, Stopwatch.GetElapsedTime(_announcedAt).TotalMilliseconds));
            _word++;
            Thread.Sleep(timeoutMs);
        }
    }
}
