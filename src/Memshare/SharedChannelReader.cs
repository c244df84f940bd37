using System.Diagnostics.CodeAnalysis;
using Memshare.Channels;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// Reads messages from a <see cref="SharedChannel"/>: copy out with <see cref="TryRead"/>, or read in place with
/// <see cref="TryPeek"/> then <see cref="Advance"/>. Not thread-safe: use one reader per thread.
/// </summary>
/// <remarks>
/// The protocol is the ring engine's (<see cref="LosslessReader"/>, or <see cref="OverrunReader"/> on an overrun
/// broadcast channel); this type checks arguments and holds the mapping: every call enters a <see cref="CallGate"/>,
/// so a call racing <see cref="Dispose"/> gets <see cref="ObjectDisposedException"/>, never a fault.
/// </remarks>
public sealed partial class SharedChannelReader : IDisposable
{
    private readonly SharedChannel _channel;
    private readonly RingReader _engine;
    private readonly CallGate _gate;

    internal SharedChannelReader(SharedChannel channel, int index)
    {
        channel.Enter(); // the reader's reference on the mapping, dropped by Close
        try
        {
            _channel = channel;
            _engine = RingReader.Create(channel.Geometry, channel.Ring, channel.Signals, index, _gate = new CallGate(Close), this);
            bool broadcast = channel.Mode == ChannelMode.Broadcast;
            if (!_engine.TryClaimIndex(out ulong owner))
            {
                throw new InvalidOperationException(SR.Format(SR.ChannelRoleTaken, channel.Name, $"reader {index}", OwnerToken.Pid(owner),
                    broadcast ? "broadcast reader index of a" : "single-reader",
                    broadcast ? "another reader index" : "ChannelMode.Broadcast for several readers"));
            }

            _engine.Attach(broadcast);
        }
        catch
        {
            channel.Exit();
            throw;
        }
    }

    /// <summary>The channel read from.</summary>
    public SharedChannel Channel => _channel;

    /// <summary>This reader's index: its durable identity on the channel.</summary>
    public int Index => _engine.Index;

    /// <summary>
    /// Overrun broadcast channels only: messages this reader index skipped because the writer lapped it. It grows by
    /// exactly the gap in sequence numbers between the last message the index consumed and the next one it returns,
    /// also across a process that stopped (or died) and an index attached again.
    /// </summary>
    public long LostMessages
    {
        get
        {
            _gate.Enter(this);
            try
            {
                return _engine.Lost;
            }
            finally
            {
                _gate.Exit();
            }
        }
    }

    /// <summary>How long a blocked read spins before it sleeps (default 50 µs; zero sleeps at once).</summary>
    public TimeSpan SpinDuration { get; set; } = SharedEvent.DefaultSpinDuration;

    /// <summary>
    /// Returns the next message in place, without consuming it; call <see cref="Advance"/> when done with it.
    /// The span is valid until <see cref="Advance"/> or <see cref="Dispose"/>, like <see cref="SharedMemory.Span"/>.
    /// Not available on overrun channels, where the writer may overwrite the bytes meanwhile. False if no message
    /// is waiting.
    /// </summary>
    public bool TryPeek(out ReadOnlySpan<byte> message)
    {
        LosslessReader engine = InPlace();
        _gate.Enter(this);
        try
        {
            return engine.TryPeek(out message);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Consumes the message returned by <see cref="TryPeek"/>.</summary>
    public void Advance()
    {
        _gate.Enter(this);
        try
        {
            if (!_engine.HasPeeked)
            {
                ThrowNoPeek();
            }

            _engine.Advance();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Copies the next message into <paramref name="destination"/> and consumes it; false if none is waiting.
    /// Allocates nothing. A destination of <see cref="SharedChannel.MaxMessageLength"/> bytes always suffices.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is too small; the message stays unread.</exception>
    public bool TryRead(Span<byte> destination, out int length)
    {
        _gate.Enter(this);
        try
        {
            return _engine.TryRead(destination, out length);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/> for no limit) until a message is
    /// waiting (<see cref="ChannelWaitResult.Ready"/>) or the channel is complete and drained
    /// (<see cref="ChannelWaitResult.Completed"/>); <see cref="ChannelWaitResult.TimedOut"/> if neither happened in time.
    /// </summary>
    /// <remarks>
    /// While it spins (<see cref="SpinDuration"/>), a reader that has been reading messages back to back looks for the
    /// next one less often than after a single message: its writer is writing that message then, and every look takes
    /// the line being written from the writer's core. A loop of <see cref="TryRead"/> calls has no such pacing, and
    /// streams large messages more slowly for it on some machines. In a ping-pong, where every read waits, the reader
    /// looks after every CPU pause.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed, also by another thread during the wait.</exception>
    public ChannelWaitResult WaitToRead(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long timeoutMs = timeout == Timeout.InfiniteTimeSpan ? -1 : (long)Math.Max(0, timeout.TotalMilliseconds);
        _gate.Enter(this);
        try
        {
            return _engine.WaitToRead(SpinDuration, timeoutMs, cancellationToken);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Waits until a message is waiting (true) or the channel is complete and drained (false), as
    /// System.Threading.Channels' <c>ChannelReader.WaitToReadAsync</c>. Completes synchronously when a message is
    /// already there; otherwise blocks no thread of the caller's.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        _gate.Enter(this);
        try
        {
            return cancellationToken.IsCancellationRequested
                ? ValueTask.FromCanceled<bool>(cancellationToken)
                : _engine.WaitToReadAsync(cancellationToken);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Every message until the channel is complete and drained, each copied into a new array.</summary>
    public IAsyncEnumerable<byte[]> ReadAllAsync(CancellationToken cancellationToken = default) => ChannelAsync.ReadAllAsync(this, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"SharedChannelReader '{_channel.Name}' #{Index}";

    /// <summary>
    /// Releases this reader index; its position stays, so a reader that attaches the same index later resumes
    /// here (and, on a broadcast channel, keeps holding back the writer until <see cref="Detach"/>).
    /// </summary>
    /// <remarks>A call in progress on another thread finishes first (a wait ends with <see cref="ObjectDisposedException"/>); the index is released when it returns.</remarks>
    public void Dispose()
    {
        if (_gate.IsClosing)
        {
            return;
        }

        _gate.Close();

        // Cut short a wait on another thread; the mapping may be gone already if Close ran.
        if (_channel.TryAddRef())
        {
            if (_channel.Signals.ReadersWaiting)
            {
                _channel.Signals.WakeReaders(all: true);
            }

            _channel.Exit();
        }
    }

    /// <summary>Broadcast only: stops holding back the writer and closes; a later reader at this index starts afresh.</summary>
    public void Detach()
    {
        _gate.Enter(this);
        try
        {
            _engine.Detach();
        }
        finally
        {
            _gate.Exit();
        }

        Dispose();
    }

    /// <summary>Runs once, when no call is inside: releases the reader index, then this reader's reference on the mapping.</summary>
    private void Close()
    {
        try
        {
            _engine.ReleaseIndex();
        }
        finally
        {
            _channel.Exit();
        }
    }

    /// <summary>The engine for reading in place, which an overrun channel does not allow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private LosslessReader InPlace()
    {
        if (_engine is LosslessReader lossless)
        {
            return lossless;
        }

        ThrowNoInPlace();
        return null;
    }

    [DoesNotReturn]
    private void ThrowNoInPlace() => throw new NotSupportedException(SR.Format(SR.ChannelPeekOverrun, _channel.Name));

    [DoesNotReturn]
    private void ThrowNoPeek() => throw new InvalidOperationException(SR.Format(SR.ChannelNoPeek, _channel.Name));
}
