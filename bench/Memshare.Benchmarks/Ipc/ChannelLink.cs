namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// A two-way link made of two single-producer <see cref="SharedChannel"/>s (default options: 1 MiB ring):
/// the harness writes "NAME.a2b" and reads "NAME.b2a"; the peer the other way round.
/// </summary>
internal abstract class ChannelLink : IMessageLink
{
    private readonly SharedChannel _outbound;
    private readonly SharedChannel _inbound;
    private readonly byte[] _buffer = new byte[IpcSettings.MaxMessage];

    protected ChannelLink(string name, bool create)
    {
        SharedChannel? a2b = null;
        SharedChannel? b2a = null;
        SharedChannelWriter? writer = null;
        try
        {
            a2b = Open(name + ".a2b", create);
            b2a = Open(name + ".b2a", create);
            _outbound = create ? a2b : b2a;
            _inbound = create ? b2a : a2b;
            writer = _outbound.CreateWriter();
            Reader = _inbound.CreateReader();
            Writer = writer;
        }
        catch
        {
            writer?.Dispose();
            a2b?.Dispose();
            b2a?.Dispose();
            throw;
        }
    }

    protected SharedChannelWriter Writer { get; }

    protected SharedChannelReader Reader { get; }

    public Span<byte> SendBuffer(int length) => _buffer.AsSpan(0, length);

    /// <summary>Sends the first <paramref name="length"/> bytes of <see cref="SendBuffer"/>; each sealed link implements it itself, so the harness's interface call lands in it with no second dispatch of ours.</summary>
    public abstract void Send(int length);

    public abstract int Receive(Span<byte> destination);

    public void Dispose()
    {
        Writer.Dispose();
        Reader.Dispose();
        _outbound.Dispose();
        _inbound.Dispose();
    }

    /// <summary>The message <see cref="Send"/> sends.</summary>
    protected ReadOnlySpan<byte> Message(int length) => new(_buffer, 0, length);

    private static SharedChannel Open(string name, bool create)
    {
        if (!create)
        {
            return SharedChannel.OpenExisting(name);
        }

        SharedChannel channel = SharedChannel.CreateOrOpen(name, out bool created);
        if (!created)
        {
            channel.Dispose();
            throw new InvalidOperationException($"Channel '{name}' already existed; the harness expects a fresh, unique name.");
        }

        return channel;
    }
}

/// <summary><c>memshare</c>: both sides spin on <see cref="SharedChannelWriter.TryWrite(ReadOnlySpan{byte})"/> and <see cref="SharedChannelReader.TryRead"/>.</summary>
internal sealed class SpinChannelLink(string name, bool create) : ChannelLink(name, create)
{
    public override int Receive(Span<byte> destination)
    {
        if (Reader.TryRead(destination, out int length))
        {
            return length;
        }

        Stall stall = default;
        while (!Reader.TryRead(destination, out length))
        {
            stall.Spin("a message on the channel");
        }

        return length;
    }

    public override void Send(int length)
    {
        ReadOnlySpan<byte> message = Message(length);
        if (Writer.TryWrite(message))
        {
            return;
        }

        Stall stall = default;
        while (!Writer.TryWrite(message))
        {
            stall.Spin("room in the channel");
        }
    }
}

/// <summary>
/// <c>memshare-blocking</c>: the blocking API with its default spin-then-sleep: a bounded
/// <see cref="SharedChannelWriter.TryWrite(ReadOnlySpan{byte}, TimeSpan, CancellationToken)"/> (the timed form of
/// <c>Write</c>), and <see cref="SharedChannelReader.WaitToRead"/> then <see cref="SharedChannelReader.TryRead"/>.
/// </summary>
internal sealed class BlockingChannelLink(string name, bool create) : ChannelLink(name, create)
{
    /// <summary>How long this side's receive spins before sleeping (the wake-from-idle variants change it).</summary>
    internal TimeSpan ReceiveSpin
    {
        get => Reader.SpinDuration;
        set => Reader.SpinDuration = value;
    }

    public override int Receive(Span<byte> destination)
    {
        while (true)
        {
            if (Reader.WaitToRead(IpcSettings.StallLimit) != ChannelWaitResult.Ready)
            {
                throw new TimeoutException($"WaitToRead gave up after {IpcSettings.StallLimit.TotalSeconds:F0} s; the peer process is gone or stuck.");
            }

            if (Reader.TryRead(destination, out int length))
            {
                return length;
            }
        }
    }

    public override void Send(int length)
    {
        if (!Writer.TryWrite(Message(length), IpcSettings.StallLimit))
        {
            throw new TimeoutException($"Write found no room for {IpcSettings.StallLimit.TotalSeconds:F0} s; the peer process is gone or stuck.");
        }
    }
}
