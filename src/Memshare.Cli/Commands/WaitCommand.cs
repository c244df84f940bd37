using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare wait NAME [--timeout T] [--manual]</c>: blocks until the named event is set.</summary>
internal static class WaitCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<TimeSpan?> timeout = Symbols.Timeout("How long to wait; if the event is not set by then, exit 6.");
        Option<bool> manual = Symbols.Manual();
        var command = new Command("wait", "Wait until the named event is set, then exit 0 (6 on --timeout, 128+N if a signal N interrupts the wait). Creates the event, persistent, if absent, so 'wait' and 'signal' may run in either order. An auto-reset event is consumed by the wait that sees it; a manual-reset one stays set. Prints nothing. Remove the event with 'memshare rm NAME'.")
        {
            name,
            timeout,
            manual,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(timeout), parse.GetValue(manual)));
        return command;
    }

    private static int Run(string name, TimeSpan? timeout, bool manual)
    {
        using var interruption = new Interruption();
        using SharedEvent sharedEvent = EventOpener.CreateOrOpen(name, manual, out _);
        bool set;
        try
        {
            set = sharedEvent.Wait(timeout ?? Timeout.InfiniteTimeSpan, interruption.Token);
        }
        catch (OperationCanceledException) when (interruption.Signal != 0)
        {
            throw new InterruptedBySignalException(interruption.Signal, Messages.Format(Messages.InterruptedWaitingForEvent, Interruption.NameOf(interruption.Signal), name));
        }

        return set
            ? ExitCodes.Success
            : throw new TimeoutException(Messages.Format(Messages.WaitTimedOut, name, Duration.Format(timeout!.Value)));
    }
}
