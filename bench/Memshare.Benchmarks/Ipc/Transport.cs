using System.Globalization;
using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// A way for two processes to exchange messages: the harness side <see cref="Listen"/>s, passes
/// <see cref="Endpoint.PeerArgs"/> on the peer's command line, and the peer <see cref="Connect"/>s.
/// </summary>
internal abstract class Transport
{
    /// <summary>The message transports, in table order (floor, floor-futex, floor-ring and memshare-event are not message links).</summary>
    internal static readonly Transport[] All =
    [
        new ManagedRingTransport(),
        new SpinChannelTransport(),
        new BlockingChannelTransport(),
        new AnonymousPipeTransport(),
        new UnixSocketTransport(),
        new TcpTransport(),
        new NamedPipeTransport(),
        new Grpc.GrpcTransport(),
    ];

    internal abstract string Name { get; }

    /// <summary>Harness side: makes the endpoint; <paramref name="uniqueName"/> is unique to this run and session.</summary>
    internal abstract Endpoint Listen(string uniqueName);

    /// <summary>Peer side: connects to the endpoint described by <paramref name="args"/>.</summary>
    internal abstract IMessageLink Connect(string[] args);

    /// <summary>Peer side: the whole <c>ipc-peer</c> process; by default a link that runs the echo and stream commands.</summary>
    internal virtual int ServePeer(string[] args) => IpcPeer.RunLink(this, args);

    internal static Transport Find(string name) =>
        Array.Find(All, t => t.Name == name) ?? throw new ArgumentException($"Unknown transport '{name}'.");
}

/// <summary>The harness side of a transport before and while the peer connects.</summary>
internal abstract class Endpoint : IDisposable
{
    internal abstract string[] PeerArgs { get; }

    /// <summary>Called once the peer process has started (anonymous pipes close their copies of the peer's ends here).</summary>
    internal virtual void PeerStarted()
    {
    }

    /// <summary>The connected link, once the peer has said it is ready.</summary>
    internal abstract IMessageLink Accept(TimeSpan timeout);

    public abstract void Dispose();
}

internal sealed class SpinChannelTransport : Transport
{
    internal override string Name => "memshare";

    internal override Endpoint Listen(string uniqueName) => new LinkEndpoint(new SpinChannelLink(uniqueName, create: true), uniqueName);

    internal override IMessageLink Connect(string[] args) => new SpinChannelLink(args[0], create: false);
}

internal sealed class BlockingChannelTransport : Transport
{
    internal override string Name => "memshare-blocking";

    internal override Endpoint Listen(string uniqueName) => new LinkEndpoint(new BlockingChannelLink(uniqueName, create: true), uniqueName);

    internal override IMessageLink Connect(string[] args) => new BlockingChannelLink(args[0], create: false);
}

/// <summary>An endpoint whose link exists before the peer does (shared memory: the peer just opens it).</summary>
internal sealed class LinkEndpoint(IMessageLink link, params string[] peerArgs) : Endpoint
{
    private bool _accepted;

    internal override string[] PeerArgs => peerArgs;

    internal override IMessageLink Accept(TimeSpan timeout)
    {
        _accepted = true;
        return link;
    }

    public override void Dispose()
    {
        if (!_accepted)
        {
            link.Dispose();
        }
    }
}

/// <summary><c>pipe</c>: two anonymous pipes whose peer ends the child inherits.</summary>
internal sealed class AnonymousPipeTransport : Transport
{
    internal override string Name => "pipe";

    internal override Endpoint Listen(string uniqueName) => new PipeEndpoint();

