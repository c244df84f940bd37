using System.Diagnostics;

namespace Memshare.Sync;

/// <summary>
/// A writer lock on a 64-bit word in shared memory that survives its owner's death: the word holds the
/// owner's <see cref="OwnerToken"/>, and a waiter that finds the owner dead takes the lock over and is told so.
/// Uncontended, acquire and release are one interlocked operation and one store.
/// </summary>
/// <remarks>
/// Not re-entrant, and owned by the process rather than the thread: a thread that dies holding it inside a live
/// process leaves it held until the process exits. Holders keep it only for a copy of the payload.
/// </remarks>
internal static class RobustLock
{
    /// <summary>How long a waiter polls with CPU pauses (yielding now and then) before it only yields.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    /// <summary>How long a waiter yields before it sleeps between polls: holders keep the lock for a copy, so a longer wait means a slow or dead owner.</summary>
    private static readonly long YieldTicks = Stopwatch.Frequency / 1_000; // 1 ms

    /// <summary>How often a waiter re-checks that an owner it already found alive still is (reading /proc is slow).</summary>
    private static readonly long LivenessTicks = Stopwatch.Frequency / 10; // 100 ms

    /// <summary>Acquires the lock; returns true if it was taken over from a dead owner.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Acquire(ref ulong word, string name, int timeoutMs = Timeout.Infinite)
    {
        if (Interlocked.CompareExchange(ref word, OwnerToken.Current, 0) == 0)
        {
            return false;
        }

        return AcquireSlow(ref word, name, timeoutMs);
    }

    /// <summary>
    /// Takes the word without waiting: from 0, or from a dead owner (<paramref name="recovered"/>). False if a live
    /// process, or this one, holds it; <paramref name="owner"/> then names the holder. For roles (a channel's writer,
    /// a reader index) that are held for a long time, where waiting would be wrong.
    /// </summary>
    internal static bool TryClaim(ref ulong word, out ulong owner, out bool recovered)
    {
        recovered = false;
        owner = Interlocked.CompareExchange(ref word, OwnerToken.Current, 0);
        if (owner == 0)
        {
            return true;
        }

        if (owner == OwnerToken.Current || OwnerToken.IsAlive(owner) || Interlocked.CompareExchange(ref word, OwnerToken.Current, owner) != owner)
        {
            return false;
        }

        recovered = true;
        return true;
    }

    /// <summary>Releases the lock. The protected writes were already published by the caller's fence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Release(ref ulong word) => Volatile.Write(ref word, 0);

    private static bool AcquireSlow(ref ulong word, string name, int timeoutMs)
    {
        long start = Stopwatch.GetTimestamp();
        long now = start;
        long waitStart = start;  // restarts whenever the lock is seen free: the holders are making progress
        ulong seen = 0;
        long nextCheck = 0;      // when to check that the owner we see is alive
        for (int round = 0; ; round++)
        {
            ulong owner = Volatile.Read(ref word);
            if (owner == 0)
            {
                if (Interlocked.CompareExchange(ref word, OwnerToken.Current, 0) == 0)
                {
                    return false;
                }

                waitStart = now;
                continue;
            }

            if ((round & 31) == 31 || round < 32)
            {
                now = Stopwatch.GetTimestamp();
            }

            if (owner != seen)
            {
                // A new owner: check it once it has held the lock for a spin phase (a live one has usually let go).
                seen = owner;
                nextCheck = now + SpinTicks;
            }
            else if (now > nextCheck)
            {
                if (!OwnerToken.IsAlive(owner))
                {
                    // The owner died holding the lock; whatever it was writing was never published.
                    if (Interlocked.CompareExchange(ref word, OwnerToken.Current, owner) == owner)
                    {
                        return true;
                    }

                    continue;
                }

                nextCheck = now + LivenessTicks; // alive: look again after another interval
            }

            if (timeoutMs != Timeout.Infinite && now - start > timeoutMs * Stopwatch.Frequency / 1000)
            {
                throw new TimeoutException(SR.Format(SR.LockTimeout, name, timeoutMs, OwnerToken.Pid(owner)));
            }

            long waited = now - waitStart;
            if (waited < SpinTicks && (round & 31) != 31)
            {
                Thread.SpinWait(1);
            }
            else if (waited < YieldTicks)
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
