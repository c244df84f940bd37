using System.Diagnostics;
using Memshare.Layout;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// Reads messages from a <see cref="SharedChannel"/>: copy out with <see cref="TryRead"/>, or read in place with
/// <see cref="TryPeek"/> then <see cref="Advance"/>. Not thread-safe: use one reader per thread.
/// </summary>
public sealed unsafe partial class SharedChannelReader : IDisposable
{
    private readonly SharedChannel _channel;
    private readonly ChannelReaderState* _state;
    private readonly bool _overrun;
    private long _position;      // next record to read; published to _state->Position when a read completes
    private uint _expected;      // sequence number of the next record, for counting overrun losses
    private int _peekedSize = -1;
    private readonly CallGate _gate;

    internal SharedChannelReader(SharedChannel channel, int index)
    {
        channel.Enter(); // the reader's reference on the mapping, dropped by Close
        try
        {
            _channel = channel;
            _gate = new CallGate(Close);
            Index = index;
            _state = channel.Reader(index);
            _overrun = channel.Mode == ChannelMode.Broadcast && channel.Overflow == ChannelOverflow.Overrun;
            Attach();
        }
        catch
        {
            channel.Exit();
            throw;
        }
    }

    /// <summary>The channel read from.</summary>
    public SharedChannel Channel => _channel;

    /// <summary>This reader's index: its durable identity on the channel.</summary>
    public int Index { get; }

    /// <summary>Overrun broadcast channels only: messages this reader index skipped because the writer lapped it.</summary>
    public long LostMessages
    {
        get
        {
            _gate.Enter(this);
            try
            {
                return Volatile.Read(ref _state->Lost);
            }
            finally
            {
                _gate.Exit();
            }
        }
    }

    /// <summary>How long a blocked read spins before it sleeps (default 50 µs; zero sleeps at once).</summary>
    public TimeSpan SpinDuration { get; set; } = SharedEvent.DefaultSpinDuration;

