using Memshare.Benchmarks.Ipc;

namespace Memshare.Benchmarks.Scale;

/// <summary>
/// One end of a one-way channel as an <see cref="IMessageLink"/>, so the ipc measurement loops (stream, consume)
/// drive broadcast readers and multi-producer writers too. Spinning waits as the <c>memshare</c> transport does
/// (TryWrite / TryRead with a CPU pause); blocking as <c>memshare-blocking</c> (bounded TryWrite, WaitToRead).
/// It does not own the writer or reader.
/// </summary>
internal sealed class ChannelEnd : IMessageLink
{
    private readonly SharedChannelWriter? _writer;
    private readonly SharedChannelReader? _reader;
    private readonly bool _blocking;
    private readonly byte[] _buffer = new byte[IpcSettings.MaxMessage];

    internal ChannelEnd(SharedChannelWriter writer, bool blocking) => (_writer, _blocking) = (writer, blocking);

    internal ChannelEnd(SharedChannelReader reader, bool blocking) => (_reader, _blocking) = (reader, blocking);

    public Span<byte> SendBuffer(int length) => _buffer.AsSpan(0, length);

    public void Send(int length)
    {
        SharedChannelWriter writer = _writer ?? throw new InvalidOperationException("This end only reads.");
        ReadOnlySpan<byte> message = _buffer.AsSpan(0, length);
        if (_blocking)
        {
            if (!writer.TryWrite(message, IpcSettings.StallLimit))
            {
                throw new TimeoutException($"Write found no room for {IpcSettings.StallLimit.TotalSeconds:F0} s; a reader is gone or stuck.");
            }

            return;
        }

        Stall stall = default;
        while (!writer.TryWrite(message))
        {
            stall.Spin("room in the channel");
        }
    }

    public int Receive(Span<byte> destination)
    {
        SharedChannelReader reader = _reader ?? throw new InvalidOperationException("This end only writes.");
        int length;
        if (_blocking)
        {
            while (!reader.TryRead(destination, out length))
            {
                if (reader.WaitToRead(IpcSettings.StallLimit) != ChannelWaitResult.Ready)
                {
                    throw new TimeoutException($"WaitToRead gave up after {IpcSettings.StallLimit.TotalSeconds:F0} s; the writer is gone or stuck.");
                }
            }

            return length;
        }

        Stall stall = default;
        while (!reader.TryRead(destination, out length))
        {
            stall.Spin("a message on the channel");
        }

        return length;
    }

    public void Dispose()
    {
    }
}
