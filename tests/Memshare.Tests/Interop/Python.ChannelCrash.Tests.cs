using System.Globalization;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// A channel writer SIGKILLed mid-stream in one language, and a writer in the other taking the role over from the
/// dead owner: the reader gets every committed message exactly once, in order, with no gap, then the completion.
/// </summary>
[Collection("Spinning")]
public sealed class PythonChannelCrashTests : IDisposable
{
    private const int Seed = 99;
    private const int BeforeKill = 1_000;
    private const int After = 1_000;
    private const int WriterRecoveries = 392;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly ShmScope _scope = new();

    [Fact]
    public async Task PythonWriterKilled_DotNetWriterTakesOver_StreamHasNoGapOrDuplicate()
    {
        string name = _scope.Name("c");
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelReader reader = channel.CreateReader();
        byte[] buffer = new byte[channel.MaxMessageLength];
        using (PythonProcess python = PythonProcess.Peer("channel-send", name, Seed.ToString(CultureInfo.InvariantCulture), "0"))
        {
            python.Expect("start");
            for (int i = 0; i < BeforeKill; i++)
            {
                AssertNext(reader, buffer, i, expected => PythonPeerData.Message(Seed, i, channel.MaxMessageLength).AsSpan().SequenceEqual(expected));
            }

            python.Kill(); // mid-stream: blocked on a full ring, or between commit and publish, or mid-record
        }

        SharedChannelWriter writer = channel.CreateWriter(); // the role's owner is dead: taken over
        long first = channel.MessagesWritten;
        Assert.True(first >= BeforeKill, $"the new writer starts at {first}, before messages already read");
        Task writing = Task.Run(() =>
        {
            using (writer)
            {
                for (long i = first; i < first + After; i++)
                {
                    Assert.True(writer.TryWrite(PythonPeerData.Message(Seed, (int)i, channel.MaxMessageLength), Wait), $"no room for message {i}");
                }

                writer.Complete();
            }
        });

        ReadToCompletion(reader, buffer, BeforeKill, first + After, i => expected => PythonPeerData.Message(Seed, (int)i, channel.MaxMessageLength).AsSpan().SequenceEqual(expected));
        await writing;
        Assert.Equal(1UL, RawRecoveries(name));
    }

    [Fact]
    public void DotNetWriterKilled_PythonWriterTakesOver_StreamHasNoGapOrDuplicate()
    {
        const int Min = ChannelMessage.SelfDescribingMin;
        const int Large = 2000;
        string name = _scope.Name("c");
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelReader reader = channel.CreateReader();
        byte[] buffer = new byte[channel.MaxMessageLength];
        using (Child dotnet = _scope.Track(Child.Helper("chan-write", name, "0", "0", Min.ToString(CultureInfo.InvariantCulture), Large.ToString(CultureInfo.InvariantCulture), "60", "block")))
        {
            Assert.Equal("start 0", dotnet.ReadLine());
            for (int i = 0; i < BeforeKill; i++)
            {
                AssertNext(reader, buffer, i, m => ChannelMessage.Check(m, i, Min, Large));
            }

            dotnet.Kill();
        }

        using PythonProcess python = PythonProcess.Peer("channel-send", name, Seed.ToString(CultureInfo.InvariantCulture), After.ToString(CultureInfo.InvariantCulture), "auto");
        long first = long.Parse(python.Expect("start")[1], CultureInfo.InvariantCulture);
        Assert.True(first >= BeforeKill, $"the Python writer starts at {first}, before messages already read");

        ReadToCompletion(reader, buffer, BeforeKill, first + After, i => i < first
            ? m => ChannelMessage.Check(m, i, Min, Large)
            : m => PythonPeerData.Message(Seed, (int)i, channel.MaxMessageLength).AsSpan().SequenceEqual(m));
        Assert.Equal($"sent {After}", python.ReadLine());
        python.Finish().AssertExit(0);
        Assert.Equal(1UL, RawRecoveries(name));
    }

    private delegate bool Check(ReadOnlySpan<byte> message);

    private static void AssertNext(SharedChannelReader reader, byte[] buffer, long index, Check check)
    {
        Assert.True(reader.WaitToRead(Wait) == ChannelWaitResult.Ready, $"message {index} did not arrive within {Wait}");
        Assert.True(reader.TryRead(buffer, out int length));
        Assert.True(check(buffer.AsSpan(0, length)), $"message {index} ({length} bytes) is not the one expected");
    }

    /// <summary>Reads messages <paramref name="from"/> to <paramref name="end"/> − 1, each checked, then expects completion.</summary>
    private static void ReadToCompletion(SharedChannelReader reader, byte[] buffer, long from, long end, Func<long, Check> checkFor)
    {
        for (long i = from; i < end; i++)
        {
            AssertNext(reader, buffer, i, checkFor(i));
        }

        Assert.Equal(ChannelWaitResult.Completed, reader.WaitToRead(Wait)); // neither a message after the last one nor a timeout
        Assert.True(reader.Channel.IsCompleted);
        Assert.Equal(end, reader.Channel.MessagesWritten);
    }

    private static ulong RawRecoveries(string name)
    {
        using var raw = SharedMemory.OpenExisting(name);
        return raw.AsRef<ulong>(WriterRecoveries);
    }

    public void Dispose() => _scope.Dispose();
}
