using System.CommandLine;
using System.Globalization;
using Memshare.Samples;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare demo notify</c>: the CEF scenario of samples/CefNotify, compiled into the CLI from the same file.
/// The main process publishes its window handle and starts renderers (this program again, <c>demo-renderer NAME
/// INDEX</c>); each reads the handle by name and notifies the main process through a <see cref="SharedEvent"/>.
/// </summary>
internal static class DemoNotifyCommand
{
    public const int Renderers = 3;
    public const int NotificationsEach = 3;

    public static Command Create()
    {
        var command = new Command("notify", $"The browser/renderer scenario: this process publishes its window handle in shared memory and starts {Renderers} renderer processes; each finds the handle by name and notifies this process {NotificationsEach} times through a shared event, which wakes it without polling. Checks that every notification arrived, every renderer exited 0, and no region remains.");
        command.SetAction(_ => Run());
        return command;
    }

    private static int Run()
    {
        string? name = null;
        int exit = NotifyScenario.RunMain(Renderers, NotificationsEach, (regionName, index) =>
        {
            name = regionName;
            return SelfProcess.Start(DemoRendererCommand.Name, regionName, index.ToString(CultureInfo.InvariantCulture));
        }, Console.Out);
        if (exit != 0)
        {
            throw new InvalidOperationException(Messages.Format(Messages.NotifyFailed, exit));
        }

        // The scenario's regions are scoped: with every process done, none may remain.
        string[] regions = [name!, name + ".mailbox", name + ".notify"];
        foreach (string region in regions)
        {
            if (SharedMemory.TryOpenExisting(region, out SharedMemory? leftover))
            {
                leftover.Dispose();
                throw new InvalidOperationException(Messages.Format(Messages.DemoRegionLeft, region));
            }
        }

        Console.WriteLine($"Regions {string.Join(", ", regions.Select(r => $"'{r}'"))} removed with their last holders.");
        return ExitCodes.Success;
    }
}
