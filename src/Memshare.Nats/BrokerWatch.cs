using NATS.Client.Core;

namespace Memshare.Nats;

/// <summary>
/// Bounds how long a bridge waits for a broker that went away: the NATS client reconnects on its own, and this
/// cancels the bridge's work once the connection has not been open for the bound, so the bridge fails with
/// <see cref="BrokerUnavailableException"/> instead of hanging.
/// </summary>
internal sealed class BrokerWatch : IDisposable
{
    private readonly INatsConnection _connection;
    private readonly TimeSpan _bound;
    private readonly CancellationTokenSource _cts;
    private readonly Timer _timer;
    private long _downSince;

    private BrokerWatch(INatsConnection connection, TimeSpan bound, CancellationToken cancellationToken)
    {
        _connection = connection;
        _bound = bound;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _timer = new Timer(static s => ((BrokerWatch)s!).Check(), this, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Cancelled when the caller cancels or the broker stays away longer than the bound.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Whether the bound passed (rather than the caller cancelling).</summary>
    public bool Tripped { get; private set; }

    /// <summary>Connects (if not yet connected) and starts watching; an unreachable server is a <see cref="BrokerUnavailableException"/>.</summary>
    public static async Task<BrokerWatch> StartAsync(INatsConnection connection, TimeSpan bound, CancellationToken cancellationToken)
    {
        if (connection.ConnectionState != NatsConnectionState.Open)
        {
            try
            {
                await connection.ConnectAsync().AsTask().WaitAsync(bound, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or TimeoutException or System.Net.Sockets.SocketException)
            {
                throw new BrokerUnavailableException($"Cannot connect to the NATS server at {connection.Opts.Url}: {e.Message.TrimEnd('.')}. Start it (nats-server -js), or check the URL.", e);
            }
        }

        return new BrokerWatch(connection, bound, cancellationToken);
    }

    /// <summary>The error to throw when <see cref="Tripped"/>.</summary>
    public BrokerUnavailableException Error(Exception? inner = null) => Unreachable(_connection, _bound, inner);

    public void Dispose()
    {
        _timer.Dispose();
        _cts.Dispose();
    }

    private static BrokerUnavailableException Unreachable(INatsConnection connection, TimeSpan bound, Exception? inner)
    {
        string message = $"The NATS server at {connection.Opts.Url} has been unreachable for {bound.TotalSeconds:0.#} s; the bridge gave up. Start it again and restart the bridge: it resumes where it stopped.";
        return inner is null ? new BrokerUnavailableException(message) : new BrokerUnavailableException(message, inner);
    }

    private void Check()
    {
        if (_connection.ConnectionState == NatsConnectionState.Open)
        {
            Volatile.Write(ref _downSince, 0);
            return;
        }

        long now = Environment.TickCount64;
        long since = Volatile.Read(ref _downSince);
        if (since == 0)
        {
            Volatile.Write(ref _downSince, now);
        }
        else if (now - since > _bound.TotalMilliseconds && !Tripped)
        {
            Tripped = true;
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The bridge finished meanwhile.
            }
        }
    }
}
