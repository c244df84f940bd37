using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>SharedValue payloads between .NET and <c>memshare.py value-read/value-write</c> (raw bytes, agreed layout).</summary>
public sealed class PythonValueTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void ValueRead_ValueWrittenByDotNet_PrintsItsBytes()
    {
        string name = _scope.Name("v");
        using var value = SharedValue<Octet>.CreateNew(name, Octet.Of(1));
        value.Write(Octet.Of(0x0102030405060708));

        PythonResult r = PythonProcess.RunCli(null, "value-read", name).AssertExit(0);

        Assert.Equal(string.Concat(Enumerable.Repeat("0807060504030201", 8)) + "\n", r.Text);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void ValueWrite_FromPython_DotNetReadsItAndTheVersionAdvances()
    {
        string name = _scope.Name("v");
        using var value = SharedValue<Octet>.CreateNew(name, Octet.Of(1));

        PythonProcess.RunCli(null, "value-write", name, string.Concat(Enumerable.Repeat("2a00000000000000", 8))).AssertExit(0);

        Assert.Equal(Octet.Of(42), value.Read());
        Assert.Equal(1, value.Version);
    }

    [Fact]
    public void ValueWrite_WrongSize_ExitsTwoNamingTheRegionAndChangesNothing()
    {
        string name = _scope.Name("v");
        using var value = SharedValue<Octet>.CreateNew(name, Octet.Of(5));

        PythonProcess.RunCli(null, "value-write", name, "2a00").AssertError(2, $"'{name}'");

        Assert.Equal(Octet.Of(5), value.Read());
        Assert.Equal(0, value.Version);
    }

    public void Dispose() => _scope.Dispose();
}
