using Memshare.Layout;
using Memshare.Sync;

namespace Memshare.Channels;

/// <summary>
/// The writing end of the ring: claim, commit, publish, recovery and the checkpoint slots, over a
/// <see cref="RingView"/>. One sealed <see cref="RingWriter{TMode}"/> per mode carries the hot path; this base
/// holds the state and the slow paths they share. Not thread-safe; the public writer serialises calls.
/// </summary>
internal abstract unsafe class RingWriter
{
    private protected readonly RingView _ring;
    private protected readonly RingSignals _signals;
    private readonly CallGate _gate;
    private readonly object _owner;
    private protected long _tail;          // next record position (authoritative while this writer holds the role)
    private protected long _sequence;      // next record's sequence number
    private protected long _cachedHead;    // the slowest reader's position, refreshed only when space seems short
    private protected long _claimPosition = -1;
    private protected int _claimLength;

    private protected RingWriter(RingView ring, RingSignals signals, CallGate gate, object owner)
    {
        _ring = ring;
        _signals = signals;
        _gate = gate;
        _owner = owner;
    }

    /// <summary>Whether a claimed message awaits <see cref="Commit"/> or <see cref="Abandon"/>.</summary>
    internal bool HasClaim => _claimPosition >= 0;

    /// <summary>The claimed message's length.</summary>
    internal int ClaimLength => _claimLength;

    /// <summary>The owner token in the writer lock (0 if free), for an error message.</summary>
    internal ulong RoleOwner => Volatile.Read(ref *_ring.WriterLock);

    /// <summary>The engine for <paramref name="geometry"/>'s mode: each mode is one JIT-specialised class.</summary>
    internal static RingWriter Create(in ChannelGeometry geometry, RingView ring, RingSignals signals, CallGate gate, object owner) =>
        geometry.Mode switch
        {
            ChannelMode.MultiProducer => new RingWriter<MultiProducerMode>(ring, signals, gate, owner),
            ChannelMode.Broadcast when geometry.Overruns => new RingWriter<OverrunMode>(ring, signals, gate, owner),
            ChannelMode.Broadcast => new RingWriter<BroadcastMode>(ring, signals, gate, owner),
            _ => new RingWriter<SingleProducerMode>(ring, signals, gate, owner),
        };

    /// <summary>Takes the role for the writer's lifetime where the mode asks for it; false if a live writer holds it.</summary>
    internal abstract bool Attach();

    /// <summary>Reserves room for a message and returns it; false if there is none now.</summary>
    internal abstract bool TryClaim(int length, out Span<byte> buffer);

    /// <summary>Publishes the claimed message (<see cref="HasClaim"/> must be true).</summary>
    internal abstract void Commit();

    /// <summary>Claims, copies and commits; false if there is no room now.</summary>
    internal abstract bool TryWrite(ReadOnlySpan<byte> message);

    /// <summary>As <see cref="TryWrite(ReadOnlySpan{byte})"/>, filling the record's checkpoint slot before the commit.</summary>
    internal abstract bool TryWrite(ReadOnlySpan<byte> message, long checkpoint);

    /// <summary>Drops the claim, if any, without publishing it.</summary>
    internal abstract void Abandon();

    /// <summary>Abandons any claim and gives up a role held for the writer's lifetime.</summary>
    internal abstract void Detach();

    /// <summary>Whether a message of <paramref name="length"/> bytes may fit now (a wait's condition; the claim decides).</summary>
    internal abstract bool HasSpace(int length);

    /// <summary>Shrinks the claimed message to <paramref name="length"/> bytes (at most <see cref="ClaimLength"/>).</summary>
    internal void Shrink(int length)
    {
        _ring.Header(_claimPosition)->Length = length;
        _claimLength = length;
    }

    /// <summary>Marks the channel complete and wakes every reader.</summary>
    internal void Complete()
    {
        Interlocked.Exchange(ref _ring.Writer->Completed, 1);
        _signals.WakeReaders(all: true);
    }

    /// <summary>Reopens a completed channel: a writer that attaches clears the mark.</summary>
    internal void Reopen() => Volatile.Write(ref _ring.Writer->Completed, 0);

