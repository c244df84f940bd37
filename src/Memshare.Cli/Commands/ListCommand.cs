using System.CommandLine;
using Memshare.Cli.Output;
using Memshare.Inspection;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare ls [--json]</c>: every region in /dev/shm, one row each.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        Option<bool> json = Symbols.Json();
        var command = new Command("ls", "List the regions in /dev/shm: name, size, kind (raw, value, string, channel, lock, event, ...), owner, mode, lifetime (persistent or scoped), live holders and state (who holds a lock, whether an event is set, how many messages a channel has had and how full it is). Reads headers without opening any region as a holder. Linux only.")
        {
            json,
        };
        command.SetAction(parse => Run(parse.GetValue(json)));
        return command;
    }

    private static int Run(bool json)
    {
        IReadOnlyList<SharedMemoryInfo> regions = SharedMemoryCatalog.List();
        if (json)
        {
            using Stream output = Console.OpenStandardOutput();
            RegionJson.WriteArray(regions, output);
        }
        else
        {
            RegionTable.Write(regions, Console.Out);
        }

        return ExitCodes.Success;
    }
}
