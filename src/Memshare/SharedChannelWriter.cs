using System.Diagnostics;
using Memshare.Layout;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// Writes messages to a <see cref="SharedChannel"/>: copy in with <see cref="TryWrite(ReadOnlySpan{byte})"/>, or write in place with
/// <see cref="TryClaim"/> then <see cref="Commit()"/>. Not thread-safe: use one writer per thread.
/// </summary>
public sealed unsafe partial class SharedChannelWriter : IDisposable
{
    private readonly SharedChannel _channel;
    private readonly bool _multi;
    private readonly bool _overrun;
    private long _tail;          // next record position (authoritative while this writer holds the role)
    private long _sequence;      // next record's sequence number
    private long _cachedHead;    // the slowest reader's position, refreshed only when space seems short
    private long _claimPosition = -1;
    private int _claimLength;
    private readonly CallGate _gate;

    internal SharedChannelWriter(SharedChannel channel)
    {
        channel.Enter(); // the writer's reference on the mapping, dropped by Close
        try
        {
            _channel = channel;
            _gate = new CallGate(Close);
            _multi = channel.Mode == ChannelMode.MultiProducer;
            _overrun = channel.Mode == ChannelMode.Broadcast && channel.Overflow == ChannelOverflow.Overrun;
            if (!_multi)
            {
                if (!TakeRole(wait: false))
                {
                    ulong owner = Volatile.Read(ref *channel.WriterLock);
                    throw new InvalidOperationException(SR.Format(SR.ChannelRoleTaken, channel.Name, "writer", OwnerToken.Pid(owner),
                        channel.Mode == ChannelMode.Broadcast ? "broadcast" : "single-producer", "ChannelMode.MultiProducer for several writers"));
                }

            }

            // A writer that attaches reopens a completed channel (with several multi-producer writers, the first
            // Complete() ends the readers' ReadAllAsync).
            Volatile.Write(ref channel.Writer->Completed, 0);
        }
        catch
        {
            channel.Exit();
            throw;
        }
    }

    /// <summary>The channel written to.</summary>
    public SharedChannel Channel => _channel;

    /// <summary>How long a blocked write spins before it sleeps (default 50 µs; zero sleeps at once).</summary>
    public TimeSpan SpinDuration { get; set; } = SharedEvent.DefaultSpinDuration;

