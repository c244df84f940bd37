using System.CommandLine;
using Memshare.Cli.Output;
using Memshare.Inspection;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare info NAME [--json]</c>: everything <c>ls</c> shows about one region, plus its decoded header.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<bool> json = Symbols.Json();
        var command = new Command("info", "Describe one region: what 'ls' shows, plus its decoded header (for a value: type, payload size, fingerprint, version; for a string: capacity, length, version; for a lock: the holder's pid, waiters, recoveries from dead owners; for an event: reset mode, whether it is set, waiters; for a channel: mode, capacity, largest message, messages written, writer position and pid, whether it is complete, fill level, and each reader's position, lag and lost messages; a channel whose fields break its rules is reported as damaged). Linux only.")
        {
            name,
            json,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(json)));
        return command;
    }

    private static int Run(string name, bool json)
    {
        SharedMemoryInfo region = SharedMemoryCatalog.GetInfo(name) ?? throw new RegionNotFoundException(name);
        if (json)
        {
            using Stream output = Console.OpenStandardOutput();
            RegionJson.WriteObject(region, output);
        }
        else
        {
            RegionDetails.Write(region, Console.Out);
        }

        return ExitCodes.Success;
    }
}
