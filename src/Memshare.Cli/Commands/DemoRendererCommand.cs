using System.CommandLine;
using Memshare.Samples;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare demo-renderer NAME INDEX</c> (hidden): one renderer process of <c>memshare demo notify</c>.</summary>
internal static class DemoRendererCommand
{
    public const string Name = "demo-renderer";

    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Argument<int> index = new("index") { Description = "This renderer's slot in the mailbox, from 0." };
        var command = new Command(Name, "A renderer of 'memshare demo notify': find the main window published under NAME and notify the main process.")
        {
            name,
            index,
        };
        command.Hidden = true;
        command.SetAction(parse => NotifyScenario.RunRenderer(parse.GetRequiredValue(name), parse.GetValue(index), DemoNotifyCommand.NotificationsEach, Console.Out));
        return command;
    }
}
