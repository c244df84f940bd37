using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Memshare.Layout;
using Memshare.Platform;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// A named lock shared between processes that survives a crashed owner: if the owner dies holding it, the
/// next acquirer gets it within about <see cref="LivenessInterval"/> and is told so through
/// <see cref="SharedLockGuard.PreviousOwnerDied"/>. Waiting processes sleep in the kernel.
/// </summary>
/// <remarks>
/// The lock belongs to the process, not the thread: it is not re-entrant, and any thread of the owning process
/// may release it (so it can be held across <c>await</c>). A thread that dies holding it inside a live process
/// leaves it held until the process exits.
/// </remarks>
public sealed unsafe class SharedLock : IDisposable
{
    /// <summary>How often a sleeping acquirer checks whether the owner is still alive.</summary>
    public static readonly TimeSpan LivenessInterval = TimeSpan.FromMilliseconds(SpinThenSleep.RecheckMilliseconds);

    private readonly SharedMemory _region;
    private readonly LockState* _state;
    private readonly WakeWord _wake;
    private readonly RegionHandle _handle;
    private long _spinTicks = SpinThenSleep.ToSpinTicks(SpinThenSleep.DefaultSpin);
    private long _serial;
    private long _heldSerial;

    private SharedLock(SharedMemory region, bool globalNamespace)
    {
        RegionHeader.Validate(region, RegionKind.Lock);
        _region = region;
        _state = (LockState*)(region.RegionBase + LockState.Offset);
        _wake = new WakeWord(new WaitChannel(&_state->WakeSeq, region.Name, LockState.Offset + 8, globalNamespace), &_state->WakeSeq, &_state->Waiters);
        _handle = region.Handle;
        _handle.RunBeforeRelease(Close);
    }

    /// <summary>The lock's name.</summary>
    public string Name => _region.Name;

    /// <summary>
    /// How long an acquirer of this handle spins before it sleeps in the kernel (default
    /// <see cref="SharedEvent.DefaultSpinDuration"/>; zero sleeps at once). Waking a sleeping process costs several
    /// microseconds, so a spin that outlasts the holder's critical section avoids that cost at the price of CPU.
    /// </summary>
    public TimeSpan SpinDuration
    {
        get => SpinThenSleep.FromSpinTicks(_spinTicks);
        set => _spinTicks = SpinThenSleep.ToSpinTicks(value);
    }

    /// <summary>How many times, ever, an acquirer took this lock over from a dead owner.</summary>
    public long Recoveries
    {
        get
        {
            _handle.Enter(this);
            try
            {
                return (long)Volatile.Read(ref _state->Recoveries);
            }
            finally
            {
                _handle.Exit();
            }
        }
    }

    /// <summary>The pid of the process holding the lock, or null if it is free.</summary>
    public int? OwnerProcessId
    {
        get
        {
            _handle.Enter(this);
            try
            {
                ulong owner = Volatile.Read(ref _state->Owner);
                return owner == 0 ? null : OwnerToken.Pid(owner);
            }
            finally
            {
                _handle.Exit();
            }
        }
    }

    /// <summary>Creates the named lock, free; throws <see cref="RegionExistsException"/> if the name exists.</summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. A lock needs read-write access.</param>
    public static SharedLock CreateNew(string name, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateNew, options, out _)!;

    /// <summary>Opens an existing lock; throws <see cref="RegionNotFoundException"/> if there is none.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="options">Owner and namespace; defaults if null. A lock needs read-write access.</param>
    public static SharedLock OpenExisting(string name, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.OpenExisting, options, out _) ?? throw new RegionNotFoundException(name);

    /// <summary>Opens an existing lock; false only if it does not exist.</summary>
    /// <inheritdoc cref="OpenExisting(string, SharedMemoryOptions?)"/>
    public static bool TryOpenExisting(string name, [NotNullWhen(true)] out SharedLock? sharedLock, SharedMemoryOptions? options = null)
    {
        sharedLock = Open(name, RegionMode.OpenExisting, options, out _);
        return sharedLock is not null;
    }

    /// <summary>Opens the named lock, creating it (free) if absent, and says which happened.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="created">True if this call created the lock.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. A lock needs read-write access.</param>
    public static SharedLock CreateOrOpen(string name, out bool created, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateOrOpen, options, out created)!;

    /// <summary>Opens the named lock, creating it (free) if absent.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. A lock needs read-write access.</param>
    public static SharedLock CreateOrOpen(string name, SharedMemoryOptions? options = null) => CreateOrOpen(name, out _, options);

    private static SharedLock? Open(string name, RegionMode mode, SharedMemoryOptions? options, out bool created)
    {
        options ??= SharedMemoryOptions.Default;
        ThrowHelper.RequireWriteAccess(options, nameof(SharedLock), name, SR.LockWrites);
        return RegionWrapper.Open(name, mode, LockState.TotalSize, options,
            static memory => RegionHeader.Write(memory, RegionKind.Lock, LockState.TotalSize, LockState.TotalSize),
            options.WindowsGlobalNamespace, static (r, g) => new SharedLock(r, g), out created);
    }

    /// <summary>Waits as long as it takes (never for a dead owner) and returns the guard that releases the lock.</summary>
    public SharedLockGuard Acquire(CancellationToken cancellationToken = default) =>
        TryAcquire(Timeout.InfiniteTimeSpan, out SharedLockGuard guard, cancellationToken) ? guard : throw new UnreachableException();

    /// <summary>Waits up to <paramref name="timeout"/>; throws <see cref="TimeoutException"/> if the lock stays held.</summary>
    public SharedLockGuard Acquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (TryAcquire(timeout, out SharedLockGuard guard, cancellationToken))
        {
            return guard;
        }

