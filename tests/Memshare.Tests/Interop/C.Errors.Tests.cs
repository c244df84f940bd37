using System.Buffers.Binary;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>The C side refuses what it must, with a status (exit code) and a message that names the region.</summary>
public sealed class CErrorsTests
{
    [Fact]
    public void Get_MissingRegion_NotFoundExit3NamingRegion()
    {
        using var shm = new ShmScope();
        string name = shm.Name("none");

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "get", name);

        Assert.Equal(3, exit);
        Assert.Contains($"Region '{name}' does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_InvalidName_Exit2StatingTheRule()
    {
        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "get", "a/b");

        Assert.Equal(2, exit);
        Assert.Contains("Region name 'a/b' contains '/'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_RegionIsAValue_WrongKindNamingBoth()
    {
        using var shm = new ShmScope();
        string name = shm.Name("val");
        using var value = SharedValue<CPeerValue>.CreateNew(name);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "get", name);

        Assert.Equal(1, exit);
        Assert.Contains($"Region '{name}' holds a Memshare SharedValue, not the SharedString it was opened as", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_RawRegionWithoutHeader_BadMagic()
    {
        using var shm = new ShmScope();
        string name = shm.Name("raw");
        using SharedMemory raw = SharedMemory.CreateNew(name, 640);
        raw.Span.Fill(0x5A);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "get", name);

        Assert.Equal(1, exit);
        Assert.Contains($"Region '{name}' is not a Memshare SharedString: its header magic is 0x5A5A5A5A5A5A5A5A", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_CopyWithUnknownVersion_RefusedNamingBothVersions()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ver");
        using SharedMemory copy = CopyOfStringSlot(shm, bytes => BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 9), name);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "get", name);

        Assert.Equal(1, exit);
        Assert.Contains($"Region '{name}' uses layout version 9, but this memshare.h reads version 1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_CopyWhoseHeaderClaimsMoreThanTheFile_RefusedAsTruncated()
    {
        using var shm = new ShmScope();
        string name = shm.Name("trunc");
        using SharedMemory copy = CopyOfStringSlot(shm, bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), bytes.Length + 64L), name);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "get", name);

        Assert.Equal(1, exit);
        Assert.Contains($"Region '{name}' is damaged", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_CopyWithLengthOverCapacity_ReportedCorrupt()
    {
        using var shm = new ShmScope();
        string name = shm.Name("len");
        // Slot 0 (current while Sequence is 0) at offset 128 starts with the length; capacity is 16.
        using SharedMemory copy = CopyOfStringSlot(shm, bytes => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(128), 17), name);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "get", name);

        Assert.Equal(1, exit);
        Assert.Contains($"Region '{name}' has a corrupt header: the stored length 17 exceeds the capacity 16", stderr, StringComparison.Ordinal);
    }

    /// <summary>A raw region holding a string slot's bytes with one change: what a damaged or foreign region looks like.</summary>
    private static SharedMemory CopyOfStringSlot(ShmScope shm, Action<byte[]> corrupt, string name)
    {
        byte[] bytes;
        using (SharedString original = SharedString.CreateNew(shm.Name("orig"), 16))
        using (SharedMemory view = SharedMemory.OpenExisting(original.Name, SharedMemoryOptions.ReadOnly))
        {
            bytes = view.ReadOnlySpan.ToArray();
        }

        corrupt(bytes);
        SharedMemory copy = SharedMemory.CreateNew(name, bytes.Length);
        bytes.CopyTo(copy.Span);
        return copy;
    }
}
