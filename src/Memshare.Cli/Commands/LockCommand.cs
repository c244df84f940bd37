using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare lock NAME [--timeout T] -- COMMAND [ARGS...]</c>: runs a command while holding a named
/// <see cref="SharedLock"/>, like <c>flock(1)</c>, and exits with the command's exit code.
/// </summary>
/// <remarks>
/// The lock is created persistent: a scoped one would vanish with its last holder, and with it the record that
/// an owner died holding it. Signals: see <see cref="Interruption"/>. If memshare itself is killed (SIGKILL)
/// while the command runs, the lock counts as abandoned even though the command may still be running.
/// </remarks>
internal static class LockCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<TimeSpan?> timeout = Symbols.Timeout("How long to wait for the lock; if it stays held, exit 6 without running the command.");
        Argument<string[]> program = new("command")
        {
            Description = "The command and its arguments. Put them after '--', and --timeout before it, so that memshare does not take the command's options for its own.",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("lock", "Run a command while holding the named lock, like flock(1): wait for the lock (creating it, persistent, if absent), run the command with this terminal's stdin, stdout and stderr, release the lock, and exit with the command's exit code (127 if it is not found, 126 if it cannot be run, 128+N if a signal N interrupts the wait). If the previous owner died holding the lock, the command runs anyway and stderr says so. While the command runs, memshare passes SIGTERM and SIGHUP on to it and waits for it; Ctrl+C reaches it from the terminal. Remove the lock with 'memshare rm NAME'.")
        {
            name,
            timeout,
            program,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(timeout), parse.GetRequiredValue(program)));
        return command;
    }

    private static int Run(string name, TimeSpan? timeout, string[] program)
    {
        using var interruption = new Interruption();
        using SharedLock sharedLock = SharedLock.CreateOrOpen(name, CliLifetime.NewRegion());
        using SharedLockGuard guard = Acquire(sharedLock, timeout, interruption);
        if (guard.PreviousOwnerDied)
        {
            ExitCodes.WriteError(Messages.Format(Messages.PreviousOwnerDied, name));
        }

        var start = new ProcessStartInfo(program[0]) { UseShellExecute = false }; // no redirection: the command shares our terminal
        foreach (string argument in program.AsSpan(1))
        {
            start.ArgumentList.Add(argument);
        }

        using Process? running = StartCommand(interruption, start, name)
            ?? throw Interrupted(interruption.Signal, name);
        running.WaitForExit();
        interruption.Finished();
        return running.ExitCode; // 128 + N if a signal N killed it, as a shell reports it
    }

    private static SharedLockGuard Acquire(SharedLock sharedLock, TimeSpan? timeout, Interruption interruption)
    {
        try
        {
            if (sharedLock.TryAcquire(timeout ?? Timeout.InfiniteTimeSpan, out SharedLockGuard guard, interruption.Token))
            {
                return guard;
            }
        }
        catch (OperationCanceledException) when (interruption.Signal != 0)
        {
            throw Interrupted(interruption.Signal, sharedLock.Name);
        }

        string owner = sharedLock.OwnerProcessId is int pid
            ? Messages.Format(Messages.LockOwnerProcess, pid)
            : Messages.LockOwnerUnknown;
        throw new TimeoutException(Messages.Format(Messages.LockTimedOut, sharedLock.Name, owner, Duration.Format(timeout!.Value)));
    }

    private static Process? StartCommand(Interruption interruption, ProcessStartInfo start, string name)
    {
        try
        {
            return interruption.Start(start);
        }
        catch (Win32Exception e)
        {
            // ENOENT: no such file on PATH or at the path given. Anything else (EACCES, ENOEXEC): it cannot be run.
            bool notFound = e.NativeErrorCode == 2;
            string reason = new Win32Exception(e.NativeErrorCode).Message;
            string hint = notFound ? Messages.CommandNotFoundHint : Messages.CommandNotExecutableHint;
            throw new CommandNotStartedException(notFound, Messages.Format(Messages.CommandNotStarted, start.FileName, reason, name, hint), e);
        }
    }

    private static InterruptedBySignalException Interrupted(int signal, string name) =>
        new(signal, Messages.Format(Messages.InterruptedWaitingForLock, Interruption.NameOf(signal), name));
}
