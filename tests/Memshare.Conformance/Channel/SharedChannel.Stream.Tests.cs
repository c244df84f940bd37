using System.Diagnostics;
using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Channel;

/// <summary>
/// A writer process streams millions of messages of varying length through a small ring to this process, which
/// checks every byte of every one (<see cref="ChannelMessage"/>): none lost, duplicated, reordered or corrupt. The ring
/// is 64 KiB and the messages 0..300 bytes with an occasional large one (up to the maximum), so the ring wraps every
/// few hundred messages and padding records are written all the time.
/// </summary>
[Collection("Spinning")]
public sealed class SharedChannelStreamTests : IDisposable
{
    private const int Capacity = 64 * 1024;

    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedChannelStreamTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void TryReadAndTryPeek_TenMillionMessagesFromWriterProcess_NoneLostDuplicatedOrCorrupt() =>
        Stream(count: Stress.Count(10_000_000, 1_000_000), blocking: false);

    [Fact]
    public void WaitToRead_MillionMessagesFromBlockingWriterProcess_NoneLostDuplicatedOrCorrupt() =>
        Stream(count: Stress.Count(1_000_000, 200_000), blocking: true);

    private void Stream(long count, bool blocking)
    {
        string name = _scope.Name();
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = Capacity });
        using SharedChannelReader reader = channel.CreateReader();
        int large = channel.MaxMessageLength;
        Child writer = _scope.Track(Child.Helper(ChannelScript.WriteArgs(name, 0, count, 0, large, blocking ? "block" : "")));
        Assert.Equal("start 0", ChannelScript.ExpectLine(writer, "start"));

        byte[] buffer = new byte[channel.MaxMessageLength];
        long start = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        long misses = 0, largeOnes = 0, empty = 0;
        for (long key = 0; key < count;)
        {
            // Alternate the copying read and the in-place read.
            bool got;
            bool ok = false;
            int length;
            if ((key & 1) == 0)
            {
                got = reader.TryRead(buffer, out length);
                ok = got && ChannelMessage.Check(buffer.AsSpan(0, length), key, 0, large);
            }
            else if (got = reader.TryPeek(out ReadOnlySpan<byte> message))
            {
                length = message.Length;
                ok = ChannelMessage.Check(message, key, 0, large);
                reader.Advance();
            }
            else
            {
                length = 0;
            }

            if (got)
            {
                if (!ok)
                {
                    Assert.Fail($"message {key} is wrong: {length} bytes (expected {ChannelMessage.Length(key, 0, large)})");
                }

                largeOnes += length > ChannelMessage.SmallMax ? 1 : 0;
                empty += length == 0 ? 1 : 0;
                key++;
                spin.Reset();
                continue;
            }

            if (blocking)
            {
                Assert.True(reader.WaitToRead(ChannelScript.Deadline) == ChannelWaitResult.Ready, $"no message {key} within the deadline; writer: {writer.Stderr}");
                continue;
            }

            spin.SpinOnce(sleep1Threshold: -1);
            if ((++misses & 4095) == 0)
            {
                Assert.True(Stopwatch.GetElapsedTime(start) < ChannelScript.Deadline, $"stuck before message {key}");
                Assert.False(writer.HasExited && !reader.TryPeek(out _), $"writer exited before message {key}: {writer.Stderr}");
            }
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        Assert.Equal("done " + count, ChannelScript.ExpectLine(writer, "done"));
        ChannelScript.ExpectExit0(writer);
        Assert.False(reader.TryRead(buffer, out _));
        Assert.Equal(count, channel.MessagesWritten);
        long laps = ChannelKit.WriterPosition(channel) / Capacity;
        _output.WriteLine($"{count} messages ({largeOnes} large, {empty} empty) in {elapsed.TotalSeconds:F1} s; the ring wrapped {laps} times");
        Assert.True(laps > count / 1000, $"only {laps} laps");
    }

    public void Dispose() => _scope.Dispose();
}
