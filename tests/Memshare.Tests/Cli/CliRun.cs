using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Memshare.Inspection;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>What one finished run of the memshare CLI printed, and how it exited.</summary>
internal sealed record CliResult(string[] Arguments, int ExitCode, List<string> Stdout, string Stderr)
{
    /// <summary>Fails with everything the run printed unless it exited with <paramref name="expected"/>.</summary>
    public CliResult AssertExit(int expected)
    {
        Assert.True(ExitCode == expected,
            $"memshare {string.Join(' ', Arguments)}: expected exit code {expected}, got {ExitCode}.\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{Stderr}");
        return this;
    }

    /// <summary>Checks that the run failed the way the CLI promises: exit code, and stderr lines all "memshare: ...".</summary>
    public CliResult AssertError(int expected, string? mentions = null)
    {
        AssertExit(expected);
        Assert.NotEmpty(Stderr);
        Assert.All(Stderr.Split('\n'), line => Assert.StartsWith("memshare: ", line, StringComparison.Ordinal));
        if (mentions is not null)
        {
            Assert.Contains(mentions, Stderr, StringComparison.Ordinal);
        }

        return this;
    }

    /// <summary>Stdout parsed as JSON.</summary>
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(string.Join('\n', Stdout));
        return document.RootElement.Clone();
    }
}

/// <summary>Runs the memshare CLI as a separate process (through <see cref="Child"/>) and collects the result.</summary>
internal static class CliRun
{
    /// <summary>Runs <c>memshare ARGS</c> to completion.</summary>
    public static CliResult Run(params string[] args) => Finish(Child.Cli(args), args);

    /// <summary>Runs <c>memshare ARGS</c> as another user, through <paramref name="prefix"/> (a setpriv command line).</summary>
    public static CliResult RunAs(string prefix, params string[] args) => Finish(Child.CliAs(prefix, args), args);

    /// <summary>Waits for a CLI started by the caller (e.g. one fed through stdin) and collects the result.</summary>
    public static CliResult Finish(Child child, string[] args)
    {
        using (child)
        {
            List<string> lines = child.RemainingLines();
            return new CliResult(args, child.WaitForExit(), lines, child.Stderr);
        }
    }

    /// <summary>The object for <paramref name="name"/> in an <c>ls --json</c> array; fails if absent.</summary>
    public static JsonElement Find(JsonElement array, string name)
    {
        Assert.Equal(JsonValueKind.Array, array.ValueKind);
        foreach (JsonElement region in array.EnumerateArray())
        {
            if (region.GetProperty("name").GetString() == name)
            {
                return region;
            }
        }

        Assert.Fail($"'{name}' is not in the listing: {array}");
        return default;
    }

    /// <summary>Removes a region a test created as persistent; tests call it in <c>finally</c>.</summary>
    public static void Remove(params string[] names)
    {
        foreach (string name in names)
        {
            _ = SharedMemory.Remove(name);
        }
    }

    /// <summary>The path of a region's backing file on Linux.</summary>
    public static string PathOf(string name) => "/dev/shm/" + name;

    /// <summary>The lock state of region <paramref name="name"/> as the inspection API reads it; fails if it is not a lock.</summary>
    public static SharedLockInfo LockState(string name) =>
        SharedMemoryCatalog.GetInfo(name)?.Header?.Lock ?? throw new Xunit.Sdk.XunitException($"'{name}' is not a readable lock");

    /// <summary>The event state of region <paramref name="name"/> as the inspection API reads it; null while it does not exist yet.</summary>
    public static SharedEventInfo? EventState(string name) => SharedMemoryCatalog.GetInfo(name)?.Header?.Event;

    /// <summary>
    /// Polls a condition another process will make true (e.g. "one process waits on the lock"), failing with
    /// <paramref name="what"/> if it does not within <paramref name="timeout"/> (default 10 s). For states that
    /// print no line to wait for.
    /// </summary>
    public static void WaitUntil(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(10);
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < limit, $"timed out after {limit.TotalSeconds} s waiting until {what}");
            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// A process started with a signal ignored (e.g. SIGINT under a shell's background job) keeps ignoring it, and
    /// .NET cannot override that. Say so instead of timing out mysteriously.
    /// </summary>
    public static void AssertNotIgnored(int pid, int signal)
    {
        string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        Assert.NotNull(line);
        ulong ignored = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.True((ignored & (1UL << (signal - 1))) == 0,
            $"signal {signal} is ignored in the test process tree (inherited SIG_IGN), so it cannot interrupt memshare; run the tests in the foreground.");
    }
}
