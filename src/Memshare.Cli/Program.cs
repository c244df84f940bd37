using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Memshare.Cli.Commands;

namespace Memshare.Cli;

/// <summary>The <c>memshare</c> command: parses, runs one command, and turns every failure into a message and an exit code.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // No response files: '@word' is an ordinary argument ('set NAME @alice', 'lock NAME echo @x'), never a file to read.
        ParseResult parse = CreateRootCommand().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
        {
            return ReportParseErrors(parse);
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // The one place where failures become exit codes; see ExitCodes.
            return ExitCodes.Report(e);
        }
    }

    internal static RootCommand CreateRootCommand() => Help.WithOneLineCommands(new("Create, inspect, read, write and remove named shared memory regions, and use named locks, events and message channels across processes. Run 'memshare COMMAND --help' for what a command does and its options. Exit codes: 0 ok, 1 other failure, 2 invalid arguments (including a message too long for its channel), 3 region not found, 4 region already exists, 5 access denied, 6 timed out (lock, wait, recv), 7 not supported on this OS, 8 NATS server unreachable (bridge); 'lock' exits with its command's code (127 not found, 126 cannot run); 128+N when signal N interrupts a wait (130 Ctrl+C, 143 SIGTERM).")
        {
            DemoCommand.Create(),
            DemoChildCommand.Create(),
            DemoRendererCommand.Create(),
            CreateCommand.Create(),
            WriteCommand.Create(),
            ReadCommand.Create(),
            DumpCommand.Create(),
            SetCommand.Create(),
            GetCommand.Create(),
            ListCommand.Create(),
            InfoCommand.Create(),
            WatchCommand.Create(),
            RemoveCommand.Create(),
            GcCommand.Create(),
            HoldCommand.Create(),
            LockCommand.Create(),
            WaitCommand.Create(),
            SignalCommand.Create(),
            ResetCommand.Create(),
            SendCommand.Create(),
            RecvCommand.Create(),
            BridgeCommand.Create(),
        });

    private static int ReportParseErrors(ParseResult parse)
    {
        foreach (ParseError error in parse.Errors)
        {
            ExitCodes.WriteError(error.Message);
        }

        ExitCodes.WriteError($"run '{CommandPath(parse.CommandResult)} --help' for usage.");
        return ExitCodes.InvalidArguments;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult { Command: not RootCommand } command)
            {
                names.Insert(0, command.Command.Name);
            }
        }

        names.Insert(0, "memshare");
        return string.Join(' ', names);
    }
}
