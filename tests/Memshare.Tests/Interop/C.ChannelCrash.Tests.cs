using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>The channel's writer role across C and .NET: refused while a live writer holds it, recovered from a killed one.</summary>
[Collection("Spinning")]
public sealed class CChannelCrashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void OpenWriter_DotNetWriterHoldsRole_CRefusedNamingProcess()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        using SharedChannel channel = CChannelTests.SmallRing(name);
        using SharedChannelWriter writer = channel.CreateWriter();

        (int exit, _, string stderr) = Child.Run(NativeBuild.CPeer, "chan-send", name, "1", "1");

        Assert.Equal(1, exit);
        Assert.Contains($"Channel '{name}' already has a writer (process {Environment.ProcessId})", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CWriterKilledMidStream_DotNetWriterTakesOverAndReaderSeesEveryCommittedMessage()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        const ulong Seed = 5;
        using SharedChannel channel = CChannelTests.SmallRing(name);
        using SharedChannelReader reader = channel.CreateReader();
        var buffer = new byte[channel.MaxMessageLength];
        var expected = new byte[channel.MaxMessageLength];
        long received = 0;

        void ReadValid(long upTo)
        {
            while (received < upTo && reader.TryRead(buffer, out int length))
            {
                int want = CPatterns.MessageFor(Seed, (ulong)received, channel.MaxMessageLength, expected);
                Assert.True(length == want && buffer.AsSpan(0, length).SequenceEqual(expected.AsSpan(0, want)), $"message {received}");
                received++;
            }
        }

        using (var peer = Child.Program(NativeBuild.CPeer, "chan-send", name, "1000000000", Seed.ToString()))
        {
            Assert.Equal("ready", peer.ReadLine());
            while (received < 5_000)
            {
                Assert.True(reader.WaitToRead(Patience) == ChannelWaitResult.Ready, $"no message within {Patience}; peer stderr: {peer.Stderr}");
                ReadValid(5_000);
            }

            peer.Kill(); // mid-stream: likely blocked on a full ring, perhaps mid-record
        }

        using (SharedChannelWriter writer = channel.CreateWriter()) // the dead C process's role is taken over
        {
            ReadValid(long.MaxValue); // whatever the C writer committed before dying, in order
            Assert.True(writer.TryWrite("after takeover"u8));
        }

        Assert.True(reader.WaitToRead(TimeSpan.FromSeconds(5)) == ChannelWaitResult.Ready);
        Assert.True(reader.TryRead(buffer, out int n));
        Assert.Equal("after takeover", System.Text.Encoding.UTF8.GetString(buffer, 0, n));
        Assert.False(reader.TryRead(buffer, out _));
        Assert.Equal(1UL, WriterRecoveries(name));
        Assert.True(received >= 5_000);
    }

    /// <summary>WriterRecoveries (offset 392, docs/format.md), read straight from the file.</summary>
    private static ulong WriterRecoveries(string name)
    {
        using var file = new FileStream("/dev/shm/" + name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[8];
        file.Position = 392;
        file.ReadExactly(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}
