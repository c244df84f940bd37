using Memshare.Layout;

namespace Memshare.Channels;

/// <summary>The writer engine compiled for one mode (<see cref="IWriterMode"/>): the hot path, claim to publish.</summary>
internal sealed unsafe class RingWriter<TMode>(RingView ring, RingSignals signals, Sync.CallGate gate, object owner)
    : RingWriter(ring, signals, gate, owner)
    where TMode : struct, IWriterMode
{
    internal override bool Attach() => TMode.LocksPerMessage || TakeRole(wait: false);

    internal override bool TryWrite(ReadOnlySpan<byte> message)
    {
        if (!Claim(message.Length, out Span<byte> buffer))
        {
            return false;
        }

        BulkCopy.Copy(message, buffer);
        Publish();
        return true;
    }

    internal override bool TryWrite(ReadOnlySpan<byte> message, long checkpoint)
    {
        if (!Claim(message.Length, out Span<byte> buffer))
        {
            return false;
        }

        BulkCopy.Copy(message, buffer);
        SetCheckpoint(checkpoint);
        Publish();
        return true;
    }

    internal override bool TryClaim(int length, out Span<byte> buffer) => Claim(length, out buffer);

    internal override void Commit() => Publish();

    internal override void Abandon()
    {
        if (_claimPosition < 0)
        {
            return;
        }

        _claimPosition = -1;
        Volatile.Write(ref _ring.Writer->Position, _tail); // a padding record may have been committed
        if (TMode.LocksPerMessage)
        {
            ReleaseRole();
        }
    }

    internal override void Detach()
    {
        Abandon();
        if (!TMode.LocksPerMessage)
        {
            ReleaseRole();
        }
    }

    internal override bool HasSpace(int length) => TMode.HasSpace(this, length);

    private protected override long SlowestReader() => TMode.SlowestReader(this);

    /// <summary>Reserves a record of <paramref name="length"/> bytes (after padding to the ring's end if it would not fit there).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Claim(int length, out Span<byte> buffer)
    {
        if (TMode.LocksPerMessage)
        {
            TakeRole(wait: true);
        }

        int size = ChannelLayout.RecordSize(length);
        long capacity = _ring.Capacity;
        long tail = _tail;
        long offset = tail & _ring.Mask;
        long padding = capacity - offset < size ? capacity - offset : 0;
        if (!TMode.Reserve(this, tail + padding + size))
        {
            buffer = default;
            return false;
        }

        if (padding > 0)
        {
            RecordHeader* pad = (RecordHeader*)(_ring.Data + offset);
            pad->Length = ChannelLayout.PaddingLength;
            pad->Sequence = (uint)_sequence;
            Volatile.Write(ref pad->Tag, (ulong)tail ^ _ring.Salt); // the padding's commit, like a record's
            tail += padding;
            _tail = tail;
            offset = 0;
        }

        RecordHeader* header = (RecordHeader*)(_ring.Data + offset);
        header->Length = length;
        header->Sequence = (uint)_sequence;
        _claimPosition = tail;
        _claimLength = length;
        buffer = new Span<byte>(header + 1, length);
        return true;
    }

    /// <summary>Commits the claimed record, then publishes the count and position and wakes sleeping readers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Publish()
    {
        long position = _claimPosition;
        RecordHeader* header = _ring.Header(position);
        Volatile.Write(ref header->Tag, (ulong)position ^ _ring.Salt); // the commit: pairs with the reader's acquire load of the tag
        long tail = position + ChannelLayout.RecordSize(_claimLength);
        long sequence = _sequence + 1;
        _tail = tail;
        _sequence = sequence;
        _claimPosition = -1;
        ChannelWriterState* w = _ring.Writer;
        w->Messages = sequence;
        w->Latest = position;
        Volatile.Write(ref w->Position, tail); // no full fence before the look for sleepers: SpinThenSleep.RaceWindowMicroseconds
        if (TMode.LocksPerMessage)
        {
            ReleaseRole();
        }

        if (_signals.ReadersWaiting)
        {
            _signals.WakeReaders(all: TMode.WakesAllReaders);
        }
    }
}
