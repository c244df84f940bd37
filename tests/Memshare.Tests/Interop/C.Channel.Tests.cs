using System.Diagnostics;
using Memshare.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Memshare.Tests.Peers;

/// <summary>
/// 100,000 checksummed messages of random lengths (0 to MaxMessage) through a 4 KiB ring, so every lap wraps and
/// pads, from .NET to C and from C to .NET: exact count, order and contents, then completion.
/// </summary>
[Collection("Spinning")]
public sealed class CChannelTests
{
    private const int Messages = 100_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _output;

    public CChannelTests(ITestOutputHelper output) => _output = output;

    internal static SharedChannel SmallRing(string name) =>
        SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });

    [Fact]
    public void Stream_DotNetWriterToCReader_EveryMessageExactThenCompleted()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        const ulong Seed = 11;
        using SharedChannel channel = SmallRing(name);
        using var peer = Child.Program(NativeBuild.CPeer, "chan-recv", name, Seed.ToString(), "30000");
        Assert.Equal("ready", peer.ReadLine());

        var clock = Stopwatch.StartNew();
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            var buffer = new byte[channel.MaxMessageLength];
            for (ulong k = 0; k < Messages; k++)
            {
                int length = CPatterns.MessageFor(Seed, k, channel.MaxMessageLength, buffer);
                Assert.True(writer.TryWrite(buffer.AsSpan(0, length), Patience), $"message {k}: no room for {Patience}; reader stderr: {peer.Stderr}");
            }

            writer.Complete();
        }

        Assert.Equal($"received {Messages} bad 0", peer.ReadLine());
        Assert.True(peer.WaitForExit(Patience) == 0, peer.Stderr);
        _output.WriteLine($"{Messages} messages .NET -> C in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(Messages, channel.MessagesWritten);
    }

    [Fact]
    public void Stream_CWriterToDotNetReader_EveryMessageExactThenCompleted()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        const ulong Seed = 23;
        using SharedChannel channel = SmallRing(name);
        using SharedChannelReader reader = channel.CreateReader();
        using var peer = Child.Program(NativeBuild.CPeer, "chan-send", name, Messages.ToString(), Seed.ToString());
        Assert.Equal("ready", peer.ReadLine());

        var clock = Stopwatch.StartNew();
        var buffer = new byte[channel.MaxMessageLength];
        var expected = new byte[channel.MaxMessageLength];
        long received = 0;
        while (reader.WaitToRead(Patience) == ChannelWaitResult.Ready)
        {
            Assert.True(reader.TryRead(buffer, out int length));
            int want = CPatterns.MessageFor(Seed, (ulong)received, channel.MaxMessageLength, expected);
            Assert.True(length == want && buffer.AsSpan(0, length).SequenceEqual(expected.AsSpan(0, want)),
                $"message {received}: {length} bytes, expected {want}");
            received++;
        }

        Assert.True(channel.IsCompleted, $"the wait ended without completion after {received} messages; peer stderr: {peer.Stderr}");
        Assert.Equal(Messages, received);
        Assert.Equal($"sent {Messages}", peer.ReadLine());
        Assert.True(peer.WaitForExit(Patience) == 0, peer.Stderr);
        _output.WriteLine($"{Messages} messages C -> .NET in {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Recv_CliWithCount_PrintsLinesTheDotNetWriterSent()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        using SharedChannel channel = SmallRing(name);
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            foreach (string line in new[] { "one", "", "three" })
            {
                Assert.True(writer.TryWrite(System.Text.Encoding.UTF8.GetBytes(line)));
            }
        }

        (int exit, List<string> lines, string stderr) = Child.Run(NativeBuild.CCli, "recv", name, "--count", "3", "--timeout-ms", "5000");

        Assert.True(exit == 0, stderr);
        Assert.Equal(["one", "", "three"], lines);
    }

    [Fact]
    public void Recv_NothingArrives_TimesOutWithExit6NamingChannel()
    {
        using var shm = new ShmScope();
        string name = shm.Name("ch");
        using SharedChannel channel = SmallRing(name);

        (int exit, List<string> lines, string stderr) = Child.Run(NativeBuild.CCli, "recv", name, "--timeout-ms", "200");

        Assert.Equal(6, exit);
        Assert.Empty(lines);
        Assert.Contains($"channel '{name}'", stderr, StringComparison.Ordinal);
    }
}
