using System.Runtime.Versioning;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// Boost.Interprocess (<c>shared_memory_object</c> + <c>mapped_region</c>, through <c>shm_open</c>) and Memshare
/// name and map the same bytes, in both directions.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BoostInteropTests
{
    [Fact]
    public void RawRegion_MemshareCreates_BoostOpensChecksPatternAndReplies()
    {
        using var shm = new ShmScope();
        string name = shm.Name("raw");
        const int Size = 10_000;
        using SharedMemory region = SharedMemory.CreateNew(name, Size);
        Span<byte> bytes = region.Span;
        for (int i = 0; i < Size; i++)
        {
            bytes[i] = unchecked((byte)((i * 7) + 3));
        }

        (int exit, List<string> lines, string stderr) = Child.Run(NativeBuild.BoostPeer, "open", name, Size.ToString());

        Assert.True(exit == 0, $"{string.Join('\n', lines)} {stderr}");
        Assert.Equal(["ok"], lines);
        for (int i = 0; i < Size; i++)
        {
            Assert.True(bytes[i] == unchecked((byte)((i * 13) + 5)), $"byte {i} is {bytes[i]}");
        }
    }

    [Fact]
    public void BoostCreates_MemshareOpensAndReads_TreatsItAsPersistentAndNeverRemovesIt()
    {
        using var shm = new ShmScope();
        string name = shm.Name("boost");
        string path = "/dev/shm/" + name;
        const int Size = 8192;
        using var boost = Child.Program(NativeBuild.BoostPeer, "create", name, Size.ToString());
        try
        {
            Assert.Equal("ready", boost.ReadLine());

            using (SharedMemory region = SharedMemory.OpenExisting(name))
            {
                Assert.Equal(Size, region.Size);
                Assert.True(region.IsPersistent, "a file without the sticky bit counts as persistent");
                ReadOnlySpan<byte> bytes = region.ReadOnlySpan;
                for (int i = 0; i < Size; i++)
                {
                    Assert.True(bytes[i] == unchecked((byte)((i * 11) + 1)), $"byte {i} is {bytes[i]}");
                }
            }

            // Memshare closed its last handle, but the name stays: only its creator removes it.
            Assert.True(File.Exists(path));
            Assert.Equal(0, (int)(File.GetUnixFileMode(path) & UnixFileMode.StickyBit));

            boost.WriteLine("remove");
            Assert.Equal("removed", boost.ReadLine());
            Assert.Equal(0, boost.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.False(File.Exists(path));
        }
        finally
        {
            boost.Kill();
            File.Delete(path); // if the test failed before Boost removed it
        }
    }
}
