using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare signal NAME [--manual]</c>: sets the named event.</summary>
internal static class SignalCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<bool> manual = Symbols.Manual();
        var command = new Command("signal", "Set the named event, creating it (persistent) if absent. Auto-reset: releases one waiter, or the next to come; manual-reset: releases every waiter until 'memshare reset NAME'. Remove the event with 'memshare rm NAME'.")
        {
            name,
            manual,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(manual)));
        return command;
    }

    private static int Run(string name, bool manual)
    {
        using SharedEvent sharedEvent = EventOpener.CreateOrOpen(name, manual, out bool created);
        sharedEvent.Set();
        Console.WriteLine($"Set event '{name}' ({EventOpener.Describe(sharedEvent.Mode)}{(created ? "; created it" + CliLifetime.Describe : "")}).");
        CliLifetime.NoteIfScoped(name, created);
        return ExitCodes.Success;
    }
}
