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
public sealed partial class SharedChannelWriter
{
    /// <summary>
    /// Copies <paramref name="message"/> into the channel and, atomically with its commit, records
    /// <paramref name="checkpoint"/> as the channel's checkpoint (see <see cref="TryGetCheckpoint"/>). False if
    /// there is no room now. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The message is larger than <see cref="SharedChannel.MaxMessageLength"/>; nothing was written.</exception>
    public bool TryWrite(ReadOnlySpan<byte> message, long checkpoint)
    {
        CheckWrite(message.Length);
        _gate.Enter(this);
        try
        {
            return _engine.TryWrite(message, checkpoint);
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

        return TryWrite(message.Span, checkpoint) ? ValueTask.CompletedTask : ChannelAsync.WriteAsync(this, message, checkpoint, cancellationToken);
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
            return _engine.TryGetCheckpoint(out checkpoint);
        }
        finally
        {
            _gate.Exit();
        }
    }
}
