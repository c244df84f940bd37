using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare create NAME --size BYTES</c>: a new persistent raw region, all zeros.</summary>
internal static class CreateCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<long> size = new("--size") { Description = "Bytes to reserve, at least 1. The memory is committed now.", Required = true };
        var command = new Command("create", "Create a persistent raw region of --size bytes, all zeros, readable and writable by you only (0600). It stays until 'memshare rm NAME' or a reboot.")
        {
            name,
            size,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(size)));
        return command;
    }

    private static int Run(string name, long size)
    {
        // Persistent: the CLI exits at once, and a scoped region would vanish with it.
        using (SharedMemory.CreateNew(name, size, new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent }))
        {
        }

        Console.WriteLine($"Created region '{name}' ({size} bytes, persistent). Remove it with 'memshare rm {name}'.");
        return ExitCodes.Success;
    }
}
