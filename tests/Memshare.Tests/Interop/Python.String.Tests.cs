using System.Text;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>String slots between .NET and <c>memshare.py get/set</c>, each side in its own process.</summary>
public sealed class PythonStringTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void Get_StringSetFromDotNet_PrintsItExactlyAndLeavesTheRegion()
    {
        string name = _scope.Name("s");
        const string Text = "héllo wörld € 1";
        using var slot = SharedString.CreateNew(name, 64);
        slot.Set(Text);

        PythonResult r = PythonProcess.RunCli(null, "get", name).AssertExit(0);

        Assert.Equal(Encoding.UTF8.GetBytes(Text + "\n"), r.Stdout);
        Assert.Equal("", r.Stderr); // no resource-tracker warning either
        Assert.True(Shm.Exists(name), "the Python process's exit removed a region it only attached to");
        slot.Set("still usable");
        Assert.Equal("still usable", slot.Get());
    }

    [Fact]
    public void Set_FromPython_DotNetGetsItAndTheVersionAdvances()
    {
        string name = _scope.Name("s");
        const string Text = "from python: äö€";
        using var slot = SharedString.CreateNew(name, 64);
        slot.Set("before");
        long before = slot.Version;

        PythonResult r = PythonProcess.RunCli(null, "set", name, Text).AssertExit(0);

        Assert.Equal(Text, slot.Get());
        Assert.Equal(before + 1, slot.Version);
        Assert.Contains($"version {before + 1}", r.Text, StringComparison.Ordinal);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void SetThenGet_ManyRoundsAlternatingSides_EachSeesTheOthersLatest()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, 32);
        for (int i = 0; i < 4; i++)
        {
            slot.Set($"dotnet {i}");
            Assert.Equal($"dotnet {i}\n", PythonProcess.RunCli(null, "get", name).AssertExit(0).Text);
            PythonProcess.RunCli(null, "set", name, $"python {i}").AssertExit(0);
            Assert.Equal($"python {i}", slot.Get());
        }

        Assert.Equal(8, slot.Version);
    }

    public void Dispose() => _scope.Dispose();
}
