using System.Runtime.Versioning;
using Memshare.Tests.Infrastructure;
using Memshare.Tests.Peers;

namespace Memshare.Tests.Golden;

/// <summary>
/// The checked-in images of tests/golden, decoded by all three implementations of the format: the library, the C
/// header and the Python module must each print exactly the manifest. Each test copies the image into /dev/shm
/// under a unique name (reading a channel moves reader 0, so every decoder gets a fresh copy) and removes it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class GoldenImageTests : IDisposable
{
    private readonly ShmScope _scope = new();

    public static TheoryData<string> Images => new(GoldenImage.Names);

    /// <summary>
    /// The generator, run again into /dev/shm, still produces the checked-in bytes and manifest: a change to what the
    /// library writes shows here first. With MEMSHARE_REGENERATE_GOLDEN=1 it rewrites tests/golden instead.
    /// </summary>
    [Theory]
    [MemberData(nameof(Images))]
    public void Generator_ProducesCheckedInImage(string name)
    {
        string region = _scope.Name("gen");
        GoldenImage built;
        try
        {
            built = GoldenImages.Build(name, region);
        }
        finally
        {
            SharedMemory.Remove(region);
        }

        if (Environment.GetEnvironmentVariable("MEMSHARE_REGENERATE_GOLDEN") == "1")
        {
            built.Save(GoldenImage.Directory);
            return;
        }

        GoldenImage stored = GoldenImage.Load(name);
        Assert.Equal(stored.Manifest, built.Manifest);
        int differs = stored.Bytes.AsSpan().CommonPrefixLength(built.Bytes);
        Assert.True(stored.Bytes.AsSpan().SequenceEqual(built.Bytes),
            $"tests/golden/{name}.bin differs from what the library writes now, first at byte {differs} " +
            $"({stored.Bytes.Length} vs {built.Bytes.Length} bytes). If the format changed on purpose, bump the version " +
            "and rerun with MEMSHARE_REGENERATE_GOLDEN=1 (see docs/format.md, Golden images).");
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void DotNet_DecodesImage_AsManifest(string name) =>
        Decode(name, (image, region) => DotNetDecoder.Decode(image.Kind, region));

    [Theory]
    [MemberData(nameof(Images))]
    public void C_DecodesImage_AsManifest(string name) =>
        Decode(name, (image, region) => Peer(NativeBuild.CPeer, ["golden", region, image.Kind, .. image.Leaves]));

    [Theory]
    [MemberData(nameof(Images))]
    public void Python_DecodesImage_AsManifest(string name) =>
        Decode(name, (image, region) =>
        {
            using PythonProcess p = PythonProcess.Peer(["golden", region, image.Kind, .. image.Leaves]);
            PythonResult result = p.Finish().AssertExit(0);
            return [.. result.Lines];
        });

    /// <summary>The lock's owner is really dead: no such process, and a .NET acquirer takes the lock over.</summary>
    [Fact]
    public void DeadOwnerLock_OwnerIsNoProcess_AcquirerRecoversIt()
    {
        Assert.False(Directory.Exists($"/proc/{GoldenImages.DeadPid}"));
        Assert.True(GoldenImages.DeadPid >= 1 << 22, "the dead pid must be above PID_MAX_LIMIT, so no process can have it");
        WithCopy("lock-dead-owner", region =>
        {
            using var shared = SharedLock.OpenExisting(region);
            Assert.Equal(GoldenImages.DeadPid, shared.OwnerProcessId);
            Assert.True(shared.TryAcquire(TimeSpan.FromSeconds(10), out SharedLockGuard guard));
            using (guard)
            {
                Assert.True(guard.PreviousOwnerDied);
                Assert.Equal(Environment.ProcessId, shared.OwnerProcessId);
            }

            Assert.Equal(1, shared.Recoveries);
        });
    }

    /// <summary>A .NET writer takes over the killed writer's role and overwrites its uncommitted record.</summary>
    [Fact]
    public void KilledWriterChannel_NewWriterTakesOver_ReaderSeesCommittedThenNew()
    {
        WithCopy("channel-killed-writer", region =>
        {
            using var channel = SharedChannel.OpenExisting(region);
            using (SharedChannelWriter writer = channel.CreateWriter())
            {
                Assert.True(writer.TryWrite("after takeover"u8));
            }

            using SharedChannelReader reader = channel.CreateReader();
            var buffer = new byte[channel.MaxMessageLength];
            var got = new List<string>();
            while (reader.TryRead(buffer, out int n))
            {
                got.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
            }

            Assert.Equal(["second message", "third message", "after takeover"], got);
            Assert.Equal(4, channel.MessagesWritten);
            Assert.Equal(1, Inspection.SharedMemoryCatalog.GetInfo(region)!.Header!.Channel!.WriterRecoveries);
        });
    }

    private void Decode(string name, Func<GoldenImage, string, List<string>> decoder)
    {
        GoldenImage image = GoldenImage.Load(name);
        WithCopy(name, region =>
        {
            List<string> actual = decoder(image, region);
            Assert.True(image.Expected.SequenceEqual(actual),
                $"tests/golden/{name}.txt expects:\n  {string.Join("\n  ", image.Expected)}\nbut the decoder printed:\n  {string.Join("\n  ", actual)}");
        });
    }

    private void WithCopy(string name, Action<string> use)
    {
        string region = _scope.Name("golden");
        string path = GoldenImage.Load(name).Install(region);
        try
        {
            use(region);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<string> Peer(string program, string[] args)
    {
        (int exit, List<string> lines, string stderr) = Child.Run(program, args);
        Assert.True(exit == 0, $"{program} {string.Join(' ', args)} exited {exit}: {stderr}");
        return lines;
    }

    public void Dispose() => _scope.Dispose();
}
