using System.CommandLine;
using System.Diagnostics;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare demo</c>: the end-to-end job. This process writes a string into a new scoped region and starts a
/// separate child process (this program again, <c>demo-child NAME</c>) that reads it by name. When both have
/// closed it, the region is gone. <c>demo</c> is a command group so other demos can become its subcommands.
/// </summary>
internal static class DemoCommand
{
    public const string Text = "This is a test string";

    public static Command Create()
    {
        var command = new Command("demo", $"Write \"{Text}\" into a new shared string region, start a separate child process that reads it by name and prints it, then check that the region went away with its last holder.")
        {
            DemoNotifyCommand.Create(),
        };
        command.SetAction(_ => Run());
        return command;
    }

    private static int Run()
    {
        string name = $"memshare-demo-{Environment.ProcessId}";
        int childExit;
        using (SharedString shared = SharedString.CreateNew(name, capacity: 256))
        {
            shared.Set(Text);
            Console.WriteLine($"Parent wrote \"{Text}\" to region '{name}'; starting a child process to read it.");
            childExit = RunChild(name);
        }

        if (childExit != 0)
        {
            throw new InvalidOperationException(Messages.Format(Messages.ChildFailed, childExit));
        }

        if (SharedMemory.TryOpenExisting(name, out SharedMemory? leftover))
        {
            leftover.Dispose();
            throw new InvalidOperationException(Messages.Format(Messages.DemoRegionLeft, name));
        }

        Console.WriteLine($"Region '{name}' removed with its last holder.");
        return ExitCodes.Success;
    }

    /// <summary>Runs this program again as <c>demo-child NAME</c>, sharing our console, and waits for it.</summary>
    private static int RunChild(string name)
    {
        using Process child = SelfProcess.Start(DemoChildCommand.Name, name);
        child.WaitForExit();
        return child.ExitCode;
    }
}
