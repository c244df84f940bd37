namespace Memshare.Tests.Cli;

/// <summary><c>memshare --help</c> lists one short line per command, like git; <c>memshare CMD --help</c> keeps the detail.</summary>
public sealed class CliHelpTests
{
    private static readonly string[] s_commands =
        ["demo", "create", "write", "read", "dump", "set", "get", "ls", "info", "watch", "rm", "gc", "hold", "lock", "wait", "signal", "reset", "send", "recv", "bridge"];

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void RootHelp_ListsEveryCommandOnOneShortLine(string flag)
    {
        CliResult result = CliRun.Run(flag).AssertExit(0);
        List<string> rows = CommandRows(result);

        Assert.Equal(s_commands, rows.Select(r => r.Trim().Split(' ')[0]));
        Assert.All(rows, row => Assert.True(row.Length <= 100, $"not one short line: '{row}'"));
        Assert.Contains(result.Stdout, line => line.Contains("Exit codes:", StringComparison.Ordinal));
    }

    [Fact]
    public void GroupHelp_ListsSubcommandsOnOneShortLine()
    {
        List<string> rows = CommandRows(CliRun.Run("bridge", "--help").AssertExit(0));

        Assert.Equal(["publish", "subscribe"], rows.Select(r => r.Trim().Split(' ')[0]));
        Assert.All(rows, row => Assert.True(row.Length <= 100, $"not one short line: '{row}'"));
    }

    [Theory]
    [InlineData("gc", "a region is removed only under its exclusive lock")]
    [InlineData("bridge", "completion travels")]
    [InlineData("dump", "repeated lines collapsed to '*'")]
    public void CommandHelp_KeepsTheFullDescription(string command, string detail)
    {
        CliResult result = CliRun.Run(command, "--help").AssertExit(0);

        Assert.Contains(result.Stdout, line => line.Contains(detail, StringComparison.Ordinal));
    }

    /// <summary>The indented lines of the "Commands:" section.</summary>
    private static List<string> CommandRows(CliResult result) =>
        result.Stdout.SkipWhile(line => line != "Commands:").Skip(1).TakeWhile(line => line.StartsWith("  ", StringComparison.Ordinal)).ToList();
}
