using System.Text;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Cli;

/// <summary>
/// The memshare CLI on every OS: each command a user scripts with, against regions held by this test process (the
/// way a Windows program holds its mapping while a tool pokes at it), plus the commands that cannot work on an OS
/// failing with exit code 7 and a message. Linux-only behaviour (persistent regions left behind, ls, gc, signals)
/// is tested in tests/Memshare.Tests/Cli.
/// </summary>
public sealed class CliTests : IDisposable
{
    private const int NotFound = 3;
    private const int TimedOut = 6;
    private const int NotSupported = 7;

    private readonly RegionScope _scope = new();

    [Fact]
    public void Demo_ChildProcessReadsTheParentsString()
    {
        (int exit, List<string> lines, string stderr) = Child.RunCli(null, "demo");

        Assert.True(exit == 0, $"demo exited {exit}: {stderr}");
        Assert.Contains("Child process read from shared memory: This is a test string", lines);
    }

    [Fact]
    public void DemoNotify_ThreeRendererProcessesNotifyTheMainProcess()
    {
        (int exit, List<string> lines, string stderr) = Child.RunCli(null, "demo", "notify");

        Assert.True(exit == 0, $"demo notify exited {exit}: {stderr}");
        Assert.Equal(3, lines.Count(l => l.StartsWith("renderer ", StringComparison.Ordinal) && l.Contains("found window", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("main: received 9 of 9 notifications", StringComparison.Ordinal));
    }

    [Fact]
    public void WriteThenRead_RegionHeldByThisProcess_SeesTheBytesBothWays()
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, 64);

        Expect(0, null, "write", name, "--text", "hello", "--offset", "2");
        Assert.Equal("hello", Encoding.UTF8.GetString(region.ReadOnlySpan.Slice(2, 5)));

        "world"u8.CopyTo(region.Span[10..]);
        Assert.Equal("world", Expect(0, null, "read", name, "--offset", "10", "--length", "5").Single());
    }

    [Fact]
    public void SetThenGet_SlotHeldByThisProcess_RoundTripsUnicode()
    {
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, 64);

        Expect(0, null, "set", name, "héllo wörld");

        Assert.Equal("héllo wörld", slot.Get());
        slot.Set("from the program");
        Assert.Equal("from the program", Expect(0, null, "get", name).Single());
    }

    [Fact]
    public void Get_MissingRegion_ExitsNotFound()
    {
        (int exit, _, string stderr) = Child.RunCli(null, "get", _scope.Name());

        Assert.Equal(NotFound, exit);
        Assert.StartsWith("memshare: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Lock_HeldByThisProcess_TimesOutWithoutRunningThenRunsOnceReleased()
    {
        string name = _scope.Name();
        string marker = _scope.Name("marker");
        using SharedString ran = SharedString.CreateNew(marker, 16);
        using SharedLock gate = SharedLock.CreateOrOpen(name);
        string[] command = ["lock", name, "--timeout", "300ms", "--", .. Child.CliCommand(), "set", marker, "ran"];

        using (SharedLockGuard held = gate.Acquire(TimeSpan.FromSeconds(5)))
        {
            Expect(TimedOut, null, command);
            Assert.Equal("", ran.Get());
        }

        Expect(0, null, command);
        Assert.Equal("ran", ran.Get());
        Assert.True(gate.TryAcquire(out SharedLockGuard again), "memshare lock released the lock when its command ended");
        again.Dispose();
    }

    [Fact]
    public void WaitThenSignal_WaiterProcessIsReleased()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        using Child waiter = _scope.Track(Child.Cli("wait", name, "--timeout", "60s"));

        Expect(0, null, "signal", name);

        Assert.Equal(0, waiter.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.False(ev.Wait(TimeSpan.Zero), "the waiter consumed the auto-reset signal");
    }

    [Fact]
    public void Wait_NobodySignals_TimesOut()
    {
        string name = _scope.Name();
        using SharedEvent ev = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);

        Expect(TimedOut, null, "wait", name, "--timeout", "200ms");
    }

    [Fact]
    public void SendThenRecv_ChannelHeldByThisProcess_LinesArriveInOrderAndRecvEndsAtCompletion()
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 1 << 16 });

        Expect(0, "one\ntwo\nthree\n", "send", name);
        Assert.True(channel.IsCompleted);

        Assert.Equal(["one", "two", "three"], Expect(0, null, "recv", name, "--timeout", "30s"));
    }

    [Fact]
    public void Hold_KeepsAScopedRegionUntilItsInputEnds()
    {
        string name = _scope.Name();
        using (Child holder = _scope.Track(Child.Cli("hold", name, "--size", "4096", "--until-eof")))
        {
            Assert.StartsWith($"holding {name}", holder.ReadLine(TimeSpan.FromSeconds(60)), StringComparison.Ordinal);
            Assert.True(RegionScope.Exists(name));
            holder.CloseInput();
            Assert.Equal(0, holder.WaitForExit());
        }

        Assert.False(RegionScope.Exists(name), "the scoped region outlived its only holder");
    }

    [Fact]
    public void CreateAndRm_FollowEachOsLifetimeRules()
    {
        string name = _scope.Name();
        if (OperatingSystem.IsWindows())
        {
            // No persistent regions: create holds the region until interrupted, and rm cannot remove a name.
            using (Child creator = _scope.Track(Child.Cli("create", name, "--size", "4096")))
            {
                Assert.StartsWith($"Created region '{name}'", creator.ReadLine(TimeSpan.FromSeconds(60)), StringComparison.Ordinal);
                Assert.Equal("\0\0\0\0", Expect(0, null, "read", name, "--length", "4").Single());
                Expect(NotSupported, null, "rm", name);
                Assert.True(RegionScope.Exists(name));
                creator.Kill();
            }

            Assert.False(RegionScope.Exists(name));
            return;
        }

        try
        {
            Expect(0, null, "create", name, "--size", "4096");
            Assert.True(RegionScope.Exists(name), "a created region outlives the CLI");
            Expect(0, null, "rm", name);
            Assert.False(RegionScope.Exists(name));
            Expect(NotFound, null, "rm", name);
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void Inspection_WorksOnLinuxAndSaysNotSupportedElsewhere()
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, 64);
        foreach (string[] args in (string[][])[["ls"], ["info", name], ["dump", name], ["gc", "--dry-run"]])
        {
            (int exit, _, string stderr) = Child.RunCli(null, args);
            if (OperatingSystem.IsLinux())
            {
                Assert.True(exit == 0, $"{args[0]} exited {exit}: {stderr}");
            }
            else
            {
                Assert.Equal(NotSupported, exit);
                Assert.StartsWith("memshare: ", stderr, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // a message, never a stack trace
            }
        }
    }

    public void Dispose() => _scope.Dispose();

    /// <summary>Runs the CLI and fails unless it exits with <paramref name="exit"/>; returns its stdout lines.</summary>
    private static List<string> Expect(int exit, string? input, params string[] args)
    {
        (int actual, List<string> lines, string stderr) = Child.RunCli(input, args);
        Assert.True(actual == exit, $"memshare {string.Join(' ', args)} exited {actual}, expected {exit}; stderr: {stderr}");
        return lines;
    }
}
