using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Memshare.Benchmarks.Ipc.Grpc;

/// <summary>
/// The harness's end of <c>grpc-uds</c>, in the <see cref="IMessageLink"/> shape: <see cref="Send"/> makes a
/// blocking unary <c>Echo</c> call and keeps the reply for the next <see cref="Receive"/>; after
/// <see cref="BeginStream"/>, <see cref="Receive"/> reads the duplex <c>Stream</c> call's messages until the empty
/// one that ends it. Calls carry no deadline (each would start a timer); the harness's watchdog kills a stuck peer,
/// which fails the call. The payload is copied into and out of protobuf's <see cref="ByteString"/>, as user code does.
/// </summary>
internal sealed class GrpcClientLink(GrpcChannel channel) : IMessageLink
{
    private readonly EchoService.EchoServiceClient _client = new(channel);
    private readonly byte[] _send = new byte[IpcSettings.MaxMessage];
    private Payload? _reply;
    private AsyncDuplexStreamingCall<StreamRequest, Payload>? _stream;

    public Span<byte> SendBuffer(int length) => _send.AsSpan(0, length);

    /// <summary>A round trip; the empty message that ends a phase gets no echo from the other links, so its reply is dropped.</summary>
    public void Send(int length)
    {
        Payload reply = _client.Echo(new Payload { Data = ByteString.CopyFrom(_send, 0, length) });
        _reply = length == 0 ? null : reply;
    }

    public void BeginStream(int size, TimeSpan duration)
    {
        _stream = _client.Stream();
        _stream.RequestStream.WriteAsync(new StreamRequest { Size = size, Milliseconds = (int)duration.TotalMilliseconds }).GetAwaiter().GetResult();
    }

    public int Receive(Span<byte> destination)
    {
        Payload message;
        if (_reply is not null)
        {
            (message, _reply) = (_reply, null);
        }
        else if (_stream is not null)
        {
            if (!_stream.ResponseStream.MoveNext(CancellationToken.None).GetAwaiter().GetResult())
            {
                throw new EndOfStreamException("The gRPC stream ended without its empty end message.");
            }

            message = _stream.ResponseStream.Current;
            if (message.Data.Length == 0)
            {
                EndStream();
            }
        }
        else
        {
            throw new InvalidOperationException("Receive without a Send or a BeginStream before it.");
        }

        message.Data.Span.CopyTo(destination);
        return message.Data.Length;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        channel.Dispose();
    }

    /// <summary>Closes the request side and waits for the server to end the call.</summary>
    private void EndStream()
    {
        using AsyncDuplexStreamingCall<StreamRequest, Payload> call = _stream!;
        _stream = null;
        call.RequestStream.CompleteAsync().GetAwaiter().GetResult();
        if (call.ResponseStream.MoveNext(CancellationToken.None).GetAwaiter().GetResult())
        {
            throw new InvalidDataException("The gRPC stream went on after its empty end message.");
        }
    }
}
