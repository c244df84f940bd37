namespace Memshare;

/// <summary>
/// Proof of holding a <see cref="SharedLock"/>; disposing it releases the lock. Disposing a copy, or disposing
/// twice, releases at most once.
/// </summary>
public readonly struct SharedLockGuard : IDisposable, IEquatable<SharedLockGuard>
{
    private readonly SharedLock? _lock;
    private readonly long _serial;

    internal SharedLockGuard(SharedLock owner, long serial, bool previousOwnerDied)
    {
        _lock = owner;
        _serial = serial;
        PreviousOwnerDied = previousOwnerDied;
    }

    /// <summary>
    /// True if the previous owner died while holding the lock (the counterpart of <c>EOWNERDEAD</c> and
    /// <see cref="AbandonedMutexException"/>): whatever it protected may be half-updated.
    /// </summary>
    public bool PreviousOwnerDied { get; }

    /// <summary>Whether this guard holds (or held) the lock; false for <c>default</c>.</summary>
    public bool IsAcquired => _lock is not null;

    /// <summary>Releases the lock if this guard still holds it.</summary>
    public void Dispose() => _lock?.Release(_serial);

    /// <inheritdoc/>
    public bool Equals(SharedLockGuard other) => ReferenceEquals(_lock, other._lock) && _serial == other._serial;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SharedLockGuard other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_lock, _serial);

    /// <summary>Compares two guards.</summary>
    public static bool operator ==(SharedLockGuard left, SharedLockGuard right) => left.Equals(right);

    /// <summary>Compares two guards.</summary>
    public static bool operator !=(SharedLockGuard left, SharedLockGuard right) => !left.Equals(right);
}