    /// <summary>
    /// Returns the next message in place, without consuming it; call <see cref="Advance"/> when done with it.
    /// The span is valid until <see cref="Advance"/> or <see cref="Dispose"/>, like <see cref="SharedMemory.Span"/>.
    /// Not available on overrun channels, where the writer may overwrite the bytes meanwhile. False if no message
    /// is waiting.
    /// </summary>
    public bool TryPeek(out ReadOnlySpan<byte> message)
    {
        _gate.Enter(this);
        try
        {
            if (_overrun)
            {
                throw new NotSupportedException(SR.Format(SR.ChannelPeekOverrun, _channel.Name));
            }

            RecordHeader* header = NextRecord(out int length);
            if (header == null)
            {
                message = default;
                return false;
            }

            _peekedSize = ChannelLayout.RecordSize(length);
            message = new ReadOnlySpan<byte>(header + 1, length);
            return true;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Consumes the message returned by <see cref="TryPeek"/>.</summary>
    public void Advance()
    {
        _gate.Enter(this);
        try
        {
            if (_peekedSize < 0)
            {
                throw new InvalidOperationException($"Channel '{_channel.Name}': call TryPeek before Advance.");
            }

            Consume(_peekedSize);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Copies the next message into <paramref name="destination"/> and consumes it; false if none is waiting.
    /// Allocates nothing. A destination of <see cref="SharedChannel.MaxMessageLength"/> bytes always suffices.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is too small; the message stays unread.</exception>
    public bool TryRead(Span<byte> destination, out int length)
    {
        _gate.Enter(this);
        try
        {
            return TryReadCore(destination, out length);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private bool TryReadCore(Span<byte> destination, out int length)
    {
        while (true)
        {
            // The length comes checked from NextRecord and is not read again: on an overrun channel the writer may
            // be overwriting the header meanwhile, and a second read could see anything.
            RecordHeader* header = NextRecord(out length);
            if (header == null)
            {
                length = 0;
                return false;
            }

            uint sequence = header->Sequence;
            if (length > destination.Length)
            {
                if (_overrun && Overwritten())
                {
                    continue; // the length was the writer's new bytes, not this record's
                }

                throw new ArgumentException(SR.Format(SR.ChannelBufferTooSmall, _channel.Name, destination.Length, length), nameof(destination));
            }

            new ReadOnlySpan<byte>(header + 1, length).CopyTo(destination);
            if (_overrun)
            {
                // Accept the copy only if the writer did not start overwriting it meanwhile (see TryClaim).
                if (Overwritten())
                {
                    continue;
                }

                CountLost(sequence);
            }

            Consume(ChannelLayout.RecordSize(length));
            return true;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until a message is waiting. False on timeout, or when the channel is
    /// complete and drained (check <see cref="SharedChannel.IsCompleted"/>).
    /// </summary>
    public bool WaitToRead(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        _gate.Enter(this);
        try
        {
            if (NextRecord() != null)
            {
                return true;
            }

            long timeoutMs = timeout == Timeout.InfiniteTimeSpan ? -1 : (long)timeout.TotalMilliseconds;
            WaitWord* w = _channel.Wait(ChannelLayout.DataWaitLine);
            var condition = new MessageWaiting(this);
            return SpinThenSleep.Wait(ref condition, _channel.DataWait, &w->Seq, &w->Waiters, (long)(SpinDuration.TotalSeconds * Stopwatch.Frequency),
                timeoutMs, static s => ((SharedChannel)s!).WakeReaders(all: true), _channel, cancellationToken);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Waits until a message is waiting (true) or the channel is complete and drained (false). Completes
    /// synchronously when a message is already there; otherwise blocks no thread of the caller's.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        _gate.Enter(this);
        try
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }

            if (NextRecord() != null)
            {
                return new ValueTask<bool>(true);
            }

            if (_channel.Completed && NextRecord() == null)
            {
                // Looked again after seeing the mark: a message committed before Complete() may have landed meanwhile.
                return new ValueTask<bool>(false);
            }

            _channel.AddRef(); // the wait keeps the mapping alive until it ends, even past this reader's Close
            return AsyncWaitHub.WaitAsync(_asyncWait ??= new AsyncWait(this), 0, -1, cancellationToken);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Every message until the channel is complete and drained, each copied into a new array.</summary>
    public IAsyncEnumerable<byte[]> ReadAllAsync(CancellationToken cancellationToken = default) => ChannelAsync.ReadAllAsync(this, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"SharedChannelReader '{_channel.Name}' #{Index}";

    /// <summary>
    /// Releases this reader index; its position stays, so a reader that attaches the same index later resumes
    /// here (and, on a broadcast channel, keeps holding back the writer until <see cref="Detach"/>).
    /// </summary>
    /// <remarks>A call in progress on another thread finishes first (a wait ends with <see cref="ObjectDisposedException"/>); the index is released when it returns.</remarks>
    public void Dispose()
    {
        if (_gate.IsClosing)
        {
            return;
        }

        _gate.Close();

        // Cut short a wait on another thread; the mapping may be gone already if Close ran.
        if (_channel.TryAddRef())
        {
            if (Volatile.Read(ref _channel.Wait(ChannelLayout.DataWaitLine)->Waiters) != 0)
            {
                _channel.WakeReaders(all: true);
            }

            _channel.Exit();
        }
    }

    /// <summary>Broadcast only: stops holding back the writer and closes; a later reader at this index starts afresh.</summary>
    public void Detach()
    {
        _gate.Enter(this);
        try
        {
            Volatile.Write(ref _state->Attached, 0);
            if (Volatile.Read(ref _channel.Wait(ChannelLayout.SpaceWaitLine)->Waiters) != 0)
            {
                _channel.WakeWriters();
            }
        }
        finally
        {
            _gate.Exit();
        }

        Dispose();
    }

    /// <summary>Runs once, when no call is inside: releases the reader index, then this reader's reference on the mapping.</summary>
    private void Close()
    {
        try
        {
            Interlocked.CompareExchange(ref _state->Owner, 0, OwnerToken.Current);
        }
        finally
        {
            _channel.Exit();
        }
    }


    /// <summary>A message is waiting; finished when the channel is complete and drained.</summary>
    private readonly struct MessageWaiting(SharedChannelReader reader) : IWaitCondition
    {
        public bool IsMet() => reader.NextRecord() != null;

        // Look again after seeing the mark: a message committed before Complete() may have landed after the look
        // that failed, and "finished" must mean drained.
        public bool IsFinished()
        {
            if (reader._gate.IsClosing)
            {
                ThrowHelper.ThrowObjectDisposed(reader);
            }

            return reader._channel.Completed && reader.NextRecord() == null;
        }
    }

    private AsyncWait? _asyncWait;

    /// <summary>The async waits for the next message, for <see cref="AsyncWaitHub"/>.</summary>
    private sealed class AsyncWait(SharedChannelReader reader) : IAsyncWaitSource
    {
        public int* SeqWord => &reader._channel.Wait(ChannelLayout.DataWaitLine)->Seq;

        public int* WaitersWord => &reader._channel.Wait(ChannelLayout.DataWaitLine)->Waiters;

        public WaitChannel Channel => reader._channel.DataWait;

        public AsyncWaitPoll Poll(int argument) =>
            reader._gate.IsClosing ? AsyncWaitPoll.Closed
            : reader.NextRecord() != null ? AsyncWaitPoll.Ready
            : reader._channel.Completed && reader.NextRecord() == null ? AsyncWaitPoll.Finished
            : AsyncWaitPoll.NotReady;

        public void ReleaseWait() => reader._channel.Exit();
    }

    /// <summary>The committed record at our position (skipping padding), or null if the next one is not committed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RecordHeader* NextRecord() => NextRecord(out _);

    /// <summary>As <see cref="NextRecord()"/>, with the record's length, checked to lie within the ring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RecordHeader* NextRecord(out int length)
    {
        while (true)
        {
            long claim;
            if (_overrun && (claim = Volatile.Read(ref _channel.Writer->Claim)) - _position > _channel.Capacity)
            {
                CatchUp(claim);
            }

            long offset = _position & _channel.Mask;
            RecordHeader* header = (RecordHeader*)(_channel.Data + offset);
            if (Volatile.Read(ref header->Tag) != ((ulong)_position ^ _channel.Salt))
            {
                length = 0;
                return null; // not committed yet (or an older lap's bytes)
            }

            length = header->Length;
            if (length == ChannelLayout.PaddingLength)
            {
                _position += _channel.Capacity - offset;
                continue;
            }

            if ((uint)length > (uint)_channel.MaxMessageLength || offset + ChannelLayout.RecordSize(length) > _channel.Capacity)
            {
                if (_overrun && Overwritten())
                {
                    continue; // overwritten while we looked; the claim check above catches up
                }

                // Committed (its tag matches) and not being overwritten, yet impossible: corrupt, not a race.
                _channel.ThrowCorrupt($"record at position {_position} has length {length}");
            }

            return header;
        }
    }

    /// <summary>Overrun: whether the writer may have started overwriting the record at our position (see TryClaim).</summary>
    private bool Overwritten()
    {
        Interlocked.MemoryBarrier(); // our reads of the record before the claim, which the writer stores before writing
        return Volatile.Read(ref _channel.Writer->Claim) - _position > _channel.Capacity;
    }

    private void Consume(int recordSize)
    {
        _peekedSize = -1;
        _position += recordSize;
        _expected++;
        Interlocked.Exchange(ref _state->Position, _position); // full fence: published before we look for sleepers
        if (!_overrun && Volatile.Read(ref _channel.Wait(ChannelLayout.SpaceWaitLine)->Waiters) != 0)
        {
            _channel.WakeWriters();
        }
    }

    /// <summary>
    /// Overrun: the writer lapped us (it may be writing up to <paramref name="claim"/>); jump to the newest record, or,
    /// if the claim reaches even that one, to the writer's position (a claim never reaches a whole ring past the
    /// position that was published before it, which we read after it). A value that breaks that is corrupt, and
    /// would otherwise have us chase it for ever.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CatchUp(long claim)
    {
        long target = Volatile.Read(ref _channel.Writer->Latest);
        if (claim - target > _channel.Capacity)
        {
            target = Volatile.Read(ref _channel.Writer->Position);
        }

        if (target < 0 || (target & (ChannelLayout.RecordAlignment - 1)) != 0 || claim - target > _channel.Capacity)
        {
            _channel.ThrowCorrupt($"writer claim {claim} is more than a ring ahead of its position {target}");
        }

        _position = Math.Max(target, _position);
    }

    private void CountLost(uint sequence)
    {
        uint lost = sequence - _expected;
        if (lost != 0 && lost < int.MaxValue)
        {
            Interlocked.Add(ref _state->Lost, lost);
        }

        _expected = sequence;
    }

    /// <summary>Claims this reader index and loads its position, checking everything another process wrote.</summary>
    private void Attach()
    {
        if (!RobustLock.TryClaim(ref _state->Owner, out ulong owner, out _))
        {
            throw new InvalidOperationException(SR.Format(SR.ChannelRoleTaken, _channel.Name, $"reader {Index}", OwnerToken.Pid(owner),
                _channel.Mode == ChannelMode.Broadcast ? "broadcast reader index of a" : "single-reader",
                _channel.Mode == ChannelMode.Broadcast ? "another reader index" : "ChannelMode.Broadcast for several readers"));
        }

        long tail = Volatile.Read(ref _channel.Writer->Position);
        if (_channel.Mode == ChannelMode.Broadcast && Volatile.Read(ref _state->Attached) == 0)
        {
            // A new broadcast reader starts with the next message.
            Volatile.Write(ref _state->Position, tail);
            Volatile.Write(ref _state->Lost, 0);
            Volatile.Write(ref _state->Attached, 1);
        }

        long position = Volatile.Read(ref _state->Position);
        if (position > tail && tail >= 0)
        {
            // A writer may have died after committing records but before publishing its position.
            tail = _channel.CommittedEnd(tail);
        }

        if (position < 0 || (position & (ChannelLayout.RecordAlignment - 1)) != 0 || position > tail
            || (!_overrun && tail - position > _channel.Capacity))
        {
            Interlocked.CompareExchange(ref _state->Owner, 0, OwnerToken.Current);
            _channel.ThrowCorrupt($"reader {Index} position {position} is not within the ring behind writer position {tail}");
        }

        _position = position;
        RecordHeader* header = (RecordHeader*)(_channel.Data + (position & _channel.Mask));
        _expected = Volatile.Read(ref header->Tag) == ((ulong)position ^ _channel.Salt)
            ? header->Sequence
            : (uint)Volatile.Read(ref _channel.Writer->Messages);
    }
}
