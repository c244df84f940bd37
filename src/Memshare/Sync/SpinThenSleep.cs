using System.Diagnostics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Memshare.Sync;

/// <summary>What a blocking wait waits for; a struct, so that <see cref="SpinThenSleep"/> is specialised per caller and allocates nothing.</summary>
internal interface IWaitCondition
{
    /// <summary>Whether the wait is over with success. Called on every spin, so it must be cheap and touch only the lines the peer hands over.</summary>
    bool IsMet();

    /// <summary>Whether the wait is over without success (say, a channel completed and drained). Called before each sleep and now and then while spinning; may throw (disposed).</summary>
    bool IsFinished();
}

/// <summary>How a waiter sleeps once its spin is over: on a word (<see cref="WakeWord"/>), or by time where nobody wakes it (<see cref="RobustLock"/>).</summary>
internal interface ISleep
{
    /// <summary>Counts the sleeper, once per wait, before the condition's last checks begin (on a word, a full fence).</summary>
    void Announce();

    /// <summary>Reads what <see cref="Sleep"/> needs (the word's value), before each last check of the condition.</summary>
    int Observe();

    /// <summary>Takes back <see cref="Announce"/>; called once, whatever happened between.</summary>
    void Withdraw();

    /// <summary>Sleeps at most <paramref name="timeoutMs"/>, or until the word moves on from <paramref name="observed"/>; may return early.</summary>
    void Sleep(int observed, int timeoutMs);
}

/// <summary>
/// The wait every blocking call shares: spin a while, so a peer that answers within microseconds never pays for
/// a kernel wake-up, then sleep with the announce-then-check protocol (see <see cref="WaitChannel"/>), never longer
/// than <see cref="RecheckMilliseconds"/> at a time, and never before a look that started at least
/// <see cref="RaceWindowMicroseconds"/> after announcing found nothing.
/// </summary>
internal static unsafe class SpinThenSleep
{
    /// <summary>The longest a sleeper goes without re-checking, so a waker killed between its change and its wake-up strands nobody for long.</summary>
    internal const int RecheckMilliseconds = 100;

    /// <summary>
    /// How long a waiter keeps looking, without sleeping, after it announces itself. A channel's writer and reader
    /// publish with a plain release store and then read the sleeper count without a full fence (a fence on every
    /// message cost up to 15% of a 64 B stream), so a publish racing the announcement may read "nobody asleep" while
    /// its store still sits in its CPU's store buffer, where the waiter's first look cannot see it. A store buffer
    /// drains in well under a microsecond while its core runs (a few dozen entries, each at most a cache miss), and
    /// at once on an interrupt or a switch, so looks for this long find such a store; any publish that reads the
    /// count after the announcement wakes the sleeper itself. The waiter yields between these looks. A 1 ms first sleep was
    /// tried instead and nearly doubled the wake from idle with <c>SpinDuration</c> 0 (17 -> 31 us; why was not
    /// pinned down), as did pausing instead of yielding (33 us: a peer just woken onto this CPU waits out the
    /// window). The waiter stays counted until the wait ends, so the window comes once per wait.
    /// </summary>
    internal const int RaceWindowMicroseconds = 20;

    private static readonly long s_raceWindowTicks = RaceWindowMicroseconds * Stopwatch.Frequency / 1_000_000;

    /// <summary>
    /// Whether a look that started at <paramref name="look"/> began inside the race window of a waiter announced at
    /// <paramref name="announced"/> (both <see cref="Stopwatch"/> timestamps): if so, a failed look may not end in a
    /// long sleep.
    /// </summary>
    internal static bool InRaceWindow(long announced, long look) => look - announced < s_raceWindowTicks;

    /// <summary>The default spin of every blocking wait: long enough to cover a peer's reply on a busy machine.</summary>
    internal static readonly TimeSpan DefaultSpin = TimeSpan.FromMicroseconds(50);

    [ThreadStatic]
    private static long t_lastWake;

    /// <summary>
    /// Records that this thread just woke a sleeper. The kernel often puts the woken process on the waker's CPU; if
    /// the waker then spins waiting for its answer, the answer waits for the waker's next yield.
    /// </summary>
    internal static void NoteWake() => t_lastWake = Stopwatch.GetTimestamp();

