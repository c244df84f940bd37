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
    /// <summary>How long a waiter spins before it starts checking whether the owner is alive.</summary>
    private const int SpinsBeforeCheck = 64;

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

    /// <summary>Releases the lock. The protected writes were already published by the caller's fence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Release(ref ulong word) => Volatile.Write(ref word, 0);

    private static bool AcquireSlow(ref ulong word, string name, int timeoutMs)
    {
        long start = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        for (int round = 0; ; round++)
        {
            ulong owner = Volatile.Read(ref word);
            if (owner == 0)
            {
                if (Interlocked.CompareExchange(ref word, OwnerToken.Current, 0) == 0)
                {
                    return false;
                }

                continue;
            }

            if (round >= SpinsBeforeCheck && round % SpinsBeforeCheck == 0 && !OwnerToken.IsAlive(owner))
            {
                // The owner died holding the lock; whatever it was writing was never published.
                if (Interlocked.CompareExchange(ref word, OwnerToken.Current, owner) == owner)
                {
                    return true;
                }

                continue;
            }

            if (timeoutMs != Timeout.Infinite && Stopwatch.GetElapsedTime(start).TotalMilliseconds > timeoutMs)
            {
                throw new TimeoutException(SR.Format(SR.LockTimeout, name, timeoutMs, OwnerToken.Pid(owner)));
            }

            if (round < SpinsBeforeCheck)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            else
            {
                Thread.Sleep(round < 4 * SpinsBeforeCheck ? 0 : 1);
            }
        }
    }
}
