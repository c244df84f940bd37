using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare demo-child NAME</c> (hidden): the demo's child process. Opens the string by name, read-only, and prints it.</summary>
internal static class DemoChildCommand
{
    public const string Name = "demo-child";

    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        var command = new Command(Name, "The child half of 'memshare demo': read the string slot NAME and print it.")
        {
            name,
        };
        command.Hidden = true;
        command.SetAction(parse => Run(parse.GetRequiredValue(name)));
        return command;
    }

    private static int Run(string name)
    {
        using SharedString slot = SharedString.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        Console.WriteLine($"Child process read from shared memory: {slot.Get()}");
        return ExitCodes.Success;
    }
}
