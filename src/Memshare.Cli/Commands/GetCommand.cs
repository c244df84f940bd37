using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare get NAME</c>: prints the string in a string slot.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        var command = new Command("get", "Print the string stored in a string slot (a SharedString), exactly as one writer stored it. The slot is opened read-only.")
        {
            name,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name)));
        return command;
    }

    private static int Run(string name)
    {
        using SharedString slot = SharedString.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        Console.WriteLine(slot.Get());
        return ExitCodes.Success;
    }
}