        int? owner = OwnerProcessId;
        throw new TimeoutException(SR.Format(SR.SharedLockTimeout, Name, (long)timeout.TotalMilliseconds,
            owner is null ? "another process (since released)" : $"process {owner}"));
    }

    /// <summary>Takes the lock only if it is free (or its owner is dead) right now.</summary>
    public bool TryAcquire(out SharedLockGuard guard) => TryAcquire(TimeSpan.Zero, out guard);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit) for the lock.
    /// Returns false on timeout; throws <see cref="OperationCanceledException"/> if cancelled.
    /// </summary>
    public bool TryAcquire(TimeSpan timeout, out SharedLockGuard guard, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        long timeoutMs = (long)timeout.TotalMilliseconds;
        if (timeoutMs < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, SR.Format(SR.TimeoutNegative, "SharedLock", Name, timeout));
        }

        cancellationToken.ThrowIfCancellationRequested();
        _handle.Enter(this);
        try
        {
            bool acquired;
            if (RobustLock.TryTakeFree(ref _state->Owner))
            {
                guard = Granted(previousOwnerDied: false);
                acquired = true;
            }
            else
            {
                acquired = AcquireSlow(timeoutMs, out guard, cancellationToken);
            }

            if (acquired && _handle.IsDisposing)
            {
                // Disposed on another thread meanwhile: Close releases the lock when the last user leaves, so
                // handing out this guard would let the caller in unprotected.
                ThrowHelper.ThrowObjectDisposed(this);
            }

            return acquired;
        }
        finally
        {
            _handle.Exit();
        }
    }

    private bool AcquireSlow(long timeoutMs, out SharedLockGuard guard, CancellationToken cancellationToken)
    {
        var wait = new Acquirer(this);
        bool acquired = false;
        try
        {
            acquired = SpinThenSleep.Wait(ref wait, _spinTicks, timeoutMs, static s => ((SharedLock)s!).WakeAll(), this, cancellationToken);
        }
        finally
        {
            // Leaving without the lock: if it was released meanwhile, pass on a wake-up this waiter may have consumed.
            if (!acquired && Volatile.Read(ref _state->Owner) == 0)
            {
                _wake.WakeIfWaiting(all: false);
            }
        }

        if (!acquired)
        {
            guard = default;
            return false;
        }

        bool recovered = wait.Recovered;
        if (recovered)
        {
            Interlocked.Increment(ref _state->Recoveries);
        }

        guard = Granted(recovered);
        return true;
    }

    /// <summary>
    /// An acquisition: the robust lock's taker, sleeping on this lock's word. Suspects the owner only once past its
    /// spin, then on every wake-up (at least every <see cref="LivenessInterval"/>).
    /// </summary>
    private struct Acquirer(SharedLock owner) : IWaitCondition, ISleep
    {
        private LockTaker _taker = new(&owner._state->Owner, graceTicks: 0, intervalTicks: 0);
        private bool _asleep;

        public readonly bool Recovered => _taker.Recovered;

        public bool IsMet() => _taker.TryTake(suspectOwner: _asleep);

        public readonly bool IsFinished()
        {
            if (owner._handle.IsDisposing)
            {
                ThrowHelper.ThrowObjectDisposed(owner);
            }

            return false;
        }

        public void Announce()
        {
            _asleep = true;
            owner._wake.Announce();
        }

        public readonly int Observe() => owner._wake.Observe();

        public readonly void Withdraw() => owner._wake.Withdraw();

        public readonly void Sleep(int observed, int timeoutMs) => owner._wake.Sleep(observed, timeoutMs);
    }

    internal void Release(long serial)
    {
        // Only the guard of the current acquisition releases; stale copies of older guards do nothing.
        if (serial == 0 || Volatile.Read(ref _heldSerial) != serial)
        {
            return;
        }

        // Keep the mapping while touching it: a Dispose on another thread may be closing this handle. Once it is
        // closing, Close releases the lock still held, after the last user leaves.
        if (!_handle.TryEnter())
        {
            return;
        }

        try
        {
            if (Interlocked.CompareExchange(ref _heldSerial, 0, serial) == serial)
            {
                ReleaseOwner();
            }
        }
        finally
        {
            _handle.Exit();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"SharedLock '{Name}'";

    /// <summary>
    /// Closes this handle. Waits in progress on other threads end with <see cref="ObjectDisposedException"/> (an
    /// acquisition racing the close too: it is never handed out); a lock still held through this handle is released
    /// as soon as they have left, and its guards then release nothing.
    /// </summary>
    public void Dispose() => _handle.DisposeWaking(static owner => owner.WakeAll(), this);

    /// <summary>Runs once, when no thread uses the mapping any more, just before it is unmapped: releases a lock still held.</summary>
    private void Close()
    {
        if (Interlocked.Exchange(ref _heldSerial, 0) != 0)
        {
            ReleaseOwner();
        }

        _wake.Channel.Dispose();
    }

    private void ReleaseOwner()
    {
        if (RobustLock.TryRelease(ref _state->Owner)) // full fence: pairs with a sleeper's announcement, then its re-check
        {
            _wake.WakeIfWaiting(all: false);
        }
    }

    private SharedLockGuard Granted(bool previousOwnerDied)
    {
        long serial = Interlocked.Increment(ref _serial);
        Volatile.Write(ref _heldSerial, serial);
        return new SharedLockGuard(this, serial, previousOwnerDied);
    }

    private void WakeAll() => _wake.WakeAll();

    private void ThrowIfDisposed()
    {
        if (_handle.IsDisposing)
        {
            ThrowHelper.ThrowObjectDisposed(this);
        }
    }
}
