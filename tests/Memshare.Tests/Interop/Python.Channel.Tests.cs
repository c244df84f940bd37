using System.Globalization;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// Channel messages between .NET and Python processes through a 4 KiB ring, so records wrap and padding is
/// written constantly: every message is regenerated on the other side and compared byte for byte, in order,
/// and the end of the stream (completion) is seen as such.
/// </summary>
public sealed class PythonChannelTests : IDisposable
{
    private const int Messages = 20_000;
    private const int Lines = 2_000;
    private const int Seed = 1234;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly ShmScope _scope = new();

    [Fact]
    public void DotNetWriter_PythonReader_AllMessagesInOrderThenCompletion()
    {
        string name = _scope.Name("c");
        using SharedChannel channel = Create(name);
        using PythonProcess reader = PythonProcess.Peer("channel-recv", name, Seed.ToString(CultureInfo.InvariantCulture), Messages.ToString(CultureInfo.InvariantCulture));
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            for (int i = 0; i < Messages; i++)
            {
                Assert.True(writer.TryWrite(PythonPeerData.Message(Seed, i, channel.MaxMessageLength), Wait), $"no room for message {i} within {Wait}");
            }

            writer.Complete();
        }

        reader.Expect("attached");
        Assert.Equal($"completed {Messages}", reader.ReadLine(TimeSpan.FromSeconds(120)));
        PythonResult r = reader.Finish();
        r.AssertExit(0);
        Assert.Equal("", r.Stderr);
        Assert.True(Shm.Exists(name));
    }

    [Fact]
    public void PythonWriter_DotNetReader_AllMessagesInOrderThenCompletion()
    {
        string name = _scope.Name("c");
        using SharedChannel channel = Create(name);
        using SharedChannelReader reader = channel.CreateReader();
        using PythonProcess writer = PythonProcess.Peer("channel-send", name, Seed.ToString(CultureInfo.InvariantCulture), Messages.ToString(CultureInfo.InvariantCulture));

        byte[] buffer = new byte[channel.MaxMessageLength];
        for (int i = 0; i < Messages; i++)
        {
            Assert.True(reader.WaitToRead(Wait) == ChannelWaitResult.Ready, $"message {i} did not arrive within {Wait}");
            Assert.True(reader.TryRead(buffer, out int length));
            Assert.True(buffer.AsSpan(0, length).SequenceEqual(PythonPeerData.Message(Seed, i, channel.MaxMessageLength)), $"message {i} differs");
        }

        Assert.Equal(ChannelWaitResult.Completed, reader.WaitToRead(Wait)); // neither a message after the last one nor a timeout
        Assert.True(channel.IsCompleted);
        Assert.Equal(Messages, channel.MessagesWritten);
        Assert.Equal("start 0", writer.ReadLine(Wait));
        Assert.Equal($"sent {Messages}", writer.ReadLine(Wait));
        PythonResult r = writer.Finish();
        r.AssertExit(0);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void CliSend_PipedLines_DotNetReadsEachLineThenCompletion()
    {
        string name = _scope.Name("c");
        using SharedChannel channel = Create(name);
        using SharedChannelReader reader = channel.CreateReader();
        var input = new MemoryStream();
        for (int i = 0; i < Lines; i++)
        {
            input.Write(PythonPeerData.Line(Seed, i, channel.MaxMessageLength));
            input.WriteByte((byte)'\n');
        }

        using PythonProcess send = PythonProcess.Cli("send", name);
        send.Feed(input.ToArray());
        byte[] buffer = new byte[channel.MaxMessageLength];
        for (int i = 0; i < Lines; i++)
        {
            Assert.True(reader.WaitToRead(Wait) == ChannelWaitResult.Ready, $"line {i} did not arrive within {Wait}");
            Assert.True(reader.TryRead(buffer, out int length));
            Assert.True(buffer.AsSpan(0, length).SequenceEqual(PythonPeerData.Line(Seed, i, channel.MaxMessageLength)), $"line {i} differs");
        }

        Assert.Equal(ChannelWaitResult.Completed, reader.WaitToRead(Wait)); // neither a message after the last line nor a timeout
        Assert.True(channel.IsCompleted);
        PythonResult r = send.Finish().AssertExit(0);
        Assert.Contains($"Sent {Lines} messages", r.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void CliRecv_Count_PrintsExactlyThoseMessagesAsLines()
    {
        string name = _scope.Name("c");
        using SharedChannel channel = Create(name);
        var expected = new MemoryStream();
        using PythonProcess recv = PythonProcess.Cli("recv", name, "--count", Lines.ToString(CultureInfo.InvariantCulture), "--timeout", "30");
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            for (int i = 0; i <= Lines; i++) // one more than recv asks for: a drained ring always has room for it
            {
                byte[] line = PythonPeerData.Line(Seed, i, channel.MaxMessageLength);
                Assert.True(writer.TryWrite(line, Wait), $"no room for line {i} within {Wait}");
                if (i < Lines)
                {
                    expected.Write(line);
                    expected.WriteByte((byte)'\n');
                }
            }
        }

        PythonResult r = recv.Finish().AssertExit(0);
        Assert.Equal("", r.Stderr);
        Assert.True(expected.ToArray().AsSpan().SequenceEqual(r.Stdout), $"recv printed {r.Stdout.Length} bytes, expected {expected.Length}");

        // --count stopped it exactly there: the next reader starts with the first message it did not print.
        using SharedChannelReader next = channel.CreateReader();
        byte[] buffer = new byte[channel.MaxMessageLength];
        Assert.True(next.TryRead(buffer, out int length));
        Assert.True(buffer.AsSpan(0, length).SequenceEqual(PythonPeerData.Line(Seed, Lines, channel.MaxMessageLength)));
    }

    private static SharedChannel Create(string name) => SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });

    public void Dispose() => _scope.Dispose();
}
