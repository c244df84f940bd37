using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare reset NAME</c>: clears an existing event.</summary>
internal static class ResetCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        var command = new Command("reset", "Clear an existing event, so that waiters block again: what a manual-reset event needs after 'signal'. An auto-reset event clears itself when a waiter consumes it.")
        {
            name,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name)));
        return command;
    }

    private static int Run(string name)
    {
        using SharedEvent sharedEvent = SharedEvent.OpenExisting(name);
        sharedEvent.Reset();
        Console.WriteLine($"Reset event '{name}' ({EventOpener.Describe(sharedEvent.Mode)}).");
        return ExitCodes.Success;
    }
}
