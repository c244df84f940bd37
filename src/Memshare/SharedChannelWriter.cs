using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Memshare.Channels;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// Writes messages to a <see cref="SharedChannel"/>: copy in with <see cref="TryWrite(ReadOnlySpan{byte})"/>, or write in place with
/// <see cref="TryClaim"/> then <see cref="Commit()"/>. Not thread-safe: use one writer per thread.
/// </summary>
/// <remarks>
/// The protocol is the ring engine's (<see cref="RingWriter"/>, one class per mode); this type checks arguments and
/// holds the mapping: every call enters a <see cref="CallGate"/>, so a call racing <see cref="Dispose"/> gets
/// <see cref="ObjectDisposedException"/>, never a fault.
/// </remarks>
public sealed partial class SharedChannelWriter : IDisposable
{
    private readonly SharedChannel _channel;
    private readonly RingWriter _engine;
    private readonly CallGate _gate;
    private readonly int _maxMessage;

    internal SharedChannelWriter(SharedChannel channel)
    {
        channel.Enter(); // the writer's reference on the mapping, dropped by Close
        try
        {
            _channel = channel;
            _gate = new CallGate(Close);
            _maxMessage = channel.MaxMessageLength;
            _engine = RingWriter.Create(channel.Geometry, channel.Ring, channel.Signals, _gate, this);
            if (!_engine.Attach())
            {
                throw new InvalidOperationException(SR.Format(SR.ChannelRoleTaken, channel.Name, "writer", OwnerToken.Pid(_engine.RoleOwner),
                    channel.Mode == ChannelMode.Broadcast ? "broadcast" : "single-producer", "ChannelMode.MultiProducer for several writers"));
            }

            // A writer that attaches reopens a completed channel (with several multi-producer writers, the first
            // Complete() ends the readers' ReadAllAsync).
            _engine.Reopen();
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
        CheckWrite(message.Length);
        _gate.Enter(this);
        try
        {
            return _engine.TryWrite(message);
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
        CheckWrite(length);
        _gate.Enter(this);
        try
        {
            return _engine.TryClaim(length, out buffer);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Publishes the claimed message: readers see all of it or none of it.</summary>
    public void Commit()
    {
        _gate.Enter(this);
        try
        {
            if (!_engine.HasClaim)
            {
                ThrowNoClaim();
            }

            _engine.Commit();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Publishes only the first <paramref name="length"/> bytes of the claimed buffer.</summary>
    public void Commit(int length)
    {
        _gate.Enter(this);
        try
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _engine.ClaimLength);
            if (!_engine.HasClaim)
            {
                ThrowNoClaim();
            }

            _engine.Shrink(length);
            _engine.Commit();
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
            _engine.Abandon();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Writes <paramref name="message"/>, waiting for room up to <paramref name="timeout"/>; false on timeout.</summary>
    public bool TryWrite(ReadOnlySpan<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        CheckWrite(message.Length);
        long timeoutMs = ToMilliseconds(timeout);
        _gate.Enter(this);
        try
        {
            if (_engine.TryWrite(message))
            {
                return true; // the usual case: no clock read (a clock read per message halved the blocking stream's rate)
            }

            long start = Stopwatch.GetTimestamp();
            do
            {
                long remaining = timeoutMs < 0 ? -1 : Math.Max(0, timeoutMs - (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (remaining == 0 || !_engine.WaitForSpace(message.Length, SpinDuration, remaining, cancellationToken))
                {
                    return false;
                }
            }
            while (!_engine.TryWrite(message));

            return true;
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

        return TryWrite(message.Span) ? ValueTask.CompletedTask : ChannelAsync.WriteAsync(this, message, null, cancellationToken);
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
            _engine.Complete();
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
            if (_channel.Signals.WritersWaiting)
            {
                _channel.Signals.WakeWriters();
            }

            _channel.Exit();
        }
    }

    /// <summary>Waits without a thread until there may be room for <paramref name="length"/> bytes.</summary>
    internal ValueTask<bool> WaitForSpaceAsync(int length, CancellationToken cancellationToken)
    {
        _gate.Enter(this);
        try
        {
            return _engine.WaitForSpaceAsync(length, cancellationToken);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Runs once, when no call is inside: gives up the claim and the role, then this writer's reference on the mapping.</summary>
    private void Close()
    {
        try
        {
            _engine.Detach();
        }
        finally
        {
            _channel.Exit();
        }
    }

    /// <summary>The checks every write makes before touching the ring: the length, and no claim pending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckWrite(int length)
    {
        if ((uint)length > (uint)_maxMessage)
        {
            ThrowTooLarge(length);
        }

        if (_engine.HasClaim)
        {
            ThrowClaimPending();
        }
    }

    private static long ToMilliseconds(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? -1 : (long)Math.Max(0, timeout.TotalMilliseconds);

    [DoesNotReturn]
    private void ThrowTooLarge(int length) =>
        throw new ArgumentException(SR.Format(SR.ChannelMessageTooLarge, _channel.Name, length, _maxMessage), nameof(length));

    [DoesNotReturn]
    private void ThrowClaimPending() => throw new InvalidOperationException(SR.Format(SR.ChannelClaimPending, _channel.Name));

    [DoesNotReturn]
    private void ThrowNoClaim() => throw new InvalidOperationException(SR.Format(SR.ChannelNoClaim, _channel.Name));
}
