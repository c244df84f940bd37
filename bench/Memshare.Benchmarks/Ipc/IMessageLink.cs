namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// One end of a two-way message link between two processes, the same shape for every transport so the
/// measurement loops are shared. A message of length 0 marks the end of a phase (an echo or a stream).
/// </summary>
internal interface IMessageLink : IDisposable
{
    /// <summary>A buffer of <paramref name="length"/> bytes in which to build the next message (no allocation).</summary>
    Span<byte> SendBuffer(int length);

    /// <summary>Sends the first <paramref name="length"/> bytes of <see cref="SendBuffer"/>, waiting (bounded) for room.</summary>
    void Send(int length);

    /// <summary>Receives the next message into <paramref name="destination"/>, waiting (bounded); returns its length.</summary>
    int Receive(Span<byte> destination);

    /// <summary>
    /// Called just before a stream phase's first <see cref="Receive"/>, with what the peer was told to send: a link
    /// whose stream the receiving side must open (a gRPC call) opens it here. Others ignore it.
    /// </summary>
    void BeginStream(int size, TimeSpan duration)
    {
    }
}