    internal override IMessageLink Connect(string[] args)
    {
        var input = new AnonymousPipeClientStream(PipeDirection.In, args[0]);
        try
        {
            return new StreamFramedLink(input, new AnonymousPipeClientStream(PipeDirection.Out, args[1]));
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    private sealed class PipeEndpoint : Endpoint
    {
        private readonly AnonymousPipeServerStream _toPeer = new(PipeDirection.Out, HandleInheritability.Inheritable);
        private readonly AnonymousPipeServerStream _fromPeer = new(PipeDirection.In, HandleInheritability.Inheritable);
        private bool _accepted;

        internal override string[] PeerArgs => [_toPeer.GetClientHandleAsString(), _fromPeer.GetClientHandleAsString()];

        internal override void PeerStarted()
        {
            _toPeer.DisposeLocalCopyOfClientHandle();
            _fromPeer.DisposeLocalCopyOfClientHandle();
        }

        internal override IMessageLink Accept(TimeSpan timeout)
        {
            _accepted = true;
            return new StreamFramedLink(_fromPeer, _toPeer);
        }

        public override void Dispose()
        {
            if (!_accepted)
            {
                _toPeer.Dispose();
                _fromPeer.Dispose();
            }
        }
    }
}

/// <summary><c>uds</c>: a SOCK_STREAM Unix domain socket whose file lives in a fresh temporary directory.</summary>
internal sealed class UnixSocketTransport : Transport
{
    internal override string Name => "uds";

    internal override Endpoint Listen(string uniqueName)
    {
        DirectoryInfo dir = Directory.CreateTempSubdirectory("memshare-ipc-");
        try
        {
            string path = Path.Combine(dir.FullName, "s");
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            return new SocketEndpoint(listener, new UnixDomainSocketEndPoint(path), path, dir);
        }
        catch
        {
            dir.Delete(recursive: true);
            throw;
        }
    }

    internal override IMessageLink Connect(string[] args) =>
        SocketEndpoint.Connect(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(args[0]));
}

/// <summary><c>tcp</c>: TCP over 127.0.0.1 with Nagle off (NoDelay) on both ends.</summary>
internal sealed class TcpTransport : Transport
{
    internal override string Name => "tcp";

    internal override Endpoint Listen(string uniqueName)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        return new SocketEndpoint(listener, new IPEndPoint(IPAddress.Loopback, 0), null, null);
    }

    internal override IMessageLink Connect(string[] args) =>
        SocketEndpoint.Connect(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp),
            new IPEndPoint(IPAddress.Loopback, int.Parse(args[0], CultureInfo.InvariantCulture)));
}

/// <summary>A listening socket; the peer argument is the socket path (Unix) or the port (TCP).</summary>
internal sealed class SocketEndpoint : Endpoint
{
    private readonly Socket _listener;
    private readonly DirectoryInfo? _dir;
    private readonly string _peerArg;

    internal SocketEndpoint(Socket listener, EndPoint bindTo, string? path, DirectoryInfo? dir)
    {
        _listener = listener;
        _dir = dir;
        try
        {
            _listener.Bind(bindTo);
            _listener.Listen(1);
            _peerArg = path ?? ((IPEndPoint)_listener.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal override string[] PeerArgs => [_peerArg];

    internal override IMessageLink Accept(TimeSpan timeout)
    {
        if (!_listener.Poll(timeout, SelectMode.SelectRead))
        {
            throw new TimeoutException($"The peer did not connect within {timeout.TotalSeconds:F0} s.");
        }

        return new SocketFramedLink(_listener.Accept());
    }

    public override void Dispose()
    {
        _listener.Dispose();
        _dir?.Delete(recursive: true);
    }

    internal static SocketFramedLink Connect(Socket socket, EndPoint endPoint)
    {
        try
        {
            socket.Connect(endPoint);
            return new SocketFramedLink(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary><c>namedpipe</c>: System.IO.Pipes named pipes (a Unix domain socket under /tmp on Linux).</summary>
internal sealed class NamedPipeTransport : Transport
{
    internal override string Name => "namedpipe";

    internal override Endpoint Listen(string uniqueName) => new NamedPipeEndpoint(uniqueName);

    internal override IMessageLink Connect(string[] args)
    {
        var client = new NamedPipeClientStream(".", args[0], PipeDirection.InOut, PipeOptions.None);
        try
        {
            client.Connect(IpcSettings.StallLimit);
            return new StreamFramedLink(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private sealed class NamedPipeEndpoint(string name) : Endpoint
    {
        private readonly NamedPipeServerStream _server = new(name, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.None);
        private bool _accepted;

        internal override string[] PeerArgs => [name];

        /// <summary>
        /// The server listens from construction, so the peer has connected (and is queued) by the time it says
        /// it is ready; this only takes the queued connection. <paramref name="timeout"/> is not needed.
        /// </summary>
        internal override IMessageLink Accept(TimeSpan timeout)
        {
            _server.WaitForConnection();
            _accepted = true;
            return new StreamFramedLink(_server);
        }

        public override void Dispose()
        {
            if (!_accepted)
            {
                _server.Dispose();
            }
        }
    }
}
