using Memshare.Layout;
using Memshare.Sync;

namespace Memshare.Channels;

/// <summary>
/// The reading end of the ring for one reader index: attach, next record, consume, and the waits, over a
/// <see cref="RingView"/>. <see cref="LosslessReader"/> reads in place behind a writer that waits for it;
/// <see cref="OverrunReader"/> copies out from under a writer that may lap it. Not thread-safe; the public reader
/// serialises calls.
/// </summary>
internal abstract unsafe class RingReader
{
    private protected readonly RingView _ring;
    private protected readonly RingSignals _signals;
    private protected readonly ChannelReaderState* _state;
    private protected long _position;      // next record to read; published to _state->Position when a read completes
    private protected int _peekedSize = -1;
    private long _readsSinceWait; // messages consumed since the last wait that found none waiting (long: never wraps)
    private readonly CallGate _gate;
    private readonly object _owner;

    private protected RingReader(RingView ring, RingSignals signals, int index, CallGate gate, object owner)
    {
        _ring = ring;
        _signals = signals;
        _state = ring.Reader(index);
        Index = index;
        _gate = gate;
        _owner = owner;
    }

    internal int Index { get; }

    /// <summary>Messages this reader index skipped because the writer lapped it (overrun only).</summary>
    internal long Lost => Volatile.Read(ref _state->Lost);

    /// <summary>Whether a <see cref="LosslessReader.TryPeek"/> awaits its <see cref="Advance"/>.</summary>
    internal bool HasPeeked => _peekedSize >= 0;

    internal static RingReader Create(in ChannelGeometry geometry, RingView ring, RingSignals signals, int index, CallGate gate, object owner) =>
        geometry.Overruns
            ? new OverrunReader(ring, signals, index, gate, owner)
            : new LosslessReader(ring, signals, index, gate, owner);

    /// <summary>Copies the next message out and consumes it; false if none is waiting.</summary>
    internal abstract bool TryRead(Span<byte> destination, out int length);

    /// <summary>Whether a committed message is waiting at this reader's position.</summary>
    internal abstract bool HasMessage();

    /// <summary>Consumes the message returned by the last peek (<see cref="HasPeeked"/> must be true).</summary>
    internal void Advance() => Consume(_peekedSize);

    /// <summary>Publishes the position past a record of <paramref name="recordSize"/> bytes.</summary>
    private protected abstract void Consume(int recordSize);

    /// <summary>
    /// The part of <see cref="Consume"/> every reader shares: ends the peek, counts the read for the wait's pacing
    /// and moves this process's position past the record; returns the position to publish.
    /// </summary>
    private protected long MovePast(int recordSize)
    {
        _peekedSize = -1;
        _readsSinceWait++;
        return _position += recordSize;
    }

    /// <summary>Claims this reader index; false (and the holder's token) if a live process holds it.</summary>
    internal bool TryClaimIndex(out ulong owner) => RobustLock.TryClaim(ref _state->Owner, out owner, out _);

    /// <summary>Releases the reader index; its position stays.</summary>
    internal void ReleaseIndex() => Interlocked.CompareExchange(ref _state->Owner, 0, OwnerToken.Current);

    /// <summary>
    /// Loads the index's position after <see cref="TryClaimIndex"/>, starting a fresh broadcast index at the writer's
    /// position, and checks everything another process wrote (releasing the index if it is corrupt).
    /// </summary>
    internal void Attach(bool broadcast)
    {
        long tail = Volatile.Read(ref _ring.Writer->Position);
        if (broadcast && Volatile.Read(ref _state->Attached) == 0)
        {
            // A new broadcast reader starts with the next message. The count is read after the position, so it
            // may count records past it, never fewer (OverrunReader ignores a "gap" that goes backwards).
            Volatile.Write(ref _state->Position, tail);
            Volatile.Write(ref _state->NextSequence, Volatile.Read(ref _ring.Writer->Messages));
            Volatile.Write(ref _state->Lost, 0);
            Volatile.Write(ref _state->Attached, 1);
        }

        long position = Volatile.Read(ref _state->Position);
        if (position > tail && tail >= 0)
        {
            // A writer may have died after committing records but before publishing its position.
            long uncounted = 0;
            _ = _ring.ScanCommitted(ref tail, ref uncounted);
        }

        if (!RingView.IsRecordPosition(position) || position > tail || !MayTrail(tail - position))
        {
            ReleaseIndex();
            _ring.ThrowCorrupt($"reader {Index} position {position} is not within the ring behind writer position {tail}");
        }

        _position = position;
        OnAttached();
    }

