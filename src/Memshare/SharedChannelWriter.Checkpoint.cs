using Memshare.Layout;

namespace Memshare;

/// <summary>
/// Checkpoints: a 64-bit value committed atomically with a message, so a writer that forwards messages from
/// elsewhere (a broker, a log) finds after a crash exactly which source message it committed last.
/// </summary>
/// <remarks>
/// Record n's checkpoint goes to slot n &amp; 1 of the writer's line before the record's tag (the commit) is
/// stored with release semantics; the newest committed record's slot is therefore never the one being filled.
/// See docs/format.md, "Checkpoints".
/// </remarks>
public sealed unsafe partial class SharedChannelWriter
{
    /// <summary>
    /// Copies <paramref name="message"/> into the channel and, atomically with its commit, records
    /// <paramref name="checkpoint"/> as the channel's checkpoint (see <see cref="TryGetCheckpoint"/>). False if
    /// there is no room now. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The message is larger than <see cref="SharedChannel.MaxMessageLength"/>; nothing was written.</exception>
    public bool TryWrite(ReadOnlySpan<byte> message, long checkpoint)
    {
        _gate.Enter(this);
        try
        {
            if (!TryClaimCore(message.Length, out Span<byte> buffer))
            {
                return false;
            }

            message.CopyTo(buffer);
            SetCheckpoint(checkpoint);
            CommitCore();
            return true;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Writes <paramref name="message"/> with <paramref name="checkpoint"/> (see <see cref="TryWrite(ReadOnlySpan{byte}, long)"/>),
    /// waiting asynchronously for room. Completes synchronously when there is room.
    /// </summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> message, long checkpoint, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return TryWrite(message.Span, checkpoint) ? ValueTask.CompletedTask : CheckpointedWrite.WriteAsync(this, message, checkpoint, cancellationToken);
    }

    /// <summary>
    /// The checkpoint committed with the newest message, if that message carries one: after a crash, the last source
    /// message that is certainly in the channel. False if the newest message was written without a checkpoint, or
    /// the channel holds none. Exact while this writer holds the role (single-producer and broadcast channels).
    /// </summary>
    public bool TryGetCheckpoint(out long checkpoint)
    {
        _gate.Enter(this);
        try
        {
            return TryGetCheckpointCore(out checkpoint);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private bool TryGetCheckpointCore(out long checkpoint)
    {
        long count = _sequence;
        ChannelCheckpoint* slot = Checkpoint(count - 1);
        if (count > 0 && Volatile.Read(ref slot->Count) == count)
        {
            checkpoint = Volatile.Read(ref slot->Value);
            return true;
        }

        checkpoint = 0;
        return false;
    }

    /// <summary>Between a claim and its commit: fills the slot of the record being written (see the remarks).</summary>
    private void SetCheckpoint(long checkpoint)
    {
        ChannelCheckpoint* slot = Checkpoint(_sequence);
        slot->Value = checkpoint;
        slot->Count = _sequence + 1; // both ordered before the commit by its release store of the tag
    }

    /// <summary>
    /// On taking the role: a writer that died between filling a slot and committing its record left the slot naming
    /// the record that the next writer will commit, perhaps without a checkpoint; clear it so nobody reads it as that record's.
    /// </summary>
    private void ForgetUncommittedCheckpoint()
    {
        ChannelCheckpoint* slot = Checkpoint(_sequence);
        if (Volatile.Read(ref slot->Count) == _sequence + 1)
        {
            Volatile.Write(ref slot->Count, 0);
        }
    }

    private ChannelCheckpoint* Checkpoint(long sequence) =>
        (ChannelCheckpoint*)(_channel.Base + ChannelLayout.CheckpointsOffset) + (sequence & 1);
}

/// <summary>The async loop of a checkpointed write, outside the unsafe writer class (C# cannot await there).</summary>
internal static class CheckpointedWrite
{
    internal static async ValueTask WriteAsync(SharedChannelWriter writer, ReadOnlyMemory<byte> message, long checkpoint, CancellationToken cancellationToken)
    {
        while (!writer.TryWrite(message.Span, checkpoint))
        {
            _ = await writer.WaitForSpaceAsync(message.Length, cancellationToken).ConfigureAwait(false);
        }
    }
}
