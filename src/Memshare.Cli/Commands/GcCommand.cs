using System.CommandLine;
using Memshare.Cli.Output;
using Memshare.Inspection;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare gc [--dry-run] [--json]</c>: removes this user's scoped regions whose holders all died, with the
/// same lock-then-check protocol Memshare's own open uses, and lists what it removed.
/// </summary>
internal static class GcCommand
{
    public static Command Create()
    {
        Option<bool> dryRun = new("--dry-run") { Description = "List the stale regions, but remove nothing." };
        Option<bool> json = Symbols.Json();
        var command = new Command("gc", "Remove stale regions: scoped regions of yours whose holders have all died (killed, crashed). Lists each removed region (name, kind, size). Never touches a region that a process holds, a persistent one, a file another program made (no sticky bit), or one another user owns, even as root. Safe while programs run: a region is removed only under its exclusive lock, so a process opening it at the same moment either finds it gone or keeps it. Linux only.")
        {
            dryRun,
            json,
        };
        command.SetAction(parse => Run(parse.GetValue(dryRun), parse.GetValue(json)));
        return command;
    }

    private static int Run(bool dryRun, bool json)
    {
        // Outside Linux this throws PlatformNotSupportedException, which exits 7 with its message.
        IReadOnlyList<StaleRegionResult> results = SharedMemoryCatalog.RemoveStale(dryRun);

        if (json)
        {
            using Stream output = Console.OpenStandardOutput();
            GcReport.WriteJson(results, dryRun, output);
        }
        else
        {
            GcReport.WriteText(results, dryRun, Console.Out);
        }

        return ExitCodes.Success;
    }
}
