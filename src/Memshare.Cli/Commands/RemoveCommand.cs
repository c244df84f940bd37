using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare rm NAME</c>: removes a region's name.</summary>
internal static class RemoveCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        var command = new Command("rm", "Remove a region's name, like shm_unlink. Processes that have it open keep their memory; new opens no longer find it.")
        {
            name,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name)));
        return command;
    }

    private static int Run(string name)
    {
        RegionName.Validate(name);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(Messages.Format(Messages.RemoveNotOnWindows, name));
        }

        if (!SharedMemory.Remove(name))
        {
            throw new RegionNotFoundException(name);
        }

        Console.WriteLine($"Removed region '{name}'.");
        return ExitCodes.Success;
    }
}
