using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace Memshare.Benchmarks.Ipc.Grpc;

/// <summary>
/// <c>grpc-uds</c>: gRPC over a Unix domain socket, as Microsoft's "Inter-process communication with gRPC" sets it
/// up. The peer process hosts the server in ASP.NET Core's Kestrel, listening on a socket file in a fresh
/// temporary directory (HTTP/2 without TLS); this process is the client, a <see cref="GrpcChannel"/> whose
/// <see cref="SocketsHttpHandler.ConnectCallback"/> connects to that file. Round trips are unary calls, throughput a
/// duplex call (see echo.proto). Kestrel's named pipes are Windows-only, so there is no <c>grpc-namedpipe</c>.
/// </summary>
internal sealed class GrpcTransport : Transport
{
    internal const string TransportName = "grpc-uds";

    internal override string Name => TransportName;

    internal override Endpoint Listen(string uniqueName) => new GrpcEndpoint();

    /// <summary>The peer is a server, not a link: <see cref="ServePeer"/> runs it.</summary>
    internal override IMessageLink Connect(string[] args) =>
        throw new NotSupportedException("The grpc-uds peer hosts a server; the harness's side is the link.");

    internal override int ServePeer(string[] args) => GrpcPeerServer.Run(args[0]);

    /// <summary>The socket's directory and path; the peer creates the socket, and the client connects once it is ready.</summary>
    private sealed class GrpcEndpoint : Endpoint
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("memshare-grpc-");

        private string SocketPath => Path.Combine(_dir.FullName, "s");

        internal override string[] PeerArgs => [SocketPath];

        internal override IMessageLink Accept(TimeSpan timeout) => new GrpcClientLink(Connect(SocketPath));

        public override void Dispose() => _dir.Delete(recursive: true);

        private static GrpcChannel Connect(string path)
        {
            var endPoint = new UnixDomainSocketEndPoint(path);
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        }
    }
}
