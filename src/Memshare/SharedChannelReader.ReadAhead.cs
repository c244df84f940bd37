using Memshare.Layout;

namespace Memshare;

/// <summary>
/// Reading ahead: looking at many waiting messages in place without consuming them, and consuming the oldest ones
/// later. A forwarder keeps many messages in flight and consumes each only once it is safe elsewhere, so a crash
/// loses nothing: the reader index's position still points at the first unconfirmed message.
/// </summary>
public sealed unsafe partial class SharedChannelReader
{
    private long _aheadPosition;     // next record to read ahead (valid while _aheadCount > 0 or after the first read)
    private long _aheadSequence;     // its sequence number
    private int _aheadCount;         // messages read ahead and not yet consumed

    /// <summary>
    /// Returns the message after the ones already read ahead (at first, the next unconsumed message) in place, with
    /// its sequence number on the channel (0 for the first message ever written), consuming nothing. The span stays
    /// valid until <see cref="AdvanceReadAhead"/> consumes the message. False if no further message is waiting. Not
    /// available on overrun channels; do not mix with <see cref="TryRead"/> or <see cref="TryPeek"/> while messages
    /// are read ahead.
    /// </summary>
    public bool TryReadAhead(out ReadOnlySpan<byte> message, out long sequence)
    {
        _gate.Enter(this);
        try
        {
            return TryReadAheadCore(out message, out sequence);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private bool TryReadAheadCore(out ReadOnlySpan<byte> message, out long sequence)
    {
        if (_overrun)
        {
            throw new NotSupportedException(SR.Format(SR.ChannelPeekOverrun, _channel.Name));
        }

        bool fresh = _aheadCount == 0;
        long position = fresh ? _position : _aheadPosition;
        RecordHeader* header = RecordAt(ref position, out int length);
        if (header == null)
        {
            message = default;
            sequence = 0;
            return false;
        }

        // A record keeps the low 32 bits of its number; the full one is the nearest to what we expect: the writer's
        // count when starting afresh (a record not yet counted is at most that number), else the previous one + 1.
        long expected = fresh ? Volatile.Read(ref _channel.Writer->Messages) : _aheadSequence;
        sequence = expected + (int)(header->Sequence - (uint)expected);
        _aheadSequence = sequence + 1;
        _aheadPosition = position + ChannelLayout.RecordSize(length);
        _aheadCount++;
        message = new ReadOnlySpan<byte>(header + 1, length);
        return true;
    }

    /// <summary>Consumes the <paramref name="count"/> oldest messages returned by <see cref="TryReadAhead"/>, freeing their room for the writer.</summary>
    public void AdvanceReadAhead(int count)
    {
        _gate.Enter(this);
        try
        {
            AdvanceReadAheadCore(count);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void AdvanceReadAheadCore(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _aheadCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Channel '{_channel.Name}': only {_aheadCount} messages are read ahead; read them with TryReadAhead before advancing past them.");
        }

        long position = _position;
        for (int i = 0; i < count; i++)
        {
            _ = RecordAt(ref position, out int length); // read ahead already, so committed and unchanged since
            position += ChannelLayout.RecordSize(length);
        }

        _aheadCount -= count;
        _peekedSize = -1;
        _position = position;
        _expected += (uint)count;
        Interlocked.Exchange(ref _state->Position, position); // full fence: published before we look for sleepers
        if (Volatile.Read(ref _channel.Wait(ChannelLayout.SpaceWaitLine)->Waiters) != 0)
        {
            _channel.WakeWriters();
        }
    }

    /// <summary>Forgets the messages read ahead: the next <see cref="TryReadAhead"/> starts again at the first unconsumed one.</summary>
    public void RewindReadAhead()
    {
        _gate.Enter(this);
        try
        {
            RewindReadAheadCore();
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void RewindReadAheadCore()
    {
        _aheadCount = 0;
    }

    /// <summary>The committed record at <paramref name="position"/> (moved past padding), or null; its length checked to lie within the ring.</summary>
    private RecordHeader* RecordAt(ref long position, out int length)
    {
        while (true)
        {
            long offset = position & _channel.Mask;
            RecordHeader* header = (RecordHeader*)(_channel.Data + offset);
            if (Volatile.Read(ref header->Tag) != ((ulong)position ^ _channel.Salt))
            {
                length = 0;
                return null;
            }

            length = header->Length;
            if (length == ChannelLayout.PaddingLength)
            {
                position += _channel.Capacity - offset;
                continue;
            }

            if ((uint)length > (uint)_channel.MaxMessageLength || offset + ChannelLayout.RecordSize(length) > _channel.Capacity)
            {
                _channel.ThrowCorrupt($"record at position {position} has length {length}");
            }

            return header;
        }
    }
}
