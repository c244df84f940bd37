using System.Text;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>The memshare CLI as a separate process whose stdin and stdout are raw bytes, for <c>send</c> and <c>recv</c>.</summary>
internal sealed class CliPipe : PipedProcess
{
    private CliPipe(string[] args)
        : base("memshare", [.. Child.CliCommand, .. args], args,
            [new("DOTNET_CLI_TELEMETRY_OPTOUT", "1")])
    {
    }

    /// <summary>Starts <c>memshare ARGS</c>; its stdin stays open until <see cref="PipedProcess.Feed"/> or <see cref="PipedProcess.CloseInput"/>.</summary>
    public static CliPipe Start(params string[] args) => new(args);

    /// <summary>Runs <c>memshare ARGS</c> with <paramref name="input"/> as its whole stdin, to completion.</summary>
    public static (CliResult Result, byte[] Stdout) Run(byte[] input, params string[] args)
    {
        using CliPipe pipe = Start(args);
        pipe.Feed(input);
        return pipe.Finish();
    }

    /// <summary>Waits for exit (default 120 s; kills and fails after), and returns what it printed.</summary>
    public (CliResult Result, byte[] Stdout) Finish(TimeSpan? timeout = null)
    {
        (int exitCode, byte[] stdout, string stderr) = WaitForOutput(timeout ?? TimeSpan.FromSeconds(120));
        List<string> lines = [.. Encoding.UTF8.GetString(stdout).Split('\n')];
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return (new CliResult(Arguments, exitCode, lines, stderr.TrimEnd('\n')), stdout);
    }
}