    /// <summary>The checkpoint committed with the newest record, if that record carries one (docs/format.md, "Checkpoints").</summary>
    internal bool TryGetCheckpoint(out long checkpoint)
    {
        long count = _sequence;
        ChannelCheckpoint* slot = _ring.Checkpoint(count - 1);
        if (count > 0 && Volatile.Read(ref slot->Count) == count)
        {
            checkpoint = Volatile.Read(ref slot->Value);
            return true;
        }

        checkpoint = 0;
        return false;
    }

    /// <summary>Blocks until a message of <paramref name="length"/> bytes may fit (true) or the wait times out (false).</summary>
    internal bool WaitForSpace(int length, TimeSpan spin, long timeoutMs, CancellationToken cancellationToken)
    {
        var condition = new Room(this, length);
        return _signals.WaitForSpace(ref condition, spin, timeoutMs, cancellationToken);
    }

    /// <summary>Waits without a thread until a message of <paramref name="length"/> bytes may fit.</summary>
    internal ValueTask<bool> WaitForSpaceAsync(int length, CancellationToken cancellationToken)
    {
        _asyncWait ??= _signals.CreateAsyncSource(forData: false, wanted =>
            _gate.IsClosing ? AsyncWaitPoll.Closed : HasSpace(wanted) ? AsyncWaitPoll.Ready : AsyncWaitPoll.NotReady);
        return _signals.WaitAsync(_asyncWait, length, cancellationToken);
    }

    /// <summary>This writer's async wait source, made on its first async wait; the wanted length is the wait's argument.</summary>
    private IAsyncWaitSource? _asyncWait;

    /// <summary>Between a claim and its commit: fills the slot of the record being written (its release store orders both).</summary>
    private protected void SetCheckpoint(long checkpoint)
    {
        ChannelCheckpoint* slot = _ring.Checkpoint(_sequence);
        slot->Value = checkpoint;
        slot->Count = _sequence + 1;
    }

    /// <summary>Takes the writer lock (waiting if asked), recovering it from a dead owner, and recovers the tail.</summary>
    private protected bool TakeRole(bool wait)
    {
        ref ulong word = ref *_ring.WriterLock;
        bool recovered;
        if (!wait)
        {
            if (!RobustLock.TryClaim(ref word, out _, out recovered))
            {
                return false;
            }
        }
        else
        {
            recovered = RobustLock.Acquire(ref word, _ring.Name);
        }

        if (recovered)
        {
            Interlocked.Increment(ref *(long*)(_ring.WriterLock + 1));
        }

        try
        {
            Recover();
        }
        catch
        {
            ReleaseRole(); // a corrupt channel must not leave the role (or the per-message lock) held by a live process
            throw;
        }

        return true;
    }

    private protected void ReleaseRole() => RobustLock.Release(ref *_ring.WriterLock);

    /// <summary>
    /// Reads the published tail and count and moves past records that a writer which died committed without
    /// publishing them (<see cref="RingView.ScanCommitted"/>), then publishes the result.
    /// </summary>
    private void Recover()
    {
        ChannelWriterState* w = _ring.Writer;
        long tail = Volatile.Read(ref w->Position);
        long sequence = Volatile.Read(ref w->Messages);
        if (!RingView.IsRecordPosition(tail) || sequence < 0)
        {
            _ring.ThrowCorrupt($"writer position {tail} or message count {sequence} is invalid");
        }

        if (!_ring.ScanCommitted(ref tail, ref sequence))
        {
            _ring.ThrowCorrupt($"record at position {tail} has length {_ring.Header(tail)->Length}");
        }

        _tail = tail;
        _sequence = sequence;
        _cachedHead = SlowestReader();
        Volatile.Write(ref w->Messages, sequence);
        Volatile.Write(ref w->Position, tail);
        ForgetUncommittedCheckpoint();
    }

    /// <summary>
    /// On taking the role: a writer that died between filling a slot and committing its record left the slot naming
    /// the record that the next writer will commit, perhaps without a checkpoint; clear it.
    /// </summary>
    private void ForgetUncommittedCheckpoint()
    {
        ChannelCheckpoint* slot = _ring.Checkpoint(_sequence);
        if (Volatile.Read(ref slot->Count) == _sequence + 1)
        {
            Volatile.Write(ref slot->Count, 0);
        }
    }

    /// <summary>The position no write may pass (the mode decides which readers count), checked against the tail.</summary>
    private protected abstract long SlowestReader();

