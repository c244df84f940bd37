namespace Memshare.Cli;

/// <summary>A wait ended because a signal asked memshare to stop; it exits with 128 + <see cref="Signal"/>, as a shell reports it.</summary>
internal sealed class InterruptedBySignalException(int signal, string message) : Exception(message)
{
    /// <summary>The signal's number: 1 SIGHUP, 2 SIGINT, 3 SIGQUIT, 15 SIGTERM.</summary>
    public int Signal { get; } = signal;
}
