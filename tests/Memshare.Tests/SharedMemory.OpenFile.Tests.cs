using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>OpenFile maps a regular file shared: processes see the same bytes, and the bytes stay in the file.</summary>
public sealed class SharedMemoryOpenFileTests : IDisposable
{
    private readonly ShmScope _scope = new();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("memshare-tests-");

    [Fact]
    public void OpenFile_TwoProcesses_SeeSameBytesAndContentsPersist()
    {
        string path = Path.Combine(_dir.FullName, "shared.bin");
        Peer p = Peer.Start(_scope);
        p.Expect($"open-file {path} 8192", "opened");
        p.Expect("fill 21", "ok");

        using (SharedMemory mine = SharedMemory.OpenFile(path, 8192))
        {
            Assert.Equal(8192, mine.Size);
            Assert.True(mine.IsPersistent);
            Assert.Equal(-1, Patterns.FindMismatch(mine.ReadOnlySpan, 21));

            "from the test"u8.CopyTo(mine.Span[4000..]);
            p.Expect("read-hex 4000 4", "hex " + Convert.ToHexString("from"u8));
        }

        p.Exit();

        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(8192, bytes.Length);
        Assert.Equal("from the test"u8.ToArray(), bytes[4000..4013]);
        Assert.Equal(-1, Patterns.FindMismatch(bytes.AsSpan(0, 4000), 21));
        Assert.Equal(-1, Patterns.FindMismatch(bytes.AsSpan(4013), 21, 4013));
    }

    [Fact]
    public void OpenFile_ExistingFileSizeZero_MapsWholeFile()
    {
        string path = Path.Combine(_dir.FullName, "existing.bin");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);

        using SharedMemory region = SharedMemory.OpenFile(path);
        using SharedMemory ro = SharedMemory.OpenFile(path, 0, SharedMemoryAccess.Read);

        Assert.Equal(5, region.Size);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, ro.ReadOnlySpan.ToArray());
        Assert.Throws<InvalidOperationException>(() => ro.Span.Length);
    }

    [Fact]
    public void OpenFile_ShorterFile_IsExtendedWithZeros()
    {
        string path = Path.Combine(_dir.FullName, "short.bin");
        File.WriteAllBytes(path, [9, 9]);

        using (SharedMemory region = SharedMemory.OpenFile(path, 100))
        {
            Assert.Equal(100, region.Size);
            Assert.Equal(new byte[] { 9, 9, 0, 0 }, region.ReadOnlySpan[..4].ToArray());
        }

        Assert.Equal(100, new FileInfo(path).Length);
    }

    [Fact]
    public void OpenFile_ReadOnlyMissingFile_ThrowsFileNotFoundAndCreatesNothing()
    {
        string path = Path.Combine(_dir.FullName, "missing.bin");

        var e = Assert.Throws<FileNotFoundException>(() => SharedMemory.OpenFile(path, 64, SharedMemoryAccess.Read));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void OpenFile_EmptyFileNoSize_ThrowsArgumentOutOfRange()
    {
        string path = Path.Combine(_dir.FullName, "empty.bin");
        File.WriteAllBytes(path, []);

        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.OpenFile(path));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.OpenFile(path, -1));
        Assert.Throws<ArgumentException>(() => SharedMemory.OpenFile(""));
    }

    [Fact]
    public void OpenFile_NegativeSize_ThrowsNamingFileAndTheFix()
    {
        string path = Path.Combine(_dir.FullName, "negative.bin");

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.OpenFile(path, -1));

        Assert.Equal("size", e.ParamName);
        Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("give 0 to map the file as it is", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void OpenFile_ReadOnlyLargerThanFile_ThrowsRegionFormat()
    {
        string path = Path.Combine(_dir.FullName, "small.bin");
        File.WriteAllBytes(path, new byte[10]);

        Assert.Throws<RegionFormatException>(() => SharedMemory.OpenFile(path, 11, SharedMemoryAccess.Read));
        Assert.Equal(10, new FileInfo(path).Length);
    }

    public void Dispose()
    {
        _dir.Delete(recursive: true);
        _scope.Dispose();
    }
}
