namespace Memshare.Nats;

/// <summary>The NATS server could not be reached, or stayed unreachable longer than the bridge's reconnect bound.</summary>
public sealed class BrokerUnavailableException : IOException
{
    /// <summary>Creates the exception with its message.</summary>
    public BrokerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and the client's error.</summary>
    public BrokerUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public BrokerUnavailableException()
        : base("The NATS server is unreachable.")
    {
    }
}
