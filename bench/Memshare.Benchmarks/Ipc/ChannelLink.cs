using Memshare.Sync;

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

/// <summary>
/// <c>memshare</c>: both sides spin on <see cref="SharedChannelWriter.TryWrite(ReadOnlySpan{byte})"/> and
/// <see cref="SharedChannelReader.TryRead"/> (unless <c>costs</c> sets another <see cref="ReadPolicy"/>).
/// </summary>
internal sealed class SpinChannelLink(string name, bool create) : ChannelLink(name, create)
{
    /// <summary>How many pauses <see cref="ReadPolicy.Backoff"/> makes after each look that found nothing.</summary>
    private const int BackoffPauses = 8;

    /// <summary>How <see cref="Receive"/> waits once its first look found nothing; <c>costs</c> varies it on this very channel.</summary>
    internal ReadPolicy ReadPolicy { get; set; }

    /// <summary>Receives whose first look found nothing: the reader had caught up with the writer (for <c>costs</c>).</summary>
    internal long CaughtUp { get; set; }

    public override int Receive(Span<byte> destination)
    {
        if (Reader.TryRead(destination, out int length))
        {
            return length;
        }

        CaughtUp++;
        return ReadPolicy switch
        {
            ReadPolicy.WaitToRead => Wait(destination),
            ReadPolicy.Backoff => Poll(destination, BackoffPauses),
            _ => Poll(destination, pauses: 1),
        };
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

    private int Poll(Span<byte> destination, int pauses)
    {
        Stall stall = default;
        int length;
        while (!Reader.TryRead(destination, out length))
        {
            for (int i = 1; i < pauses; i++)
            {
                SpinThenSleep.Pause();
            }

            stall.Spin("a message on the channel");
        }

        return length;
    }

    private int Wait(Span<byte> destination)
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
}

/// <summary>
/// How a spinning reader waits once it has caught up with the writer. A reader that looks again at once keeps
/// reading the record the writer is filling, and at 1 KiB that can halve the stream (docs/performance.md, "Where the
/// 1 KiB stream's gap lies").
/// </summary>
internal enum ReadPolicy
{
    /// <summary><see cref="SharedChannelReader.TryRead"/> again after one CPU pause, as the C ring's consumer does.</summary>
    Poll,

    /// <summary><see cref="SharedChannelReader.WaitToRead"/>, the library's own spin (which yields the CPU every 32 looks), then <c>TryRead</c>.</summary>
    WaitToRead,

    /// <summary><see cref="SharedChannelReader.TryRead"/> again after eight CPU pauses.</summary>
    Backoff,
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
