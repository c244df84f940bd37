using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>Invalid arguments, names and permissions: the exit code, the "memshare:" message, and nothing created.</summary>
public sealed class CliErrorsTests : IDisposable
{
    private const string Nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";

    private readonly ShmScope _scope = new();

    [Theory]
    [InlineData("create", "a/b", "'/'")]
    [InlineData("create", "..", "'..'")]
    [InlineData("create", "{0}/b", "'/'")]
    [InlineData("set", "{0} b", "' '")]
    [InlineData("hold", "{0}*", "'*'")]
    [InlineData("info", "{0}:b", "':'")]
    [InlineData("rm", "..", "'..'")]
    public void InvalidName_ExitsTwoAndCreatesNothing(string command, string pattern, string culprit)
    {
        string name = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, _scope.Prefix);
        string[] args = command switch
        {
            "create" => [command, name, "--size", "8"],
            "set" => [command, name, "text"],
            "hold" => [command, name, "--size", "8"],
            _ => [command, name],
        };

        CliRun.Run(args).AssertError(2, "Region name").AssertError(2, culprit);

        Assert.Empty(_scope.Leftovers());
        Assert.False(Directory.Exists("/dev/shm/a"));
    }

    [Theory]
    [InlineData(new string[0], "Required command")]
    [InlineData(new[] { "bogus" }, "bogus")]
    [InlineData(new[] { "create", "x" }, "--size")]
    [InlineData(new[] { "read", "x", "--offset", "abc" }, "abc")]
    [InlineData(new[] { "demo", "extra" }, "extra")]
    public void ParseError_ExitsTwoWithMemsharePrefix(string[] args, string mentions)
    {
        CliRun.Run(args).AssertError(2, mentions).AssertError(2, "--help");
    }

    [Fact]
    public void Size_NotPositive_ExitsTwo()
    {
        string name = _scope.Name("zero");

        CliRun.Run("create", name, "--size", "0").AssertError(2, $"'{name}'");

        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void Get_OnRawRegion_ExitsOneNamingTheProblem()
    {
        string name = _scope.Name("raw");
        using SharedMemory region = SharedMemory.CreateNew(name, 256);

        CliRun.Run("get", name).AssertError(1, $"'{name}' is not a Memshare SharedString");
    }

    [Fact]
    public void Read_AsAnotherUser_ExitsFive_ButInfoStillDescribesIt()
    {
        Assert.True(Interop.Libc.GetEUid() == 0, "This test runs the CLI as user 'nobody' through setpriv, which needs root.");
        string name = _scope.Name("denied");
        try
        {
            CliRun.Run("create", name, "--size", "8").AssertExit(0); // as root, mode 0600
            CliRun.Run("write", name, "--text", "secret").AssertExit(0);

            CliRun.RunAs(Nobody, "read", name).AssertError(5, $"'{name}'");
            CliRun.RunAs(Nobody, "write", name, "--text", "x").AssertError(5, $"'{name}'");

            // Metadata needs no read permission; the kind does, so it is unknown to nobody.
            var info = CliRun.RunAs(Nobody, "info", name, "--json").AssertExit(0).Json();
            Assert.Equal("unknown", info.GetProperty("kind").GetString());
            Assert.Equal("root", info.GetProperty("owner").GetString());
            Assert.Equal("0600", info.GetProperty("mode").GetString());
            Assert.Equal(["secret"], CliRun.Run("read", name).AssertExit(0).Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    public void Dispose() => _scope.Dispose();
}
