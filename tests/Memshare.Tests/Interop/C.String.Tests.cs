using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>A string slot written by .NET reads the same in C (memshare-c), and the other way round.</summary>
public sealed class CStringTests
{
    [Fact]
    public void Get_DotNetSets_CPrintsExactText()
    {
        using var shm = new ShmScope();
        string name = shm.Name("str");
        using SharedString slot = SharedString.CreateNew(name, 64);
        slot.Set("héllo ✓ from .NET");

        (int exit, List<string> lines, string stderr) = Child.Run(NativeBuild.CCli, "get", name);

        Assert.True(exit == 0, stderr);
        Assert.Equal(["héllo ✓ from .NET"], lines);
    }

    [Fact]
    public void Set_CSets_DotNetGetsExactTextAndVersionAdvances()
    {
        using var shm = new ShmScope();
        string name = shm.Name("str");
        using SharedString slot = SharedString.CreateNew(name, 64);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "set", name, "текст from C");

        Assert.True(exit == 0, stderr);
        Assert.Equal("текст from C", slot.Get());
        Assert.Equal(1, slot.Version);
    }

    [Fact]
    public void Set_TextOverCapacity_CRefusesWithExit2AndSlotUnchanged()
    {
        using var shm = new ShmScope();
        string name = shm.Name("str");
        using SharedString slot = SharedString.CreateNew(name, 16);
        slot.Set("keep");

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "set", name, new string('x', 17));

        Assert.Equal(2, exit);
        Assert.Contains($"'{name}'", stderr, StringComparison.Ordinal);
        Assert.Contains("17 UTF-8 bytes", stderr, StringComparison.Ordinal);
        Assert.Contains("not changed", stderr, StringComparison.Ordinal);
        Assert.Equal("keep", slot.Get());
        Assert.Equal(1, slot.Version);
    }

    [Fact]
    public void Header_CompilesAsCpp_AndWorksTheSame()
    {
        using var shm = new ShmScope();
        string name = shm.Name("str");
        using SharedString slot = SharedString.CreateNew(name, 32);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCliAsCpp, "set", name, "from C++");

        Assert.True(exit == 0, stderr);
        Assert.Equal("from C++", slot.Get());
    }
}
