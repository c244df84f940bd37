namespace Memshare.Cli;

/// <summary>
/// The exit codes of <c>memshare</c>, and the one mapping from exceptions to them. Every error reaches the user
/// as a single <c>memshare: MESSAGE</c> line on stderr.
/// </summary>
/// <remarks>
/// Once <c>memshare lock</c> has run its command, it exits with the command's own code instead (128 + N if signal
/// N killed it); the codes here are for what happens before the command runs.
/// </remarks>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything not listed below: a corrupt or mismatched region, an OS error.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line, invalid region name, size or offset out of range, text or message too long.</summary>
    public const int InvalidArguments = 2;

    public const int NotFound = 3;

    public const int AlreadyExists = 4;

    public const int AccessDenied = 5;

    /// <summary>A <c>--timeout</c> passed: the lock stayed held, the event was not set, or no message arrived on a channel.</summary>
    public const int TimedOut = 6;

    /// <summary>The command cannot work on this OS: ls, info, dump, watch and gc outside Linux, rm on Windows.</summary>
    public const int NotSupported = 7;

    /// <summary><c>bridge</c>: the NATS server is unreachable, or stayed away longer than <c>--reconnect-timeout</c>.</summary>
    public const int BrokerUnavailable = 8;

    /// <summary><c>lock</c>: the command exists but could not be run (not executable, permission denied), as in a shell.</summary>
    public const int CommandNotExecutable = 126;

    /// <summary><c>lock</c>: the command was not found, as in a shell.</summary>
    public const int CommandNotFound = 127;

    /// <summary>A wait interrupted by signal N exits with <c>128 + N</c>: 130 for SIGINT (Ctrl+C), 143 for SIGTERM, as in a shell.</summary>
    public const int InterruptedBase = 128;

    /// <summary>The exit code for a failure.</summary>
    public static int For(Exception error) => error switch
    {
        Memshare.Nats.BrokerUnavailableException => BrokerUnavailable,
        FileNotFoundException => NotFound, // a RegionNotFoundException, or a CLI message saying how to create what is missing
        RegionExistsException => AlreadyExists,
        UnauthorizedAccessException => AccessDenied,
        ArgumentException => InvalidArguments,
        TimeoutException => TimedOut,
        PlatformNotSupportedException => NotSupported,
        CommandNotStartedException { NotFound: true } => CommandNotFound,
        CommandNotStartedException => CommandNotExecutable,
        InterruptedBySignalException interrupted => InterruptedBase + interrupted.Signal,
        _ => Failure,
    };

    /// <summary>Prints the failure as <c>memshare: MESSAGE</c> and returns its exit code.</summary>
    public static int Report(Exception error)
    {
        WriteError(MessageOf(error));
        return For(error);
    }

    public static void WriteError(string message) => Console.Error.WriteLine($"memshare: {message}");

    /// <summary>
    /// The message as the user should read it. Library messages already name the region and say what to do; an
    /// <see cref="ArgumentException"/>'s " (Parameter 'name')" and "Actual value was" tails are noise here.
    /// Exceptions nobody anticipated keep their type, which is what a bug report needs.
    /// </summary>
    public static string MessageOf(Exception error)
    {
        string message = error.Message;
        if (error is ArgumentException argument)
        {
            int newline = message.IndexOf('\n', StringComparison.Ordinal);
            if (error is ArgumentOutOfRangeException && newline >= 0)
            {
                message = message[..newline].TrimEnd('\r');
            }

            string tail = $" (Parameter '{argument.ParamName}')";
            if (argument.ParamName is not null && message.EndsWith(tail, StringComparison.Ordinal))
            {
                message = message[..^tail.Length];
            }

            return message;
        }

        return error is IOException or UnauthorizedAccessException or InvalidOperationException or PlatformNotSupportedException
            or TimeoutException or CommandNotStartedException or InterruptedBySignalException
            ? message
            : $"unexpected {error.GetType().FullName}: {message}";
    }
}
