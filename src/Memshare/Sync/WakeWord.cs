namespace Memshare.Sync;

/// <summary>
/// The wait primitive in shared memory: a sequence word that wakers bump, the count of sleepers they check before
/// paying for a system call, and the <see cref="WaitChannel"/> that sleeps on the word. Waiters go through
/// <see cref="SpinThenSleep"/>; the protocol (announce once, then read the word, re-check, sleep on the value read)
/// is written there once.
/// </summary>
internal readonly unsafe struct WakeWord(WaitChannel channel, int* seq, int* waiters) : ISleep
{
    /// <summary>The word sleepers sleep on.</summary>
    internal int* Seq => seq;

    /// <summary>How many sleep on <see cref="Seq"/> (or are about to).</summary>
    internal int* Waiters => waiters;

    internal WaitChannel Channel => channel;

    public void Announce() => Interlocked.Increment(ref *waiters);

    public int Observe() => Volatile.Read(ref *seq);

    public void Withdraw() => Interlocked.Decrement(ref *waiters);

    public void Sleep(int observed, int timeoutMs) => channel.Wait(observed, timeoutMs);

    /// <summary>
    /// After the caller published its change with a full fence (an interlocked operation): wakes one sleeper, or all
    /// (<paramref name="all"/>), only if any is counted. Without sleepers, costs one read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WakeIfWaiting(bool all)
    {
        if (Volatile.Read(ref *waiters) > 0)
        {
            Wake(all);
        }
    }

    /// <summary>Bumps the word (a full fence that publishes the caller's change), then wakes as <see cref="WakeIfWaiting"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void BumpAndWake(bool all)
    {
        int bumped = Interlocked.Increment(ref *seq); // pairs with a waiter's announcement, then its re-check
        int count = Volatile.Read(ref *waiters);
        if (count > 0)
        {
            channel.Wake(bumped, all ? count : 1);
        }
    }

    /// <summary>Bumps the word and wakes every sleeper, counted or not: for a cancellation or a close that must cut sleeps short.</summary>
    internal void WakeAll() => channel.Wake(Interlocked.Increment(ref *seq), Math.Max(1, Volatile.Read(ref *waiters)));

    /// <summary>Bumps the word and wakes one sleeper, or every counted one: for a waker that already saw the count non-zero.</summary>
    internal void Wake(bool all)
    {
        int bumped = Interlocked.Increment(ref *seq);
        channel.Wake(bumped, all ? Math.Max(1, Volatile.Read(ref *waiters)) : 1);
    }
}
