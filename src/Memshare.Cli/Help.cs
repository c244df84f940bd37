using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Memshare.Cli;

/// <summary>
/// A command list of one line per command, like <c>git</c>'s: <c>memshare --help</c> (and <c>memshare bridge
/// --help</c>) show each subcommand's summary from here; <c>memshare CMD --help</c> keeps the full description.
/// </summary>
internal static class Help
{
    /// <summary>The one-line summaries, by command path. A command missing here shows its full description.</summary>
    private static readonly Dictionary<string, string> s_summaries = new(StringComparer.Ordinal)
    {
        ["demo"] = "Share a string with a child process and watch the region go away with it",
        ["demo notify"] = "Run the browser/renderer notification scenario across processes",
        ["create"] = "Create a persistent raw region of zeros",
        ["write"] = "Write raw bytes into an existing region",
        ["read"] = "Print raw bytes of a region",
        ["dump"] = "Show a region's bytes like 'hexdump -C', without holding it (Linux)",
        ["set"] = "Store text in a string slot, creating it if absent",
        ["get"] = "Print the text in a string slot",
        ["ls"] = "List regions with kind, owner, lifetime, holders and state (Linux)",
        ["info"] = "Describe one region and its decoded header (Linux)",
        ["watch"] = "Show a region's state and rates, refreshed in place (Linux)",
        ["rm"] = "Remove a region's name, like shm_unlink",
        ["gc"] = "Remove your stale scoped regions whose holders all died (Linux)",
        ["hold"] = "Keep a region open until interrupted",
        ["lock"] = "Run a command while holding a named lock, like flock(1)",
        ["wait"] = "Wait until a named event is set",
        ["signal"] = "Set a named event",
        ["reset"] = "Clear a named event",
        ["send"] = "Send each line of standard input to a channel as a message",
        ["recv"] = "Print each message of a channel as a line",
        ["bridge"] = "Forward a channel to or from a NATS JetStream subject",
        ["bridge publish"] = "Forward a channel's messages to a JetStream subject, exactly once",
        ["bridge subscribe"] = "Forward a JetStream subject's messages into a channel, exactly once",
    };

    /// <summary>Makes the help of <paramref name="root"/> and of every command list subcommands by their summaries.</summary>
    public static RootCommand WithOneLineCommands(RootCommand root)
    {
        foreach (HelpOption help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is { } standard)
            {
                help.Action = new OneLineCommands(standard);
            }
        }

        return root;
    }

    /// <summary>
    /// The standard help, with each subcommand's description swapped for its summary while it is written (a
    /// subcommand's description appears only in its parent's list; its own help shows the full one).
    /// </summary>
    private sealed class OneLineCommands(CommandLineAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Command command = parseResult.CommandResult.Command;
            string prefix = PathOf(parseResult.CommandResult);
            var saved = new List<(Command Command, string? Description)>();
            foreach (Command sub in command.Subcommands)
            {
                if (s_summaries.TryGetValue(prefix + sub.Name, out string? summary))
                {
                    saved.Add((sub, sub.Description));
                    sub.Description = summary;
                }
            }

            try
            {
                return standard is SynchronousCommandLineAction sync ? sync.Invoke(parseResult) : 0;
            }
            finally
            {
                foreach ((Command sub, string? description) in saved)
                {
                    sub.Description = description;
                }
            }
        }

        /// <summary>The command path below the root with a trailing space ("bridge "), or "" for the root.</summary>
        private static string PathOf(CommandResult result)
        {
            string path = "";
            for (SymbolResult? r = result; r is CommandResult { Command: not RootCommand } c; r = r.Parent)
            {
                path = c.Command.Name + " " + path;
            }

            return path;
        }
    }
}
