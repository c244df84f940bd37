using System.Text.Json;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>`memshare hold`: a live holder in a separate process, released by a signal, by EOF, or by being killed.</summary>
public sealed class CliHoldTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Theory]
    [InlineData(2)] // SIGINT
    [InlineData(15)] // SIGTERM
    public void Hold_WithSize_CreatesScopedRegion_ThatGoesAwayWhenInterrupted(int signal)
    {
        string name = _scope.Name("held");
        Child hold = _scope.Track(Child.Cli("hold", name, "--size", "4096"));
        Assert.Equal($"holding {name} (4096 bytes, created)", hold.ReadLine());

        JsonElement info = CliRun.Run("info", name, "--json").AssertExit(0).Json();
        Assert.Equal("scoped", info.GetProperty("lifetime").GetString());
        Assert.Equal(1, info.GetProperty("holders").GetInt32());
        Assert.Equal(4096, info.GetProperty("size").GetInt64());

        CliRun.AssertNotIgnored(hold.Pid, signal);
        hold.Signal(signal);

        Assert.Equal(0, hold.WaitForExit());
        Assert.False(File.Exists(CliRun.PathOf(name)), $"{name} outlived its only holder");
    }

    [Fact]
    public void Hold_Killed_LeavesAStaleRegion_ThatTheNextOpenerTreatsAsAbsent()
    {
        string name = _scope.Name("killed");
        Child hold = _scope.Track(Child.Cli("hold", name, "--size", "64"));
        Assert.Equal($"holding {name} (64 bytes, created)", hold.ReadLine());

        hold.Kill(); // SIGKILL: no chance to clean up

        Assert.True(File.Exists(CliRun.PathOf(name)), "the name should linger until someone opens it");
        JsonElement info = CliRun.Run("info", name, "--json").AssertExit(0).Json(); // inspecting must not remove it
        Assert.Equal(0, info.GetProperty("holders").GetInt32());
        Assert.True(info.GetProperty("stale").GetBoolean());
        Assert.True(File.Exists(CliRun.PathOf(name)));

        CliRun.Run("read", name).AssertError(3, $"'{name}'");
        Assert.False(File.Exists(CliRun.PathOf(name)), "the stale region should have been removed by the opener");
    }

    [Fact]
    public void Create_OverAStaleRegionLeftByAKilledHold_Succeeds()
    {
        string name = _scope.Name("restale");
        try
        {
            Child hold = _scope.Track(Child.Cli("hold", name, "--size", "64"));
            Assert.Equal($"holding {name} (64 bytes, created)", hold.ReadLine());
            hold.Kill();

            CliRun.Run("create", name, "--size", "128").AssertExit(0);

            JsonElement info = CliRun.Run("info", name, "--json").AssertExit(0).Json();
            Assert.Equal(128, info.GetProperty("size").GetInt64());
            Assert.True(info.GetProperty("persistent").GetBoolean());
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Hold_UntilEof_HoldsAnExistingPersistentRegion_AndLeavesIt()
    {
        string name = _scope.Name("persist");
        try
        {
            CliRun.Run("create", name, "--size", "64").AssertExit(0);
            Child hold = _scope.Track(Child.Cli("hold", name, "--until-eof"));
            Assert.Equal($"holding {name} (64 bytes, opened)", hold.ReadLine());
            Assert.Equal(1, CliRun.Run("info", name, "--json").AssertExit(0).Json().GetProperty("holders").GetInt32());

            hold.CloseInput();

            Assert.Equal(0, hold.WaitForExit());
            JsonElement after = CliRun.Run("info", name, "--json").AssertExit(0).Json();
            Assert.Equal(0, after.GetProperty("holders").GetInt32());
            Assert.True(after.GetProperty("persistent").GetBoolean());
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Hold_MissingRegionWithoutSize_ExitsThree()
    {
        string name = _scope.Name("nohold");

        CliRun.Run("hold", name, "--until-eof").AssertError(3, $"'{name}'");
    }

    public void Dispose() => _scope.Dispose();
}
