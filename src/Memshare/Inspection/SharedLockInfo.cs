namespace Memshare.Inspection;

/// <summary>
/// The state of a <see cref="SharedLock"/> region, read from outside without taking the lock (see
/// <see cref="SharedMemoryHeaderInfo.Lock"/>): a snapshot that may change as soon as it is returned.
/// </summary>
public sealed record SharedLockInfo
{
    internal SharedLockInfo()
    {
    }

    /// <summary>The pid of the process holding the lock (what <see cref="SharedLock.OwnerProcessId"/> returns), or null if it is free.</summary>
    public int? OwnerProcessId { get; init; }

    /// <summary>
    /// Whether the holding process is still running; null if the lock is free. A lock whose owner died stays
    /// marked held until the next acquirer takes it over (and is told the owner died).
    /// </summary>
    public bool? IsOwnerAlive { get; init; }

    /// <summary>
    /// Processes waiting to acquire the lock, asleep or about to sleep. A waiter killed while waiting (SIGKILL)
    /// is never subtracted, so this may overcount.
    /// </summary>
    public int Waiters { get; init; }

    /// <summary>How many times, ever, an acquirer took the lock over from a dead owner (what <see cref="SharedLock.Recoveries"/> returns).</summary>
    public long Recoveries { get; init; }
}
