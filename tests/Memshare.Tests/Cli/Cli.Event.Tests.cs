using System.Text.Json;
using Memshare.Inspection;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>
/// `memshare wait`, `signal` and `reset` on a named event, across separate processes: auto- and manual-reset,
/// timeouts in every accepted form, and signals. Events are persistent, so every test removes its event in
/// <c>finally</c>.
/// </summary>
public sealed class CliEventTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Theory]
    [InlineData("200ms")]
    [InlineData("0.2")]
    [InlineData("0.2s")]
    [InlineData("0.004m")]
    [InlineData("0")]
    public void Wait_WithTimeout_WhenNeverSignalled_ExitsSix(string timeout)
    {
        string name = _scope.Name("never");
        try
        {
            CliResult result = CliRun.Run("wait", name, "--timeout", timeout).AssertError(6, $"Event '{name}' was not set within");

            Assert.Empty(result.Stdout);
            SharedEventInfo state = CliRun.EventState(name)!; // created by the wait: persistent, auto-reset, not set
            Assert.Equal(EventResetMode.AutoReset, state.Mode);
            Assert.False(state.IsSet);
            Assert.Equal(0, state.Waiters);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Wait_InOneProcess_IsReleasedBySignalFromAnother()
    {
        string name = _scope.Name("go");
        try
        {
            Child waiter = _scope.Track(Child.Cli("wait", name));
            CliRun.WaitUntil(() => CliRun.EventState(name)?.Waiters == 1, "'memshare wait' sleeps on the event");
            Assert.False(waiter.HasExited);

            CliResult signal = CliRun.Run("signal", name).AssertExit(0);

            Assert.Equal(0, waiter.WaitForExit(TimeSpan.FromSeconds(20)));
            Assert.Empty(waiter.RemainingLines());
            Assert.Empty(waiter.Stderr);
            Assert.Equal([$"Set event '{name}' (auto-reset: one waiter consumes each signal)."], signal.Stdout);
            SharedEventInfo after = CliRun.EventState(name)!;
            Assert.False(after.IsSet); // the waiter consumed it
            Assert.Equal(0, after.Waiters);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Signal_AutoReset_IsConsumedByExactlyOneWait()
    {
        string name = _scope.Name("auto");
        try
        {
            Assert.Equal([$"Set event '{name}' (auto-reset: one waiter consumes each signal; created it, persistent)."],
                CliRun.Run("signal", name).AssertExit(0).Stdout);

            CliRun.Run("wait", name, "--timeout", "10s").AssertExit(0);
            CliRun.Run("wait", name, "--timeout", "200ms").AssertError(6, $"'{name}'");
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Signal_ManualReset_StaysSetForEveryWait_UntilReset()
    {
        string name = _scope.Name("manual");
        try
        {
            CliRun.Run("signal", name, "--manual").AssertExit(0);

            CliRun.Run("wait", name, "--timeout", "10s").AssertExit(0);
            CliRun.Run("wait", name, "--timeout", "10s").AssertExit(0);
            Assert.True(CliRun.EventState(name)!.IsSet);

            Assert.Equal([$"Reset event '{name}' (manual-reset: stays set until 'memshare reset')."],
                CliRun.Run("reset", name).AssertExit(0).Stdout);
            CliRun.Run("wait", name, "--timeout", "200ms").AssertError(6, $"'{name}'");
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Info_OfEvent_ShowsModeStateAndWaiters_InTextAndJson()
    {
        string name = _scope.Name("info");
        try
        {
            CliRun.Run("signal", name, "--manual").AssertExit(0);

            List<string> text = CliRun.Run("info", name).AssertExit(0).Stdout;
            Assert.Contains("kind:     event", text);
            Assert.Contains($"reset:    manual (stays set until 'memshare reset {name}')", text);
            Assert.Contains("state:    set", text);
            Assert.Contains("waiters:  0 processes", text);
            Assert.Contains(text, l => l.StartsWith("lifetime: persistent", StringComparison.Ordinal));

            CliRun.Run("reset", name).AssertExit(0);
            JsonElement json = CliRun.Run("info", name, "--json").AssertExit(0).Json();
            Assert.Equal("event", json.GetProperty("kind").GetString());
            JsonElement state = json.GetProperty("header").GetProperty("event");
            Assert.Equal("manual", state.GetProperty("mode").GetString());
            Assert.False(state.GetProperty("signaled").GetBoolean());
            Assert.Equal(0, state.GetProperty("waiters").GetInt32());
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Wait_Manual_OnAnExistingAutoResetEvent_WarnsThatTheModeStays()
    {
        string name = _scope.Name("keeps");
        try
        {
            CliRun.Run("signal", name).AssertExit(0);

            CliResult result = CliRun.Run("wait", name, "--manual", "--timeout", "10s").AssertExit(0);

            Assert.StartsWith($"memshare: event '{name}' already exists as auto-reset", result.Stderr, StringComparison.Ordinal);
            Assert.False(CliRun.EventState(name)!.IsSet); // consumed, as auto-reset does
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Theory]
    [InlineData(2, 130)] // SIGINT, Ctrl+C
    [InlineData(15, 143)] // SIGTERM
    public void Wait_InterruptedBySignal_ExitsWith128PlusTheSignal_AndLeavesTheWaitCleanly(int signal, int expected)
    {
        string name = _scope.Name("intr");
        try
        {
            string[] args = ["wait", name];
            Child waiter = _scope.Track(Child.Cli(args));
            CliRun.WaitUntil(() => CliRun.EventState(name)?.Waiters == 1, "'memshare wait' sleeps on the event");
            CliRun.AssertNotIgnored(waiter.Pid, signal);

            waiter.Signal(signal);

            CliRun.Finish(waiter, args).AssertError(expected, $"while waiting for event '{name}'");
            Assert.Equal(0, CliRun.EventState(name)!.Waiters);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Reset_OfMissingEvent_ExitsThreeAndCreatesNothing()
    {
        string name = _scope.Name("none");

        CliRun.Run("reset", name).AssertError(3, $"'{name}'");

        Assert.Empty(_scope.Leftovers());
    }

    [Theory]
    [InlineData("5x")]
    [InlineData("1,5")]
    [InlineData("2h")]
    [InlineData("")]
    public void Wait_InvalidTimeout_ExitsTwoAndCreatesNothing(string timeout)
    {
        string name = _scope.Name("badt");

        CliRun.Run("wait", name, "--timeout", timeout).AssertError(2, $"--timeout '{timeout}' is not a duration");

        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void Signal_OnALock_ExitsOneNamingTheKind()
    {
        string name = _scope.Name("notevent");
        try
        {
            CliRun.Run("lock", name, "--", "true").AssertExit(0);

            CliRun.Run("signal", name).AssertError(1, $"'{name}' holds a Memshare lock");
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    public void Dispose() => _scope.Dispose();
}
