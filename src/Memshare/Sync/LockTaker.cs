using System.Diagnostics;

namespace Memshare.Sync;

/// <summary>
/// A waiter's side of a robust lock word (see <see cref="RobustLock"/>): takes it when it is free, or, once the
/// waiter is past its spin, from an owner found dead. Suspects a new owner only after <c>graceTicks</c>, and an owner
/// found alive again only every <c>intervalTicks</c>, because asking the OS about a process is slow.
/// </summary>
internal unsafe struct LockTaker(ulong* word, long graceTicks, long intervalTicks)
{
    private ulong _seen;
    private long _nextCheck;

    /// <summary>Whether the lock was taken from a dead owner.</summary>
    internal bool Recovered { get; private set; }

    /// <summary>The last owner seen holding the lock, 0 if none.</summary>
    internal readonly ulong Owner => _seen;

    /// <summary>When the lock was last seen free but taken by another (<see cref="Stopwatch"/> ticks): its holders make progress.</summary>
    internal long LastFree { get; private set; }

    /// <summary>Takes the lock if it is free; if <paramref name="suspectOwner"/>, also from a dead owner.</summary>
    internal bool TryTake(bool suspectOwner)
    {
        ulong owner = Volatile.Read(ref *word);
        if (owner == 0)
        {
            if (Interlocked.CompareExchange(ref *word, OwnerToken.Current, 0) == 0)
            {
                return true;
            }

            LastFree = Stopwatch.GetTimestamp();
            return false;
        }

        if (!suspectOwner)
        {
            return false;
        }

        long now = Stopwatch.GetTimestamp();
        if (owner != _seen)
        {
            _seen = owner;
            _nextCheck = now + graceTicks;
        }

        if (now < _nextCheck)
        {
            return false;
        }

        if (!RobustLock.IsDead(owner))
        {
            _nextCheck = now + intervalTicks;
            return false;
        }

        // The owner died holding the lock; whatever it was writing was never published.
        if (Interlocked.CompareExchange(ref *word, OwnerToken.Current, owner) != owner)
        {
            return false; // another waiter took it over first, or it changed hands
        }

        Recovered = true;
        return true;
    }
}