    /// <summary>A spin duration in <see cref="Stopwatch"/> ticks, checked: the setter of every <c>SpinDuration</c> property.</summary>
    internal static long ToSpinTicks(TimeSpan spin)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spin, TimeSpan.Zero);
        return (long)(spin.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The getter of every <c>SpinDuration</c> property.</summary>
    internal static TimeSpan FromSpinTicks(long ticks) => TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);

    /// <summary>
    /// One CPU pause between polls. Not <see cref="Thread.SpinWait"/>: the runtime stretches its iteration to at least
    /// ~37 ns of pauses, and polling that much less often made a blocking round trip ~30 ns slower here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Pause()
    {
        if (X86Base.IsSupported)
        {
            X86Base.Pause();
        }
        else if (ArmBase.IsSupported)
        {
            ArmBase.Yield();
        }
        else
        {
            Thread.SpinWait(1);
        }
    }

    /// <summary>
    /// Waits until <paramref name="wait"/> is met (true), finished or timed out (false); throws
    /// <see cref="OperationCanceledException"/> when cancelled. <paramref name="wakeAll"/> (if any) is registered on
    /// <paramref name="cancellationToken"/> to cut a sleep short; without it a sleep must be short by itself. While
    /// spinning, the waiter makes <paramref name="pausesPerLook"/> CPU pauses between looks at the condition.
    /// </summary>
    internal static bool Wait<T>(ref T wait, long spinTicks, long timeoutMs, Action<object?>? wakeAll, object? wakeState,
        CancellationToken cancellationToken, int pausesPerLook = 1)
        where T : struct, IWaitCondition, ISleep
    {
        long start = Stopwatch.GetTimestamp();
        if (timeoutMs >= 0)
        {
            spinTicks = Math.Min(spinTicks, timeoutMs * Stopwatch.Frequency / 1000);
        }

        // Having just woken a peer, give it this CPU at once rather than after the first 32 polls.
        int yieldAt = start - t_lastWake < spinTicks ? 0 : 31;

        // Check on every pause and read the clock only now and then: a coarse step would add its own length to
        // every hand-off.
        for (int i = 0; spinTicks > 0 && ((i & 31) != 31 || Stopwatch.GetTimestamp() - start < spinTicks); i++)
        {
            if (wait.IsMet())
            {
                return true;
            }

            if ((i & 31) == 31 || i == yieldAt)
            {
                // A long spin (a SpinDuration of seconds) still ends promptly when cancelled, disposed or finished.
                cancellationToken.ThrowIfCancellationRequested();
                if (wait.IsFinished())
                {
                    return false;
                }

                // Let a peer the kernel woke onto this CPU run: spinning over it would make it wait out our spin.
                Thread.Yield();
            }
            else
            {
                for (int p = 0; p < pausesPerLook; p++)
                {
                    Pause();
                }
            }
        }

        using CancellationTokenRegistration registration = wakeAll is not null && cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(wakeAll, wakeState)
            : default;
        wait.Announce(); // full fence: pairs with the waker's change, then its read of the count
        long announced = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                long look = Stopwatch.GetTimestamp(); // a look that starts after the window sees any publish that raced the announcement
                int observed = wait.Observe(); // before the check: a wake after it changes the word, and the sleep returns
                if (wait.IsMet())
                {
                    return true;
                }

                if (wait.IsFinished())
                {
                    return false;
                }

                cancellationToken.ThrowIfCancellationRequested();
                long remaining = timeoutMs < 0 ? -1 : Math.Max(0, timeoutMs - (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (remaining == 0)
                {
                    return false;
                }

                if (InRaceWindow(announced, look))
                {
                    // A publish that raced the announcement may not be visible yet. Yield rather than pause: a peer
                    // we just woke is often put on this CPU, and would wait out the window (wake from idle +15 us).
                    Thread.Yield();
                    continue;
                }

                wait.Sleep(observed, (int)(remaining < 0 ? RecheckMilliseconds : Math.Min(remaining, RecheckMilliseconds)));
            }
        }
        finally
        {
            wait.Withdraw();
        }
    }
}