    /// <summary>Whether a reader may be <paramref name="behind"/> bytes behind the writer.</summary>
    private protected abstract bool MayTrail(long behind);

    private protected virtual void OnAttached()
    {
    }

    /// <summary>Broadcast: stops holding back the writer; a later reader at this index starts afresh.</summary>
    internal void Detach()
    {
        Volatile.Write(ref _state->Attached, 0);
        if (_signals.WritersWaiting)
        {
            _signals.WakeWriters();
        }
    }

    /// <summary>
    /// How many CPU pauses a reader that was streaming makes between looks once it has caught up with its writer.
    /// Its next record is being written then, and each look takes that record's line from the writer mid-write. With a
    /// look after every pause, a 1 KiB stream ran at 0.50-0.94x the C ring's rate in one of this machine's states;
    /// nine pauses raised that by 1-34% in four runs (docs/performance.md, "Where the 1 KiB stream's gap lies").
    /// </summary>
    private const int StreamingPausesPerLook = 9;

    /// <summary>Blocks until a message is waiting, the channel is complete and drained, or the timeout passes.</summary>
    internal ChannelWaitResult WaitToRead(TimeSpan spin, long timeoutMs, CancellationToken cancellationToken)
    {
        if (HasMessage())
        {
            return ChannelWaitResult.Ready;
        }

        // Streaming means two or more reads since the last wait. In a ping-pong every read waits, so the round trip
        // keeps one pause per look.
        int pausesPerLook = _readsSinceWait >= 2 ? StreamingPausesPerLook : 1;
        _readsSinceWait = 0;
        var condition = new MessageWaiting(this);
        return _signals.WaitForData(ref condition, spin, timeoutMs, pausesPerLook, cancellationToken) ? ChannelWaitResult.Ready
            : condition.Drained ? ChannelWaitResult.Completed
            : ChannelWaitResult.TimedOut;
    }

    /// <summary>Waits without a thread until a message is waiting (true) or the channel is complete and drained (false).</summary>
    internal ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (HasMessage())
        {
            return new ValueTask<bool>(true);
        }

        if (IsDrained())
        {
            return new ValueTask<bool>(false);
        }

        _asyncWait ??= _signals.CreateAsyncSource(forData: true, _ =>
            _gate.IsClosing ? AsyncWaitPoll.Closed
            : HasMessage() ? AsyncWaitPoll.Ready
            : IsDrained() ? AsyncWaitPoll.Finished
            : AsyncWaitPoll.NotReady);
        return _signals.WaitAsync(_asyncWait, 0, cancellationToken);
    }

    /// <summary>This reader's async wait source, made on its first async wait.</summary>
    private IAsyncWaitSource? _asyncWait;

    /// <summary>
    /// Complete and nothing left: looks again after seeing the mark, since a message committed before Complete()
    /// may have landed after the look that failed.
    /// </summary>
    private bool IsDrained() => Volatile.Read(ref _ring.Writer->Completed) != 0 && !HasMessage();

    /// <summary>A message is waiting; finished when the channel is complete and drained (and says so).</summary>
    private struct MessageWaiting(RingReader reader) : IWaitCondition
    {
        /// <summary>Set when the wait ends because the channel is drained (the wait passes the condition by reference).</summary>
        internal bool Drained;

        public readonly bool IsMet() => reader.HasMessage();

        public bool IsFinished()
        {
            if (reader._gate.IsClosing)
            {
                ThrowHelper.ThrowObjectDisposed(reader._owner);
            }

            return Drained = reader.IsDrained();
        }
    }
}
