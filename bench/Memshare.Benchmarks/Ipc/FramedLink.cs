using System.Buffers.Binary;
using System.Net.Sockets;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// Messages over a byte stream (pipe, socket), each sent as a 4-byte little-endian length then the payload, in
/// one write. Reads are buffered: one read call takes whatever has arrived, often several small messages;
/// the rest of a large payload is read straight into the destination.
/// </summary>
internal abstract class FramedLink : IMessageLink
{
    private const int PrefixLength = 4;

    /// <summary>Fixed, not tied to <see cref="IpcSettings.MaxMessage"/>: how much one read may take stays the same for every size.</summary>
    private const int ReceiveBufferLength = 256 * 1024;
    private readonly byte[] _send = new byte[PrefixLength + IpcSettings.MaxMessage];
    private readonly byte[] _receive = new byte[ReceiveBufferLength];
    private int _start; // first unread byte in _receive
    private int _end;   // end of the bytes read into _receive

    public Span<byte> SendBuffer(int length) => _send.AsSpan(PrefixLength, length);

    public void Send(int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_send, length);
        WriteAll(new ReadOnlySpan<byte>(_send, 0, PrefixLength + length));
    }

    public int Receive(Span<byte> destination)
    {
        Fill(PrefixLength);
        int length = BinaryPrimitives.ReadInt32LittleEndian(_receive.AsSpan(_start));
        if ((uint)length > IpcSettings.MaxMessage || length > destination.Length)
        {
            throw new InvalidDataException($"Received a length prefix of {length}; expected 0 to {Math.Min(destination.Length, IpcSettings.MaxMessage)}.");
        }

        _start += PrefixLength;
        int buffered = Math.Min(length, _end - _start);
        _receive.AsSpan(_start, buffered).CopyTo(destination);
        _start += buffered;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        for (Span<byte> rest = destination[buffered..length]; !rest.IsEmpty;)
        {
            rest = rest[ReadOrThrow(rest)..];
        }

        return length;
    }

    public abstract void Dispose();

    /// <summary>Reads what is available (at least one byte, blocking), or 0 at end of stream.</summary>
    protected abstract int ReadSome(Span<byte> buffer);

    protected abstract void WriteAll(ReadOnlySpan<byte> data);

    private void Fill(int needed)
    {
        if (_end - _start >= needed)
        {
            return;
        }

        if (_start > 0)
        {
            _receive.AsSpan(_start, _end - _start).CopyTo(_receive);
            _end -= _start;
            _start = 0;
        }

        while (_end < needed)
        {
            _end += ReadOrThrow(_receive.AsSpan(_end));
        }
    }

    private int ReadOrThrow(Span<byte> buffer)
    {
        int n = ReadSome(buffer);
        return n > 0 ? n : throw new EndOfStreamException("The peer closed the connection.");
    }
}

/// <summary>A <see cref="FramedLink"/> over one stream, or an input and an output stream (anonymous pipes).</summary>
internal sealed class StreamFramedLink(Stream input, Stream output) : FramedLink
{
    public StreamFramedLink(Stream duplex)
        : this(duplex, duplex)
    {
    }

    public override void Dispose()
    {
        input.Dispose();
        if (output != input)
        {
            output.Dispose();
        }
    }

    protected override int ReadSome(Span<byte> buffer) => input.Read(buffer);

    protected override void WriteAll(ReadOnlySpan<byte> data) => output.Write(data);
}

/// <summary>A <see cref="FramedLink"/> over a connected stream socket; sends and receives time out after <see cref="IpcSettings.StallLimit"/>.</summary>
internal sealed class SocketFramedLink : FramedLink
{
    private readonly Socket _socket;

    public SocketFramedLink(Socket socket)
    {
        _socket = socket;
        _socket.ReceiveTimeout = (int)IpcSettings.StallLimit.TotalMilliseconds;
        _socket.SendTimeout = (int)IpcSettings.StallLimit.TotalMilliseconds;
        if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        {
            _socket.NoDelay = true;
        }
    }

    public override void Dispose() => _socket.Dispose();

    protected override int ReadSome(Span<byte> buffer) => _socket.Receive(buffer);

    protected override void WriteAll(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[_socket.Send(data)..];
        }
    }
}
