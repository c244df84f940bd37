using Memshare.Channels;

namespace Memshare;

/// <summary>
/// Reading ahead: looking at many waiting messages in place without consuming them, and consuming the oldest ones
/// later. A forwarder keeps many messages in flight and consumes each only once it is safe elsewhere, so a crash
/// loses nothing: the reader index's position still points at the first unconfirmed message.
/// </summary>
public sealed partial class SharedChannelReader
{
    /// <summary>
    /// Returns the message after the ones already read ahead (at first, the next unconsumed message) in place, with
    /// its sequence number on the channel (0 for the first message ever written), consuming nothing. The span stays
    /// valid until <see cref="AdvanceReadAhead"/> consumes the message. False if no further message is waiting. Not
    /// available on overrun channels; do not mix with <see cref="TryRead"/> or <see cref="TryPeek"/> while messages
    /// are read ahead.
    /// </summary>
    public bool TryReadAhead(out ReadOnlySpan<byte> message, out long sequence)
    {
        LosslessReader engine = InPlace();
        _gate.Enter(this);
        try
        {
            return engine.TryReadAhead(out message, out sequence);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Consumes the <paramref name="count"/> oldest messages returned by <see cref="TryReadAhead"/>, freeing their room for the writer.</summary>
    public void AdvanceReadAhead(int count)
    {
        LosslessReader engine = InPlace();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _gate.Enter(this);
        try
        {
            if (count > engine.AheadCount)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, SR.Format(SR.ChannelNotReadAhead, _channel.Name, engine.AheadCount));
            }

            engine.AdvanceReadAhead(count);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Forgets the messages read ahead: the next <see cref="TryReadAhead"/> starts again at the first unconsumed one.</summary>
    public void RewindReadAhead()
    {
        LosslessReader engine = InPlace();
        _gate.Enter(this);
        try
        {
            engine.RewindReadAhead();
        }
        finally
        {
            _gate.Exit();
        }
    }
}
