using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>A <see cref="SharedValue{T}"/> of a blittable struct that C mirrors byte for byte.</summary>
public sealed class CValueTests
{
    [Fact]
    public void ValueRead_DotNetCreates_CPrintsTypeSizeAndBytes()
    {
        using var shm = new ShmScope();
        string name = shm.Name("val");
        using var value = SharedValue<CPeerValue>.CreateNew(name, CPatterns.ValueFor(42));

        (int exit, List<string> lines, string stderr) = Child.Run(NativeBuild.CCli, "value-read", name);

        Assert.True(exit == 0, stderr);
        Assert.Equal([$"{nameof(CPeerValue)} 64 {CPatterns.Hex(CPatterns.ValueFor(42))}"], lines);
    }

    [Fact]
    public void ValueWrite_CWrites_DotNetReadsSameStruct()
    {
        using var shm = new ShmScope();
        string name = shm.Name("val");
        using var value = SharedValue<CPeerValue>.CreateNew(name, CPatterns.ValueFor(1));

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "value-write", name, CPatterns.Hex(CPatterns.ValueFor(7)));

        Assert.True(exit == 0, stderr);
        Assert.Equal(CPatterns.ValueFor(7), value.Read());
        Assert.Equal(1, value.Version);
    }

    [Fact]
    public void ValueWrite_WrongSize_CRefusesNamingBothSizes()
    {
        using var shm = new ShmScope();
        string name = shm.Name("val");
        using var value = SharedValue<CPeerValue>.CreateNew(name, CPatterns.ValueFor(1));

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "value-write", name, "2a000000");

        Assert.Equal(2, exit);
        Assert.Contains($"'{name}'", stderr, StringComparison.Ordinal);
        Assert.Contains("SharedValue<CPeerValue> of 64 bytes", stderr, StringComparison.Ordinal);
        Assert.Contains("with 4 bytes", stderr, StringComparison.Ordinal);
        Assert.Equal(CPatterns.ValueFor(1), value.Read());
        Assert.Equal(0, value.Version);
    }
}
