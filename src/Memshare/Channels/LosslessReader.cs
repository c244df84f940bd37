using System.Diagnostics.CodeAnalysis;
using Memshare.Layout;

namespace Memshare.Channels;

/// <summary>
/// A reader whose writer waits for it (single-producer, multi-producer, broadcast with back-pressure): a committed
/// record stays put until this reader moves past it, so it can be read in place.
/// </summary>
internal sealed unsafe partial class LosslessReader(RingView ring, RingSignals signals, int index, Sync.CallGate gate, object owner)
    : RingReader(ring, signals, index, gate, owner)
{
    internal override bool TryRead(Span<byte> destination, out int length)
    {
        RecordHeader* header = Next(out length);
        if (header == null)
        {
            length = 0;
            return false;
        }

        if (length > destination.Length)
        {
            ThrowTooSmall(destination, length);
        }

        BulkCopy.Copy(new ReadOnlySpan<byte>(header + 1, length), destination);
        Consume(ChannelLayout.RecordSize(length));
        return true;
    }

    /// <summary>The next message in place, not consumed until <see cref="RingReader.Advance"/>.</summary>
    internal bool TryPeek(out ReadOnlySpan<byte> message)
    {
        RecordHeader* header = Next(out int length);
        if (header == null)
        {
            message = default;
            return false;
        }

        _peekedSize = ChannelLayout.RecordSize(length);
        message = new ReadOnlySpan<byte>(header + 1, length);
        return true;
    }

    internal override bool HasMessage() => Next(out _) != null;

    private protected override bool MayTrail(long behind) => behind <= _ring.Capacity;

    private protected override void Consume(int recordSize)
    {
        long position = MovePast(recordSize);
        Volatile.Write(ref _state->Position, position); // no full fence before the look for sleepers: SpinThenSleep.RaceWindowMicroseconds
        if (_signals.WritersWaiting)
        {
            _signals.WakeWriters();
        }
    }

    /// <summary>The committed record at our position (moved past padding), or null; a committed record that cannot be right is corruption.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RecordHeader* Next(out int length)
    {
        long position = _position;
        length = _ring.Next(ref position, out RecordHeader* header);
        _position = position;
        if (length < 0)
        {
            if (length == RingView.Invalid)
            {
                ThrowBadRecord(position, header->Length);
            }

            return null;
        }

        return header;
    }

    [DoesNotReturn]
    private void ThrowBadRecord(long position, int length) => _ring.ThrowCorrupt($"record at position {position} has length {length}");

    [DoesNotReturn]
    private void ThrowTooSmall(Span<byte> destination, int length) =>
        throw new ArgumentException(SR.Format(SR.ChannelBufferTooSmall, _ring.Name, destination.Length, length), nameof(destination));
}
