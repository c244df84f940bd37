using System.Buffers.Binary;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// Positions and lengths the C peer reads from shared memory are checked before use: a damaged channel is a
/// format error naming the region and the bad field, never an out-of-bounds read or write.
/// </summary>
public sealed class CChannelCorruptTests
{
    private const int Ring = 4096;           // data offset: align4096(768 + 128 x 1 reader), docs/format.md
    private const int WriterPosition = 256;
    private const int ReaderPosition = 768;

    [Fact]
    public void Recv_CommittedRecordWithImpossibleLength_FormatErrorNamingPosition()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        using SharedChannel channel = CChannelTests.SmallRing(name);
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            Assert.True(writer.TryWrite("hello"u8));
        }

        Poke(name, Ring, 99_999); // the record's Length; its tag still commits it

        (int exit, List<string> lines, string stderr) = Child.Run(NativeBuild.CCli, "recv", name, "--timeout-ms", "1000");

        Assert.Equal(1, exit);
        Assert.Empty(lines);
        Assert.Contains($"Region '{name}' has a corrupt header: record at position 0 has length 99999", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenReader_PositionAheadOfWriter_FormatErrorAndRoleNotKept()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        using SharedChannel channel = CChannelTests.SmallRing(name);
        Poke(name, ReaderPosition, 12_352); // aligned, but past anything the writer published

        (int exit, _, string stderr) = Child.Run(NativeBuild.CCli, "recv", name, "--timeout-ms", "100");

        Assert.Equal(1, exit);
        Assert.Contains($"reader 0 position 12352 is not within the ring behind writer position 0", stderr, StringComparison.Ordinal);
        Assert.Equal(0, PeekLong(name, ReaderPosition + 8)); // the owner word was given back
    }

    [Fact]
    public void OpenWriter_NegativeWriterPosition_FormatErrorAndRoleReleased()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        using SharedChannel channel = CChannelTests.SmallRing(name);
        PokeLong(name, WriterPosition, -16);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CPeer, "chan-send", name, "1", "1");

        Assert.Equal(1, exit);
        Assert.Contains($"Region '{name}' has a corrupt header: writer position -16 or message count 0 is invalid", stderr, StringComparison.Ordinal);
        Assert.Equal(0, PeekLong(name, 384)); // WriterLock: a corrupt channel must not keep the role held
    }

    private static void Poke(string name, long offset, int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        Write(name, offset, bytes);
    }

    private static void PokeLong(string name, long offset, long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        Write(name, offset, bytes);
    }

    private static void Write(string name, long offset, byte[] bytes)
    {
        using var file = new FileStream("/dev/shm/" + name, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.Position = offset;
        file.Write(bytes);
    }

    private static long PeekLong(string name, long offset)
    {
        using var file = new FileStream("/dev/shm/" + name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[8];
        file.Position = offset;
        file.ReadExactly(bytes);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }
}
