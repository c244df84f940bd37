namespace Memshare.Cli;

/// <summary>
/// The command given to <c>memshare lock</c> could not be started. Like a shell, memshare exits 127 when it does
/// not exist and 126 when it exists but cannot be run.
/// </summary>
internal sealed class CommandNotStartedException(bool notFound, string message, Exception inner) : Exception(message, inner)
{
    /// <summary>True if there is no such file (on PATH or at the path given).</summary>
    public bool NotFound { get; } = notFound;
}
