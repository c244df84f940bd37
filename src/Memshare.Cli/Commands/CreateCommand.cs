using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare create NAME --size BYTES</c>: a new raw region, all zeros; persistent on POSIX. On Windows, where a
/// region lives only while a process holds it, the command creates it and then holds it like <c>hold</c>.
/// </summary>
internal static class CreateCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<long> size = new("--size") { Description = "Bytes to reserve, at least 1. The memory is committed now.", Required = true };
        var command = new Command("create", "Create a persistent raw region of --size bytes, all zeros, readable and writable by you only (0600). It stays until 'memshare rm NAME' or a reboot. On Windows, where a region lives only while a process holds it, create holds it until interrupted, like 'hold'.")
        {
            name,
            size,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(size)));
        return command;
    }

    private static int Run(string name, long size)
    {
        if (!CliLifetime.RegionsOutliveTheCli)
        {
            using SharedMemory held = SharedMemory.CreateNew(name, size, options: CliLifetime.NewRegion());
            ExitCodes.WriteError(Messages.Format(Messages.CreateHoldsOnWindows, name));
            HoldUntilReleased.Run($"Created region '{name}' ({size} bytes); holding it until interrupted.", untilEof: false);
            return ExitCodes.Success;
        }

        // Persistent: the CLI exits at once, and a scoped region would vanish with it.
        using (SharedMemory.CreateNew(name, size, options: CliLifetime.NewRegion()))
        {
        }

        Console.WriteLine($"Created region '{name}' ({size} bytes, persistent). Remove it with 'memshare rm {name}'.");
        return ExitCodes.Success;
    }
}