    /// <summary>Copies <paramref name="message"/> into the channel; false if there is no room now. Allocates nothing.</summary>
    /// <exception cref="ArgumentException">The message is larger than <see cref="SharedChannel.MaxMessageLength"/>; nothing was written.</exception>
    public bool TryWrite(ReadOnlySpan<byte> message)
    {
        _gate.Enter(this);
        try
        {
            return TryWriteCore(message);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Reserves room for a message of <paramref name="length"/> bytes and returns it to fill in place; nothing is
    /// visible to readers until <see cref="Commit()"/>. False if there is no room now. The buffer is valid until
    /// <see cref="Commit()"/>, <see cref="Abandon"/> or <see cref="Dispose"/>, like <see cref="SharedMemory.Span"/>.
    /// </summary>
    public bool TryClaim(int length, out Span<byte> buffer)
    {
        _gate.Enter(this);
        try
        {
            return TryClaimCore(length, out buffer);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private bool TryWriteCore(ReadOnlySpan<byte> message)
    {
        if (!TryClaimCore(message.Length, out Span<byte> buffer))
        {
            return false;
        }

        message.CopyTo(buffer);
        CommitCore();
        return true;
    }

    private bool TryClaimCore(int length, out Span<byte> buffer)
    {
        if ((uint)length > (uint)_channel.MaxMessageLength)
        {
            ThrowTooLarge(length);
        }

        if (_claimPosition >= 0)
        {
            throw new InvalidOperationException(SR.Format(SR.ChannelClaimPending, _channel.Name));
        }

        if (_multi)
        {
            TakeRole(wait: true);
        }

        int size = ChannelLayout.RecordSize(length);
        long capacity = _channel.Capacity;
        long offset = _tail & _channel.Mask;
        long padding = capacity - offset < size ? capacity - offset : 0;
        long end = _tail + padding + size;
        if (_overrun)
        {
            // Tell readers which bytes may change under them before changing any (see SharedChannelReader). Never
            // lower it: a writer that died mid-claim may have overwritten bytes up to its own, higher claim.
            Volatile.Write(ref _channel.Writer->Claim, Math.Max(end, Volatile.Read(ref _channel.Writer->Claim)));
            Interlocked.MemoryBarrier();
        }
        else if (end - _cachedHead > capacity && end - (_cachedHead = _multi ? SlowestReaderLocked() : SlowestReader()) > capacity)
        {
            if (_multi)
            {
                ReleaseRole();
            }

            buffer = default;
            return false;
        }

        if (padding > 0)
        {
            RecordHeader* pad = (RecordHeader*)(_channel.Data + offset);
            pad->Length = ChannelLayout.PaddingLength;
            pad->Sequence = (uint)_sequence;
            Volatile.Write(ref pad->Tag, (ulong)_tail ^ _channel.Salt);
            _tail += padding;
            offset = 0;
        }

        RecordHeader* header = (RecordHeader*)(_channel.Data + offset);
        header->Length = length;
        header->Sequence = (uint)_sequence;
        _claimPosition = _tail;
        _claimLength = length;
        buffer = new Span<byte>(header + 1, length);
        return true;
    }

    /// <summary>Publishes the claimed message: readers see all of it or none of it.</summary>
    public void Commit()
    {
        _gate.Enter(this);
        try
        {
            CommitCore();
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void CommitCore()
    {
        long position = _claimPosition;
        if (position < 0)
        {
            throw new InvalidOperationException(SR.Format(SR.ChannelNoClaim, _channel.Name));
        }

        RecordHeader* header = (RecordHeader*)(_channel.Data + (position & _channel.Mask));
        Volatile.Write(ref header->Tag, (ulong)position ^ _channel.Salt); // the commit: pairs with the reader's tag load
        _tail = position + ChannelLayout.RecordSize(_claimLength);
        _sequence++;
        _claimPosition = -1;
        Publish(position);
    }

    /// <summary>Publishes only the first <paramref name="length"/> bytes of the claimed buffer.</summary>
    public void Commit(int length)
    {
        _gate.Enter(this);
        try
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _claimLength);
            if (_claimPosition >= 0)
            {
                ((RecordHeader*)(_channel.Data + (_claimPosition & _channel.Mask)))->Length = length;
                _claimLength = length;
            }

            CommitCore();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Drops the claimed message without publishing it.</summary>
    public void Abandon()
    {
        _gate.Enter(this);
        try
        {
            AbandonCore();
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void AbandonCore()
    {
        if (_claimPosition < 0)
        {
            return;
        }

        _claimPosition = -1;
        Volatile.Write(ref _channel.Writer->Position, _tail); // a padding record may have been committed
        if (_multi)
        {
            ReleaseRole();
        }
    }

    /// <summary>Writes <paramref name="message"/>, waiting for room up to <paramref name="timeout"/>; false on timeout.</summary>
    public bool TryWrite(ReadOnlySpan<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        _gate.Enter(this);
        try
        {
            if (TryWriteCore(message))
            {
                return true;
            }

            long start = Stopwatch.GetTimestamp();
            while (true)
            {
                long remaining = Remaining(start, timeout);
                if (remaining == 0 || !WaitForSpace(message.Length, remaining, cancellationToken))
                {
                    return false;
                }

                if (TryWriteCore(message))
                {
                    return true;
                }
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Writes <paramref name="message"/>, waiting for room as long as it takes.</summary>
    public void Write(ReadOnlySpan<byte> message, CancellationToken cancellationToken = default) =>
        _ = TryWrite(message, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Writes <paramref name="message"/>, waiting asynchronously for room. Completes synchronously when there is
    /// room; otherwise blocks no thread of the caller's.
    /// </summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return TryWrite(message.Span) ? ValueTask.CompletedTask : WriteSlowAsync(message, cancellationToken);
    }

    /// <summary>
    /// Marks the channel complete: once readers have drained it, <see cref="SharedChannelReader.WaitToReadAsync"/>
    /// returns false. A writer that attaches later clears the mark.
    /// </summary>
    public void Complete()
    {
        _gate.Enter(this);
        try
        {
            Interlocked.Exchange(ref _channel.Writer->Completed, 1);
            _channel.WakeReaders(all: true);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"SharedChannelWriter '{_channel.Name}'";

    /// <summary>
    /// Abandons any claim, gives up the writer role and detaches from the channel. A call in progress on another
    /// thread finishes first (a wait for room ends with <see cref="ObjectDisposedException"/>); the role is given up
    /// when it returns.
    /// </summary>
    public void Dispose()
    {
        if (_gate.IsClosing)
        {
            return;
        }

        _gate.Close();

        // Cut short a wait for room on another thread; the mapping may be gone already if Close ran.
        if (_channel.TryAddRef())
        {
            if (Volatile.Read(ref _channel.Wait(ChannelLayout.SpaceWaitLine)->Waiters) != 0)
            {
                _channel.WakeWriters();
            }

            _channel.Exit();
        }
    }

    /// <summary>Runs once, when no call is inside: gives up the claim and the role, then this writer's reference on the mapping.</summary>
    private void Close()
    {
        try
        {
            AbandonCore();
            if (!_multi)
            {
                ReleaseRole();
            }
        }
        finally
        {
            _channel.Exit();
        }
    }


    private void Publish(long recordPosition)
    {
        ChannelWriterState* w = _channel.Writer;
        w->Messages = _sequence;
        w->Latest = recordPosition;
        Interlocked.Exchange(ref w->Position, _tail); // full fence: the commit is visible before we look for sleepers
        if (_multi)
        {
            ReleaseRole();
        }

        if (Volatile.Read(ref _channel.Wait(ChannelLayout.DataWaitLine)->Waiters) != 0)
        {
            _channel.WakeReaders(all: _channel.Mode == ChannelMode.Broadcast);
        }
    }

    /// <summary>Takes the writer lock (waiting if asked), recovering it from a dead owner, and syncs the tail.</summary>
    private bool TakeRole(bool wait)
    {
        ref ulong word = ref *_channel.WriterLock;
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
            recovered = RobustLock.Acquire(ref word, _channel.Name);
        }

        if (recovered)
        {
            Interlocked.Increment(ref *(_channel.WriterLock + 1));
        }

        try
        {
            SyncTail();
        }
        catch
        {
            ReleaseRole(); // a corrupt channel must not leave the role (or the per-message lock) held by a live process
            throw;
        }

        return true;
    }

    private void ReleaseRole() => RobustLock.Release(ref *_channel.WriterLock);

    /// <summary>
    /// Reads the committed tail and moves past records that a writer which died committed without publishing
    /// the tail. Checks every value read, since another process wrote it.
    /// </summary>
    private void SyncTail()
    {
        ChannelWriterState* w = _channel.Writer;
        long tail = Volatile.Read(ref w->Position);
        long sequence = Volatile.Read(ref w->Messages);
        if (tail < 0 || (tail & (ChannelLayout.RecordAlignment - 1)) != 0 || sequence < 0)
        {
            _channel.ThrowCorrupt($"writer position {tail} or message count {sequence} is invalid");
        }

        long capacity = _channel.Capacity;
        for (int scanned = 0; scanned < capacity / ChannelLayout.RecordAlignment; scanned++)
        {
            long offset = tail & _channel.Mask;
            RecordHeader* header = (RecordHeader*)(_channel.Data + offset);
            if (Volatile.Read(ref header->Tag) != ((ulong)tail ^ _channel.Salt))
            {
                break;
            }

            int length = header->Length;
            if (length == ChannelLayout.PaddingLength)
            {
                tail += capacity - offset;
                continue;
            }

            if ((uint)length > (uint)_channel.MaxMessageLength || offset + ChannelLayout.RecordSize(length) > capacity)
            {
                _channel.ThrowCorrupt($"record at position {tail} has length {length}");
            }

            // The record holds the low 32 bits of its number; the full one is the nearest to what we have (which a
            // writer that died before publishing its position may or may not have advanced already).
            sequence += (int)(header->Sequence - (uint)sequence) + 1;
            tail += ChannelLayout.RecordSize(length);
        }

        _tail = tail;
        _sequence = sequence;
        _cachedHead = _overrun ? tail : SlowestReader();
        Volatile.Write(ref w->Messages, sequence);
        Volatile.Write(ref w->Position, tail);
        ForgetUncommittedCheckpoint();
    }

    /// <summary>Multi-producer: <see cref="SlowestReader"/> while holding the per-message lock, which a corrupt position must not leave held.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long SlowestReaderLocked()
    {
        try
        {
            return SlowestReader();
        }
        catch
        {
            ReleaseRole();
            throw;
        }
    }

    /// <summary>The position no write may pass: the slowest attached reader, checked against the tail.</summary>
    private long SlowestReader()
    {
        long head = _tail;
        for (int i = 0; i < _channel.MaxReaders; i++)
        {
            ChannelReaderState* r = _channel.Reader(i);
            if (_channel.Mode == ChannelMode.Broadcast && Volatile.Read(ref r->Attached) == 0)
            {
                continue;
            }

            long p = Volatile.Read(ref r->Position);
            if (p > _tail || _tail - p > _channel.Capacity)
            {
                _channel.ThrowCorrupt($"reader {i} position {p} is outside the ring behind writer position {_tail}");
            }

            head = Math.Min(head, p);
        }

        return head;
    }

    private bool WaitForSpace(int length, long timeoutMs, CancellationToken cancellationToken)
    {
        WaitWord* w = _channel.Wait(ChannelLayout.SpaceWaitLine);
        var condition = new Room(this, length);
        return SpinThenSleep.Wait(ref condition, _channel.SpaceWait, &w->Seq, &w->Waiters, (long)(SpinDuration.TotalSeconds * Stopwatch.Frequency),
            timeoutMs, static s => ((SharedChannel)s!).WakeWriters(), _channel, cancellationToken);
    }

    /// <summary>There may be room for a message of the given length.</summary>
    private readonly struct Room(SharedChannelWriter writer, int length) : IWaitCondition
    {
        public bool IsMet() => writer.HasSpace(length);

        public bool IsFinished()
        {
            if (writer._gate.IsClosing)
            {
                ThrowHelper.ThrowObjectDisposed(writer);
            }

            return false;
        }
    }

    private bool HasSpace(int length)
    {
        long tail = _tail;
        long head;
        if (_multi)
        {
            // Another writer may own the tail: judge from the shared one (TryClaim decides under the lock). Without
            // the lock the shared tail may lag a record that a writer committed but has not published yet (or never
            // will: it died), which the reader may already have consumed; so a reader ahead of it means "try".
            head = Volatile.Read(ref _channel.Reader(0)->Position);
            tail = Volatile.Read(ref _channel.Writer->Position);
            if (head > tail)
            {
                return true;
            }
        }
        else
        {
            head = _cachedHead = SlowestReader();
        }

        long offset = tail & _channel.Mask;
        int size = ChannelLayout.RecordSize(length);
        long padding = _channel.Capacity - offset < size ? _channel.Capacity - offset : 0;
        return tail + padding + size - head <= _channel.Capacity;
    }

    private ValueTask WriteSlowAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        ChannelAsync.WriteAsync(this, message, cancellationToken);

    /// <summary>Waits without a thread until there may be room for <paramref name="length"/> bytes.</summary>
    internal ValueTask<bool> WaitForSpaceAsync(int length, CancellationToken cancellationToken)
    {
        _gate.Enter(this);
        try
        {
            _channel.AddRef(); // the wait keeps the mapping alive until it ends, even past this writer's Close
            return AsyncWaitHub.WaitAsync(_asyncWait ??= new AsyncWait(this), length, -1, cancellationToken);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private AsyncWait? _asyncWait;

    /// <summary>The async waits for room (for the length each wait passes), for <see cref="AsyncWaitHub"/>.</summary>
    private sealed class AsyncWait(SharedChannelWriter writer) : IAsyncWaitSource
    {
        public int* SeqWord => &writer._channel.Wait(ChannelLayout.SpaceWaitLine)->Seq;

        public int* WaitersWord => &writer._channel.Wait(ChannelLayout.SpaceWaitLine)->Waiters;

        public WaitChannel Channel => writer._channel.SpaceWait;

        public AsyncWaitPoll Poll(int length) =>
            writer._gate.IsClosing ? AsyncWaitPoll.Closed : writer.HasSpace(length) ? AsyncWaitPoll.Ready : AsyncWaitPoll.NotReady;

        public void ReleaseWait() => writer._channel.Exit();
    }

    private static long Remaining(long start, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        return Math.Max(0, (long)(timeout - Stopwatch.GetElapsedTime(start)).TotalMilliseconds);
    }

    private void ThrowTooLarge(int length) =>
        throw new ArgumentException(SR.Format(SR.ChannelMessageTooLarge, _channel.Name, length, _channel.MaxMessageLength), nameof(length));
}