    /// <summary>Back-pressure: room up to <paramref name="end"/> behind the slowest reader, looked up only when the cached one is short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ReserveBehindReaders(long end) =>
        end - _cachedHead <= _ring.Capacity || end - (_cachedHead = SlowestReader()) <= _ring.Capacity;

    /// <summary>Multi-producer: as <see cref="ReserveBehindReaders"/> under the per-message lock, which it releases on failure.</summary>
    internal bool ReserveLocked(long end)
    {
        if (end - _cachedHead <= _ring.Capacity)
        {
            return true;
        }

        return ReserveLockedSlow(end);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ReserveLockedSlow(long end)
    {
        try
        {
            if (end - (_cachedHead = SlowestReader()) <= _ring.Capacity)
            {
                return true;
            }
        }
        catch
        {
            ReleaseRole(); // a corrupt position must not leave the per-message lock held
            throw;
        }

        ReleaseRole();
        return false;
    }

    /// <summary>
    /// Overrun: tells readers which bytes may change under them before changing any (see <see cref="OverrunReader"/>).
    /// Never lowers it: a writer that died mid-claim may have overwritten bytes up to its own, higher claim.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool AnnounceClaim(long end)
    {
        ref long claim = ref _ring.Writer->Claim;
        Volatile.Write(ref claim, Math.Max(end, Volatile.Read(ref claim)));
        Interlocked.MemoryBarrier(); // the claim is visible before any byte it covers changes: pairs with OverrunReader.Overwritten
        return true;
    }

    /// <summary>The slowest reader for one-reader modes.</summary>
    internal long SlowestSingleReader() => SlowestOf(1, attachedOnly: false);

    /// <summary>The slowest attached broadcast reader.</summary>
    internal long SlowestAttachedReader() => SlowestOf(_ring.MaxReaders, attachedOnly: true);

    /// <summary>Overrun: no reader holds the writer back.</summary>
    internal long NoReader() => _tail;

    /// <summary>Multi-producer: another writer may own the tail, so judge from the shared one (the claim decides under the lock).</summary>
    internal bool HasSharedSpace(int length)
    {
        // Without the lock the shared tail may lag a record that a writer committed but has not published yet (or
        // never will: it died), which the reader may already have consumed; so a reader ahead of it means "try".
        long head = Volatile.Read(ref _ring.Reader(0)->Position);
        long tail = Volatile.Read(ref _ring.Writer->Position);
        return head > tail || Fits(tail, head, length);
    }

    /// <summary>One writer owns the tail: room ahead of the slowest reader.</summary>
    internal bool HasOwnSpace(int length) => Fits(_tail, _cachedHead = SlowestReader(), length);

    /// <summary>The slowest of the first <paramref name="to"/> readers (attached ones only if asked), checked against the tail.</summary>
    private long SlowestOf(int to, bool attachedOnly)
    {
        long head = _tail;
        for (int i = 0; i < to; i++)
        {
            ChannelReaderState* r = _ring.Reader(i);
            if (attachedOnly && Volatile.Read(ref r->Attached) == 0)
            {
                continue;
            }

            long p = Volatile.Read(ref r->Position);
            if (p > _tail || _tail - p > _ring.Capacity)
            {
                _ring.ThrowCorrupt($"reader {i} position {p} is outside the ring behind writer position {_tail}");
            }

            head = Math.Min(head, p);
        }

        return head;
    }

    /// <summary>Whether a record of <paramref name="length"/> bytes written at <paramref name="tail"/> fits ahead of <paramref name="head"/>.</summary>
    private bool Fits(long tail, long head, int length)
    {
        long offset = tail & _ring.Mask;
        int size = ChannelLayout.RecordSize(length);
        long padding = _ring.Capacity - offset < size ? _ring.Capacity - offset : 0;
        return tail + padding + size - head <= _ring.Capacity;
    }

    /// <summary>There may be room for a message of the given length.</summary>
    private readonly struct Room(RingWriter writer, int length) : IWaitCondition
    {
        public bool IsMet() => writer.HasSpace(length);

        public bool IsFinished()
        {
            if (writer._gate.IsClosing)
            {
                ThrowHelper.ThrowObjectDisposed(writer._owner);
            }

            return false;
        }
    }
}
