using Memshare.Layout;

namespace Memshare.Channels;

/// <summary>
/// A reader of an overrun broadcast channel: the writer never waits, so a record may be overwritten while we copy
/// it. The writer announces in <c>Claim</c> the end of the bytes it may be changing before it changes any; a copy
/// counts only if, after it, our position is still within a ring of the claim. A lapped reader jumps to the newest
/// record and adds to <c>Lost</c> exactly the gap in sequence numbers between the last message this index
/// consumed and the next one it returns; the index's next expected number lives in shared memory, so the count
/// survives the process.
/// </summary>
internal sealed unsafe class OverrunReader(RingView ring, RingSignals signals, int index, Sync.CallGate gate, object owner)
    : RingReader(ring, signals, index, gate, owner)
{
    private long _expected; // sequence number after the last message this index consumed (published as NextSequence)

    internal override bool TryRead(Span<byte> destination, out int length)
    {
        while (true)
        {
            // The length comes checked from Next and is not read again: the writer may be overwriting the header
            // meanwhile, and a second read could see anything.
            RecordHeader* header = Next(out length);
            if (header == null)
            {
                length = 0;
                return false;
            }

            uint low = header->Sequence;
            if (length > destination.Length)
            {
                if (Overwritten())
                {
                    continue; // the length was the writer's new bytes, not this record's
                }

                throw new ArgumentException(SR.Format(SR.ChannelBufferTooSmall, _ring.Name, destination.Length, length), nameof(destination));
            }

            BulkCopy.Copy(new ReadOnlySpan<byte>(header + 1, length), destination);
            if (Overwritten())
            {
                continue; // the writer started overwriting it meanwhile
            }

            long sequence = RingView.Sequence(low, _expected);
            if (sequence > _expected)
            {
                Interlocked.Add(ref _state->Lost, sequence - _expected);
            }

            // A record older than expected is one this index consumed already but had not yet published its position
            // for when its process died: nothing was lost.
            _expected = sequence + 1;
            Consume(ChannelLayout.RecordSize(length));
            return true;
        }
    }

    internal override bool HasMessage() => Next(out _) != null;

    /// <summary>A lapped reader may be any distance behind: it catches up on its next read.</summary>
    private protected override bool MayTrail(long behind) => true;

    private protected override void OnAttached() => _expected = Volatile.Read(ref _state->NextSequence);

    private protected override void Consume(int recordSize)
    {
        long position = MovePast(recordSize);

        // NextSequence first: a process that dies between the two stores re-reads the record and counts no loss,
        // rather than skipping it and counting one.
        Volatile.Write(ref _state->NextSequence, _expected);
        Interlocked.Exchange(ref _state->Position, position);
    }

    /// <summary>The committed record at our position (catching up first if lapped), or null.</summary>
    private RecordHeader* Next(out int length)
    {
        while (true)
        {
            long claim = Volatile.Read(ref _ring.Writer->Claim);
            if (claim - _position > _ring.Capacity)
            {
                CatchUp(claim);
            }

            long position = _position;
            length = _ring.Next(ref position, out RecordHeader* header);
            _position = position;
            if (length >= 0)
            {
                return header;
            }

            if (length == RingView.NotCommitted)
            {
                return null; // not committed yet (or an older lap's bytes)
            }

            if (!Overwritten())
            {
                // Committed (its tag matches) and not being overwritten, yet impossible: corrupt, not a race.
                _ring.ThrowCorrupt($"record at position {position} has length {header->Length}");
            }

            // Overwritten while we looked; the claim check above catches up.
        }
    }

    /// <summary>Whether the writer may have started overwriting the record at our position.</summary>
    private bool Overwritten()
    {
        Interlocked.MemoryBarrier(); // our reads of the record before the claim, which the writer stores before writing: pairs with RingWriter.AnnounceClaim
        return Volatile.Read(ref _ring.Writer->Claim) - _position > _ring.Capacity;
    }

    /// <summary>
    /// The writer lapped us (it may be writing up to <paramref name="claim"/>); jump to the newest record, or, if the
    /// claim reaches even that one, to the writer's position (a claim never reaches a whole ring past the position
    /// that was published before it, which we read after it). A value that breaks that is corrupt, and would
    /// otherwise have us chase it for ever. Losses are counted when the next record is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CatchUp(long claim)
    {
        long target = Volatile.Read(ref _ring.Writer->Latest);
        if (claim - target > _ring.Capacity)
        {
            target = Volatile.Read(ref _ring.Writer->Position);
        }

        if (!RingView.IsRecordPosition(target) || claim - target > _ring.Capacity)
        {
            _ring.ThrowCorrupt($"writer claim {claim} is more than a ring ahead of its position {target}");
        }

        _position = Math.Max(target, _position);
    }
}
