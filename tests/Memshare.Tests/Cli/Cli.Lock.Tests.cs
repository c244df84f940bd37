using System.Text.Json;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>
/// `memshare lock NAME -- COMMAND`: the command runs under the lock, in separate processes, with its exit code
/// passed through; timeouts, dead owners, missing commands and signals. Locks are persistent, so every test
/// removes its lock in <c>finally</c>.
/// </summary>
public sealed class CliLockTests : IDisposable
{
    private const string Held = "held";

    private readonly ShmScope _scope = new();

    [Fact]
    public void Lock_RunsTheCommand_AndExitsWithItsCode()
    {
        string name = _scope.Name("code");
        try
        {
            CliResult result = CliRun.Run("lock", name, "--", "sh", "-c", "echo ran; exit 7").AssertExit(7);

            Assert.Equal(["ran"], result.Stdout);
            Assert.Empty(result.Stderr);
            JsonElement info = CliRun.Run("info", name, "--json").AssertExit(0).Json();
            Assert.Equal("lock", info.GetProperty("kind").GetString());
            Assert.True(info.GetProperty("persistent").GetBoolean());
            Assert.Equal(JsonValueKind.Null, info.GetProperty("header").GetProperty("lock").GetProperty("ownerPid").ValueKind);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Lock_PassesEverythingAfterDoubleDash_ToTheCommandVerbatim()
    {
        string name = _scope.Name("args");
        try
        {
            // Options of memshare's own, '--' again, and '@' (no response files) all reach the command unread.
            CliResult result = CliRun.Run("lock", name, "--", "sh", "-c", "printf '%s\\n' \"$@\"", "sh", "--timeout", "x", "--", "@args", "a b")
                .AssertExit(0);

            Assert.Equal(["--timeout", "x", "--", "@args", "a b"], result.Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Lock_ConcurrentCommands_NeverInterleaveTheirCriticalSections()
    {
        const int Processes = 4;
        string name = _scope.Name("mutex");
        string log = Path.Combine(Path.GetTempPath(), name + ".log");
        try
        {
            // Each critical section spans 0.2 s between its markers: without the lock, processes started together overlap.
            const string Section = "echo \"begin $$\" >> \"$1\"; sleep 0.2; echo \"end $$\" >> \"$1\"";
            var lockers = new List<Child>();
            for (int i = 0; i < Processes; i++)
            {
                lockers.Add(_scope.Track(Child.Cli("lock", name, "--", "sh", "-c", Section, "sh", log)));
            }

            foreach (Child locker in lockers)
            {
                Assert.True(locker.WaitForExit() == 0, $"a locker failed: {locker.Stderr}");
            }

            string[] lines = File.ReadAllLines(log);
            Assert.Equal(2 * Processes, lines.Length);
            var owners = new HashSet<string>();
            for (int i = 0; i < lines.Length; i += 2)
            {
                string[] begin = lines[i].Split(' ');
                Assert.True(begin[0] == "begin" && lines[i + 1] == "end " + begin[1], "critical sections interleaved:\n" + string.Join('\n', lines));
                owners.Add(begin[1]);
            }

            Assert.Equal(Processes, owners.Count);
        }
        finally
        {
            File.Delete(log);
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Lock_WithTimeout_WhileAnotherProcessHoldsIt_ExitsSixWithoutRunningTheCommand()
    {
        string name = _scope.Name("busy");
        Child holder = _scope.Track(Child.Cli("lock", name, "--", "sh", "-c", $"echo {Held}; exec sleep 30"));
        try
        {
            Assert.Equal(Held, holder.ReadLine());

            CliResult result = CliRun.Run("lock", name, "--timeout", "200ms", "--", "sh", "-c", "echo ran")
                .AssertError(6, $"Lock '{name}' is still held by process {holder.Pid} after 200 ms");

            Assert.Empty(result.Stdout);
            Assert.Equal(holder.Pid, CliRun.LockState(name).OwnerProcessId);
        }
        finally
        {
            holder.Kill();
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Lock_AfterTheOwnerWasKilledHoldingIt_RunsTheCommandAndSaysTheOwnerDied()
    {
        string name = _scope.Name("dead");
        try
        {
            Child holder = _scope.Track(Child.Cli("lock", name, "--", "sh", "-c", $"echo {Held}; exec sleep 30"));
            Assert.Equal(Held, holder.ReadLine());
            holder.Kill(); // SIGKILL to memshare and its command: the lock stays marked held by a dead process
            Assert.Equal(holder.Pid, CliRun.LockState(name).OwnerProcessId);
            Assert.False(CliRun.LockState(name).IsOwnerAlive);

            CliResult result = CliRun.Run("lock", name, "--timeout", "10s", "--", "sh", "-c", "echo ran").AssertExit(0);

            Assert.Equal(["ran"], result.Stdout);
            Assert.Equal($"memshare: previous owner of lock '{name}' died while holding it; acquired anyway", result.Stderr);
            Assert.Null(CliRun.LockState(name).OwnerProcessId);
            Assert.Equal(1, CliRun.LockState(name).Recoveries);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Lock_AWaiter_TakesOverWhenTheOwnerIsKilled_AndInfoShowsEachStep()
    {
        string name = _scope.Name("takeover");
        try
        {
            Child holder = _scope.Track(Child.Cli("lock", name, "--", "sh", "-c", $"echo {Held}; exec sleep 30"));
            Assert.Equal(Held, holder.ReadLine());
            Child waiter = _scope.Track(Child.Cli("lock", name, "--", "sh", "-c", "echo ran"));
            CliRun.WaitUntil(() => CliRun.LockState(name).Waiters == 1, "the second 'memshare lock' waits");

            List<string> text = CliRun.Run("info", name).AssertExit(0).Stdout;
            Assert.Contains($"state:      held by pid {holder.Pid}", text);
            Assert.Contains("waiters:    1 processes", text);
            Assert.Contains("recoveries: 0 times an acquirer took the lock from a dead owner", text);
            JsonElement held = CliRun.Run("info", name, "--json").AssertExit(0).Json().GetProperty("header").GetProperty("lock");
            Assert.Equal(holder.Pid, held.GetProperty("ownerPid").GetInt32());
            Assert.True(held.GetProperty("ownerAlive").GetBoolean());
            Assert.Equal(1, held.GetProperty("waiters").GetInt32());

            holder.Kill();

            Assert.Equal(0, waiter.WaitForExit(TimeSpan.FromSeconds(20)));
            Assert.Equal("ran", waiter.ReadLine());
            Assert.Contains("died while holding it; acquired anyway", waiter.Stderr, StringComparison.Ordinal);
            JsonElement after = CliRun.Run("info", name, "--json").AssertExit(0).Json().GetProperty("header").GetProperty("lock");
            Assert.Equal(JsonValueKind.Null, after.GetProperty("ownerPid").ValueKind);
            Assert.Equal(0, after.GetProperty("waiters").GetInt32());
            Assert.Equal(1, after.GetProperty("recoveries").GetInt64());
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Lock_MissingCommand_Exits127_AndReleasesTheLock()
    {
        string name = _scope.Name("nocmd");
        string missing = "memshare-test-no-such-command-" + _scope.Prefix;
        try
        {
            CliRun.Run("lock", name, "--", missing, "arg").AssertError(127, $"Cannot run '{missing}'");

            Assert.Null(CliRun.LockState(name).OwnerProcessId);
            CliRun.Run("lock", name, "--timeout", "0", "--", "true").AssertExit(0);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Lock_CommandThatCannotBeExecuted_Exits126()
    {
        string name = _scope.Name("noexec");
        string file = Path.Combine(Path.GetTempPath(), name + ".txt");
        try
        {
            File.WriteAllText(file, "not a program\n"); // mode 0644: no execute bit

            CliRun.Run("lock", name, "--", file).AssertError(126, $"Cannot run '{file}'");
        }
        finally
        {
            File.Delete(file);
            CliRun.Remove(name);
        }
    }

    [Theory]
    [InlineData(2, 130)] // SIGINT, Ctrl+C
    [InlineData(15, 143)] // SIGTERM
    public void Lock_InterruptedWhileWaiting_ExitsWith128PlusTheSignal_WithoutRunningTheCommand(int signal, int expected)
    {
        string name = _scope.Name("intr");
        Child holder = _scope.Track(Child.Cli("lock", name, "--", "sh", "-c", $"echo {Held}; exec sleep 30"));
        try
        {
            Assert.Equal(Held, holder.ReadLine());
            string[] args = ["lock", name, "--", "sh", "-c", "echo ran"];
            Child waiter = _scope.Track(Child.Cli(args));
            CliRun.WaitUntil(() => CliRun.LockState(name).Waiters == 1, "the second 'memshare lock' waits");
            CliRun.AssertNotIgnored(waiter.Pid, signal);

            waiter.Signal(signal);

            CliResult result = CliRun.Finish(waiter, args).AssertError(expected, $"while waiting for lock '{name}'; the command was not run");
            Assert.Empty(result.Stdout);
            Assert.Equal(0, CliRun.LockState(name).Waiters); // it left the wait cleanly
            Assert.Equal(holder.Pid, CliRun.LockState(name).OwnerProcessId);
        }
        finally
        {
            holder.Kill();
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Lock_SigtermWhileTheCommandRuns_IsPassedOnToIt_ThenTheLockIsReleased()
    {
        string name = _scope.Name("fwd");
        try
        {
            const string Script = "trap 'echo got TERM; exit 9' TERM; echo running; while :; do sleep 0.05; done";
            Child locker = _scope.Track(Child.Cli("lock", name, "--", "sh", "-c", Script));
            Assert.Equal("running", locker.ReadLine());

            locker.Signal(15);

            Assert.Equal(9, locker.WaitForExit());
            Assert.Equal("got TERM", locker.ReadLine());
            Assert.Null(CliRun.LockState(name).OwnerProcessId);
            Assert.Equal(0, CliRun.LockState(name).Recoveries);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("1e3")]
    [InlineData("-1")]
    [InlineData("ms")]
    public void Lock_InvalidTimeout_ExitsTwoAndCreatesNothing(string timeout)
    {
        string name = _scope.Name("badt");

        CliRun.Run("lock", name, "--timeout", timeout, "--", "true").AssertError(2, "--timeout");

        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void Lock_OnAnEvent_ExitsOneNamingTheKind()
    {
        string name = _scope.Name("notlock");
        try
        {
            CliRun.Run("signal", name).AssertExit(0);

            CliRun.Run("lock", name, "--", "true").AssertError(1, $"'{name}' holds a Memshare event, not the lock it was opened as");
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    public void Dispose() => _scope.Dispose();
}
