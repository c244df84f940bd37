using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>create, write, read, set, get and rm, each run as a separate memshare process.</summary>
public sealed class CliCommandsTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void CreateWriteRead_Text_RoundTripsAtOffsets()
    {
        string name = _scope.Name("text");
        try
        {
            CliRun.Run("create", name, "--size", "16").AssertExit(0);
            CliRun.Run("write", name, "--text", "hello").AssertExit(0);
            CliRun.Run("write", name, "--text", "EL", "--offset", "1").AssertExit(0);

            Assert.Equal(["hELlo"], CliRun.Run("read", name).AssertExit(0).Stdout); // stops at the first NUL
            Assert.Equal(["EL"], CliRun.Run("read", name, "--offset", "1", "--length", "2").AssertExit(0).Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void CreateWriteRead_Hex_RoundTripsAtOffsets()
    {
        string name = _scope.Name("hex");
        try
        {
            CliRun.Run("create", name, "--size", "8").AssertExit(0);
            CliRun.Run("write", name, "--hex", "DE ad be ef", "--offset", "2").AssertExit(0);

            Assert.Equal(["0000deadbeef0000"], CliRun.Run("read", name, "--hex").AssertExit(0).Stdout);
            Assert.Equal(["adbe"], CliRun.Run("read", name, "--hex", "--offset", "3", "--length", "2").AssertExit(0).Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Write_FromStdin_WritesExactlyTheBytesRead()
    {
        string name = _scope.Name("stdin");
        try
        {
            CliRun.Run("create", name, "--size", "8").AssertExit(0);
            string[] args = ["write", name, "--stdin", "--offset", "1"];
            Child writer = _scope.Track(Child.Cli(args));
            writer.WriteLine("hi"); // "hi\n"
            writer.CloseInput();
            CliRun.Finish(writer, args).AssertExit(0);

            Assert.Equal(["0068690a00000000"], CliRun.Run("read", name, "--hex").AssertExit(0).Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Write_PastTheEnd_ExitsTwoAndWritesNothing()
    {
        string name = _scope.Name("end");
        try
        {
            CliRun.Run("create", name, "--size", "8").AssertExit(0);

            CliRun.Run("write", name, "--text", "abc", "--offset", "6").AssertError(2, $"'{name}'");
            CliRun.Run("write", name, "--hex", "00", "--offset", "9").AssertError(2, $"'{name}'");

            Assert.Equal(["0000000000000000"], CliRun.Run("read", name, "--hex").AssertExit(0).Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Theory]
    [InlineData("--text", "a", "--hex", "61")]
    [InlineData("--offset", "0")]
    [InlineData("--hex", "abc")]
    [InlineData("--hex", "zz")]
    [InlineData("--text", "a", "--offset", "-1")]
    public void Write_WithoutExactlyOneValidSource_ExitsTwoAndWritesNothing(params string[] options)
    {
        string name = _scope.Name("src");
        using SharedMemory region = SharedMemory.CreateNew(name, 8); // set up in-process: only `write` is under test

        CliRun.Run(["write", name, .. options]).AssertError(2);

        Assert.Equal(new byte[8], region.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Read_PastTheEnd_ExitsTwo()
    {
        string name = _scope.Name("rend");
        try
        {
            CliRun.Run("create", name, "--size", "8").AssertExit(0);

            CliRun.Run("read", name, "--length", "9").AssertError(2, $"'{name}'");
            CliRun.Run("read", name, "--offset", "9").AssertError(2, $"'{name}'");
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void SetGet_RoundTrips_AndOverwrites()
    {
        string name = _scope.Name("str");
        try
        {
            CliRun.Run("set", name, "hello world").AssertExit(0);
            Assert.Equal(["hello world"], CliRun.Run("get", name).AssertExit(0).Stdout);

            CliRun.Run("set", name, "second").AssertExit(0);
            Assert.Equal(["second"], CliRun.Run("get", name).AssertExit(0).Stdout);

            using SharedString slot = SharedString.OpenExisting(name, SharedMemoryOptions.ReadOnly);
            Assert.Equal(256, slot.Capacity); // the default
            Assert.Equal(2, slot.Version);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Set_TextStartingWithAt_IsStoredAsIs_NotReadAsAResponseFile()
    {
        string name = _scope.Name("at");
        string file = Path.Combine(Path.GetTempPath(), name);
        try
        {
            File.WriteAllText(file, "from the file\n");

            CliRun.Run("set", name, "@" + file).AssertExit(0);

            Assert.Equal(["@" + file], CliRun.Run("get", name).AssertExit(0).Stdout);
        }
        finally
        {
            File.Delete(file);
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Set_TooLong_ExitsTwoAndChangesNothing()
    {
        string fresh = _scope.Name("fresh");
        string existing = _scope.Name("existing");
        try
        {
            // A new slot: refused before anything is created.
            CliRun.Run("set", fresh, "abcdef", "--capacity", "4").AssertError(2, "holds at most 4");
            Assert.False(File.Exists(CliRun.PathOf(fresh)));

            // An existing slot keeps its capacity and its value.
            CliRun.Run("set", existing, "abcd", "--capacity", "4").AssertExit(0);
            CliRun.Run("set", existing, "abcde").AssertError(2, $"'{existing}' holds at most 4");
            Assert.Equal(["abcd"], CliRun.Run("get", existing).AssertExit(0).Stdout);
        }
        finally
        {
            CliRun.Remove(fresh, existing);
        }
    }

    [Fact]
    public void Rm_ThenReadAndRmAgain_ExitThree()
    {
        string name = _scope.Name("rm");
        try
        {
            CliRun.Run("create", name, "--size", "8").AssertExit(0);

            CliRun.Run("rm", name).AssertExit(0);

            Assert.False(File.Exists(CliRun.PathOf(name)));
            CliRun.Run("read", name).AssertError(3, $"'{name}'");
            CliRun.Run("rm", name).AssertError(3, $"'{name}'");
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Create_Twice_ExitsFourAndKeepsTheFirst()
    {
        string name = _scope.Name("twice");
        try
        {
            CliRun.Run("create", name, "--size", "8").AssertExit(0);
            CliRun.Run("write", name, "--text", "first").AssertExit(0);

            CliRun.Run("create", name, "--size", "32").AssertError(4, $"'{name}'");

            Assert.Equal(8, new FileInfo(CliRun.PathOf(name)).Length);
            Assert.Equal(["first"], CliRun.Run("read", name).AssertExit(0).Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Create_IsPersistentAndOwnerOnly()
    {
        string name = _scope.Name("mode");
        try
        {
            CliRun.Run("create", name, "--size", "8").AssertExit(0);

            UnixFileMode mode = File.GetUnixFileMode(CliRun.PathOf(name));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode); // 0600, and no sticky bit: persistent
            Assert.True(SharedMemory.TryOpenExisting(name, out SharedMemory? region));
            using (region)
            {
                Assert.True(region.IsPersistent);
            }
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    public void Dispose() => _scope.Dispose();
}
