using System.Diagnostics.CodeAnalysis;
using Memshare.Layout;
using Memshare.Platform;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// A named event shared between processes, in auto-reset or manual-reset mode: the cross-platform counterpart
/// of a named <see cref="EventWaitHandle"/>, which .NET supports only on Windows.
/// </summary>
/// <remarks>
/// <para>A waiter first spins for <see cref="SpinDuration"/>, so a responsive peer never pays the
/// several-microsecond cost of waking a sleeping process; then it sleeps in the kernel (a futex on Linux)
/// and uses no CPU. <see cref="Set"/> makes no system call when nobody is asleep.</para>
/// <para>No wake-up is lost: a <see cref="Set"/> racing a <see cref="Wait(TimeSpan, CancellationToken)"/> is
/// always seen. Sleepers also re-check the state every <see cref="RecheckInterval"/>, so a notifier killed
/// between setting the event and waking them delays them by at most that long.</para>
/// </remarks>
public sealed unsafe class SharedEvent : IDisposable
{
    /// <summary>The default <see cref="SpinDuration"/>: long enough to cover a peer's reply on a busy machine.</summary>
    public static readonly TimeSpan DefaultSpinDuration = SpinThenSleep.DefaultSpin;

    /// <summary>The longest a sleeping waiter goes without re-checking the state.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(SpinThenSleep.RecheckMilliseconds);

    private readonly SharedMemory _region;
    private readonly EventState* _state;
    private readonly WakeWord _wake;
    private readonly RegionHandle _handle;
    private readonly AsyncWait _asyncWait;
    private long _spinTicks = SpinThenSleep.ToSpinTicks(SpinThenSleep.DefaultSpin);

    private SharedEvent(SharedMemory region, bool globalNamespace)
    {
        RegionHeader.Validate(region, RegionKind.Event);
        _region = region;
        _state = (EventState*)(region.RegionBase + EventState.Offset);
        Mode = _state->Mode == 1 ? EventResetMode.ManualReset : EventResetMode.AutoReset;
        _wake = new WakeWord(new WaitChannel(&_state->Generation, region.Name, EventState.Offset + 4, globalNamespace), &_state->Generation, &_state->Waiters);
        _asyncWait = new AsyncWait(this);
        _handle = region.Handle;
        _handle.RunBeforeRelease(_wake.Channel.Dispose);
    }

    /// <summary>The event's name.</summary>
    public string Name => _region.Name;

    /// <summary>Auto-reset (one waiter consumes each <see cref="Set"/>) or manual-reset (stays set until <see cref="Reset"/>).</summary>
    public EventResetMode Mode { get; }

    /// <summary>
    /// How long a waiter of this handle spins before it sleeps in the kernel (default
    /// <see cref="DefaultSpinDuration"/>; zero sleeps at once). Waking a sleeping process costs several
    /// microseconds, so a spin that outlasts the peer's reply time avoids that cost at the price of CPU.
    /// </summary>
    public TimeSpan SpinDuration
    {
        get => SpinThenSleep.FromSpinTicks(_spinTicks);
        set => _spinTicks = SpinThenSleep.ToSpinTicks(value);
    }

    /// <summary>Whether the event is set right now. Reading it consumes nothing.</summary>
    public bool IsSet
    {
        get
        {
            _handle.Enter(this);
            try
            {
                return Volatile.Read(ref _state->Signaled) != 0;
            }
            finally
            {
                _handle.Exit();
            }
        }
    }

    /// <summary>Creates the named event; throws <see cref="RegionExistsException"/> if the name exists.</summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <param name="mode">Whether a released waiter resets the event (auto, the default) or it stays set until <see cref="Reset"/>.</param>
    /// <param name="initialState">Whether the event starts set.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. An event needs read-write access.</param>
    public static SharedEvent CreateNew(string name, EventResetMode mode = EventResetMode.AutoReset, bool initialState = false, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateNew, mode, initialState, options, out _)!;

