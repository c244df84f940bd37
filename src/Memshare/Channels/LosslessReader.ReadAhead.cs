using Memshare.Layout;

namespace Memshare.Channels;

/// <summary>
/// Reading ahead: looking at many waiting messages in place without consuming them, and consuming the oldest ones
/// later (see <see cref="SharedChannelReader.TryReadAhead"/>). Lossless channels only: the records must stay put.
/// </summary>
internal sealed unsafe partial class LosslessReader
{
    private long _aheadPosition;     // next record to read ahead (valid while _aheadCount > 0)
    private long _aheadSequence;     // its sequence number
    private int _aheadCount;         // messages read ahead and not yet consumed

    /// <summary>Messages read ahead and not yet consumed.</summary>
    internal int AheadCount => _aheadCount;

    internal bool TryReadAhead(out ReadOnlySpan<byte> message, out long sequence)
    {
        bool fresh = _aheadCount == 0;
        long position = fresh ? _position : _aheadPosition;
        int length = _ring.Next(ref position, out RecordHeader* header);
        if (length < 0)
        {
            if (length == RingView.Invalid)
            {
                ThrowBadRecord(position, header->Length);
            }

            message = default;
            sequence = 0;
            return false;
        }

        // A record keeps the low 32 bits of its number; the full one is the nearest to what we expect: the writer's
        // count when starting afresh (a record not yet counted is at most that number), else the previous one + 1.
        long expected = fresh ? Volatile.Read(ref _ring.Writer->Messages) : _aheadSequence;
        sequence = RingView.Sequence(header->Sequence, expected);
        _aheadSequence = sequence + 1;
        _aheadPosition = position + ChannelLayout.RecordSize(length);
        _aheadCount++;
        message = new ReadOnlySpan<byte>(header + 1, length);
        return true;
    }

    /// <summary>Consumes the <paramref name="count"/> oldest messages read ahead (at most <see cref="AheadCount"/>).</summary>
    internal void AdvanceReadAhead(int count)
    {
        long position = _position;
        for (int i = 0; i < count; i++)
        {
            int length = _ring.Next(ref position, out _); // read ahead already, so committed and unchanged since
            position += ChannelLayout.RecordSize(length);
        }

        _aheadCount -= count;
        Consume((int)(position - _position));
    }

    /// <summary>Forgets the messages read ahead.</summary>
    internal void RewindReadAhead() => _aheadCount = 0;
}
