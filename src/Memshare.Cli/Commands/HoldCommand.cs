using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare hold NAME [--size BYTES] [--until-eof]</c>: keeps a region open, as a live holder, until told to
/// stop. With --size it creates the region if missing, scoped, so it disappears when the last holder lets go.
/// </summary>
internal static class HoldCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<long?> size = new("--size") { Description = "Create the region with this many bytes if it does not exist (scoped: it goes away with its last holder). Without it the region must exist." };
        Option<bool> untilEof = new("--until-eof") { Description = "Also let go when standard input reaches its end (for scripts and tests)." };
        var command = new Command("hold", "Keep a region open until interrupted (Ctrl+C, SIGINT, SIGTERM or SIGHUP), then close it cleanly. Prints one line once the region is held.")
        {
            name,
            size,
            untilEof,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(size), parse.GetValue(untilEof)));
        return command;
    }

    private static int Run(string name, long? size, bool untilEof)
    {
        bool created = false;
        using SharedMemory region = size is long bytes
            ? SharedMemory.CreateOrOpen(name, bytes, out created)
            : SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);

        HoldUntilReleased.Run($"holding {name} ({region.RegionSize} bytes, {(created ? "created" : "opened")})", untilEof);
        return ExitCodes.Success;
    }
}