    /// <summary>Opens an existing event, in the mode it was created with; throws <see cref="RegionNotFoundException"/> if there is none.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="options">Owner and namespace; defaults if null. An event needs read-write access.</param>
    public static SharedEvent OpenExisting(string name, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.OpenExisting, EventResetMode.AutoReset, false, options, out _) ?? throw new RegionNotFoundException(name);

    /// <summary>Opens an existing event; false only if it does not exist.</summary>
    /// <inheritdoc cref="OpenExisting(string, SharedMemoryOptions?)"/>
    public static bool TryOpenExisting(string name, [NotNullWhen(true)] out SharedEvent? sharedEvent, SharedMemoryOptions? options = null)
    {
        sharedEvent = Open(name, RegionMode.OpenExisting, EventResetMode.AutoReset, false, options, out _);
        return sharedEvent is not null;
    }

    /// <summary>Opens the named event, creating it with <paramref name="mode"/> if absent, and says which happened. An existing event keeps its mode and state.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="created">True if this call created the event.</param>
    /// <param name="mode">The mode of a new event.</param>
    /// <param name="initialState">Whether a new event starts set.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. An event needs read-write access.</param>
    public static SharedEvent CreateOrOpen(string name, out bool created, EventResetMode mode = EventResetMode.AutoReset, bool initialState = false, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateOrOpen, mode, initialState, options, out created)!;

    /// <summary>Opens the named event, creating it with <paramref name="mode"/> if absent. An existing event keeps its mode and state.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="mode">The mode of a new event.</param>
    /// <param name="initialState">Whether a new event starts set.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. An event needs read-write access.</param>
    public static SharedEvent CreateOrOpen(string name, EventResetMode mode = EventResetMode.AutoReset, bool initialState = false, SharedMemoryOptions? options = null) =>
        CreateOrOpen(name, out _, mode, initialState, options);

