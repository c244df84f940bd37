using System.Diagnostics;

namespace Memshare.Sync;

/// <summary>
/// A writer lock on a 64-bit word in shared memory that survives its owner's death: the word holds the
/// owner's <see cref="OwnerToken"/>, and a waiter that finds the owner dead takes the lock over and is told so.
/// Uncontended, acquire and release are one interlocked operation and one store. <see cref="SharedLock"/> is this
/// lock plus a word to sleep on; values, strings and the channel's roles use it bare.
/// </summary>
/// <remarks>
/// Not re-entrant, and owned by the process rather than the thread: a thread that dies holding it inside a live
/// process leaves it held until the process exits. Holders keep it only for a copy of the payload.
/// </remarks>
internal static unsafe class RobustLock
{
    /// <summary>How long a waiter polls before it only yields; also how long a new owner may hold the lock before it is suspected dead.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    /// <summary>How long a waiter yields before it sleeps between polls: holders keep the lock for a copy, so a longer wait means a slow or dead owner.</summary>
    private static readonly long YieldTicks = Stopwatch.Frequency / 1_000; // 1 ms

    /// <summary>How often a waiter re-checks that an owner it already found alive still is (reading /proc is slow).</summary>
    private static readonly long LivenessTicks = Stopwatch.Frequency / 10; // 100 ms

    /// <summary>Acquires the lock; returns true if it was taken over from a dead owner.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Acquire(ref ulong word, string name, int timeoutMs = Timeout.Infinite)
    {
        if (TryTakeFree(ref word))
        {
            return false;
        }

        return AcquireSlow((ulong*)Unsafe.AsPointer(ref word), name, timeoutMs); // the word is in a mapping: it never moves
    }

    /// <summary>Takes the lock if it is free right now: the fast path of every acquirer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryTakeFree(ref ulong word) => Interlocked.CompareExchange(ref word, OwnerToken.Current, 0) == 0;

    /// <summary>
    /// Takes the word without waiting: from 0, or from a dead owner (<paramref name="recovered"/>). False if a live
    /// process, or this one, holds it; <paramref name="owner"/> then names the holder. For roles (a channel's writer,
    /// a reader index) that are held for a long time, where waiting would be wrong.
    /// </summary>
    internal static bool TryClaim(ref ulong word, out ulong owner, out bool recovered)
    {
        var taker = new LockTaker((ulong*)Unsafe.AsPointer(ref word), graceTicks: 0, intervalTicks: 0);
        bool taken = taker.TryTake(suspectOwner: true);
        owner = taken ? 0 : taker.Owner != 0 ? taker.Owner : Volatile.Read(ref word);
        recovered = taker.Recovered;
        return taken;
    }

    /// <summary>Releases the lock with a release store, which orders the protected writes before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Release(ref ulong word) => Volatile.Write(ref word, 0);

    /// <summary>Releases the lock if this process holds it (a full fence); false if it does not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryRelease(ref ulong word) => Interlocked.CompareExchange(ref word, 0, OwnerToken.Current) == OwnerToken.Current;

    /// <summary>Whether <paramref name="owner"/> may be taken over: not this process, and no longer running.</summary>
    internal static bool IsDead(ulong owner) => owner != OwnerToken.Current && !OwnerToken.IsAlive(owner);

    private static bool AcquireSlow(ulong* word, string name, int timeoutMs)
    {
        var wait = new Backoff(new LockTaker(word, SpinTicks, LivenessTicks));
        if (SpinThenSleep.Wait(ref wait, SpinTicks, timeoutMs, null, null, CancellationToken.None))
        {
            return wait.Taker.Recovered;
        }

        ulong owner = Volatile.Read(ref *word);
        throw new TimeoutException(SR.Format(SR.LockTimeout, name, timeoutMs, OwnerToken.Pid(owner != 0 ? owner : wait.Taker.Owner)));
    }

    /// <summary>
    /// The robust lock's wait: its word has no sleeper count, so nobody wakes it; it yields while the holders make
    /// progress and then sleeps a millisecond at a time.
    /// </summary>
    private struct Backoff(LockTaker taker) : IWaitCondition, ISleep
    {
        private LockTaker _taker = taker;
        private long _sleepingSince;

        internal readonly LockTaker Taker => _taker;

        public bool IsMet() => _taker.TryTake(suspectOwner: _sleepingSince != 0);

        public readonly bool IsFinished() => false;

        public void Announce() => _sleepingSince = Stopwatch.GetTimestamp();

        public readonly int Observe() => 0;

        public readonly void Withdraw()
        {
        }

        public readonly void Sleep(int observed, int timeoutMs)
        {
            if (Stopwatch.GetTimestamp() - Math.Max(_sleepingSince, _taker.LastFree) < YieldTicks)
            {
                // Also lets an owner that shares this CPU finish its copy and release.
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }
}