    private static SharedEvent? Open(string name, RegionMode mode, EventResetMode resetMode, bool initialState, SharedMemoryOptions? options, out bool created)
    {
        int modeValue = resetMode switch
        {
            EventResetMode.AutoReset => 0,
            EventResetMode.ManualReset => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), resetMode, SR.Format(SR.EventModeUnknown, name, resetMode)),
        };
        options ??= SharedMemoryOptions.Default;
        ThrowHelper.RequireWriteAccess(options, nameof(SharedEvent), name, SR.EventWrites);
        return RegionWrapper.Open(name, mode, EventState.TotalSize, options,
            memory =>
            {
                RegionHeader.Write(memory, RegionKind.Event, EventState.TotalSize, EventState.TotalSize);
                ref EventState state = ref MemoryMarshal.AsRef<EventState>(memory[EventState.Offset..]);
                state.Mode = modeValue;
                state.Signaled = initialState ? 1 : 0;
            },
            options.WindowsGlobalNamespace, static (r, g) => new SharedEvent(r, g), out created);
    }

    /// <summary>
    /// Sets the event. Auto-reset: releases one waiter (or the next to arrive); manual-reset: releases all until
    /// <see cref="Reset"/>. Makes no system call when nobody is asleep.
    /// </summary>
    public void Set()
    {
        _handle.Enter(this);
        try
        {
            if (Interlocked.Exchange(ref _state->Signaled, 1) != 0 && Mode == EventResetMode.AutoReset)
            {
                return; // already set: the waiter that consumes it was or will be woken by that earlier Set
            }

            _wake.BumpAndWake(all: Mode == EventResetMode.ManualReset);
        }
        finally
        {
            _handle.Exit();
        }
    }

    /// <summary>Clears the event.</summary>
    public void Reset()
    {
        _handle.Enter(this);
        try
        {
            Volatile.Write(ref _state->Signaled, 0);
        }
        finally
        {
            _handle.Exit();
        }
    }

    /// <summary>Waits until the event is set, as long as it takes.</summary>
    public void Wait(CancellationToken cancellationToken = default) => Wait(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the event; true if it was set (and, auto-reset, consumed by this
    /// call), false on timeout. Throws <see cref="OperationCanceledException"/> if cancelled.
    /// </summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        long timeoutMs = (long)timeout.TotalMilliseconds;
        if (timeoutMs < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, SR.Format(SR.TimeoutNegative, "SharedEvent", Name, timeout));
        }

        cancellationToken.ThrowIfCancellationRequested();
        _handle.Enter(this);
        try
        {
            return TryConsume() || WaitSlow(timeoutMs, cancellationToken);
        }
        finally
        {
            _handle.Exit();
        }
    }

    /// <summary>
    /// Waits asynchronously up to <paramref name="timeout"/>; true if the event was set (and, auto-reset, consumed
    /// by this call), false on timeout. Completes synchronously when the event is already set; otherwise no thread
    /// of the caller's is blocked (on Linux one background thread per process sleeps on every pending wait).
    /// </summary>
    public ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        long timeoutMs = (long)timeout.TotalMilliseconds;
        if (timeoutMs < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, SR.Format(SR.TimeoutNegative, "SharedEvent", Name, timeout));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        _handle.Enter(this);
        bool handedOver = false;
        try
        {
            if (TryConsume())
            {
                return new ValueTask<bool>(true);
            }

            if (timeoutMs == 0)
            {
                return new ValueTask<bool>(false);
            }

            // The pending wait keeps this reference until it ends (AsyncWait.ReleaseWait).
            handedOver = true;
            return AsyncWaitHub.WaitAsync(_asyncWait, 0, timeoutMs, cancellationToken);
        }
        finally
        {
            if (!handedOver)
            {
                _handle.Exit();
            }
        }
    }

    /// <summary>Waits asynchronously until the event is set.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken = default) => WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"SharedEvent '{Name}' ({Mode})";

    /// <summary>
    /// Closes this handle; the event disappears with its last holder unless persistent. Waits in progress on
    /// other threads end with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose() => _handle.DisposeWaking(static owner => owner.WakeAll(), this);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryConsume() => Mode == EventResetMode.AutoReset
        ? Volatile.Read(ref _state->Signaled) != 0 && Interlocked.CompareExchange(ref _state->Signaled, 0, 1) == 1
        : Volatile.Read(ref _state->Signaled) != 0;

    private bool WaitSlow(long timeoutMs, CancellationToken cancellationToken)
    {
        var wait = new OnWord<Signal>(new Signal(this), _wake);
        return SpinThenSleep.Wait(ref wait, _spinTicks, timeoutMs, static s => ((SharedEvent)s!).WakeAll(), this, cancellationToken);
    }

    /// <summary>The event is set (consumed on success, in auto-reset mode).</summary>
    private readonly struct Signal(SharedEvent owner) : IWaitCondition
    {
        public bool IsMet() => owner.TryConsume();

        public bool IsFinished()
        {
            if (owner._handle.IsDisposing)
            {
                ThrowHelper.ThrowObjectDisposed(owner);
            }

            return false;
        }
    }

    private void WakeAll() => _wake.WakeAll();

    /// <summary>The async waits on this event, for <see cref="AsyncWaitHub"/>; each holds a use until it ends.</summary>
    private sealed class AsyncWait(SharedEvent owner) : IAsyncWaitSource
    {
        public int* SeqWord => owner._wake.Seq;

        public int* WaitersWord => owner._wake.Waiters;

        public WaitChannel Channel => owner._wake.Channel;

        public AsyncWaitPoll Poll(int argument) =>
            owner._handle.IsDisposing ? AsyncWaitPoll.Closed : owner.TryConsume() ? AsyncWaitPoll.Ready : AsyncWaitPoll.NotReady;

        public void ReleaseWait() => owner._handle.Exit();
    }

    private void ThrowIfDisposed()
    {
        if (_handle.IsDisposing)
        {
            ThrowHelper.ThrowObjectDisposed(this);
        }
    }
}
