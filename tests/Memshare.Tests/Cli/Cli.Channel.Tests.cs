using System.Text;
using System.Text.Json;
using Memshare.Inspection;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>
/// `memshare send` and `recv` on a channel, across separate processes: a file piped through both comes out byte
/// for byte, whichever starts first and however small the ring; --count, --timeout, too-long lines, missing
/// channels, signals; and what `info` and `ls` show about a channel. Channels made by the CLI are persistent, so
/// every test removes its channel in <c>finally</c>.
/// </summary>
public sealed class CliChannelTests : IDisposable
{
    private const string SmallRing = "4096"; // the smallest ring: a few thousand lines wrap it many times
    private const string LargeRing = "1048576"; // holds the whole test file

    private readonly ShmScope _scope = new();

    [Fact]
    public void SendThenRecv_ReproducesAFileExactly()
    {
        string name = _scope.Name("file");
        byte[] file = TestFile();
        try
        {
            (CliResult send, _) = CliPipe.Run(file, "send", name, "--capacity", LargeRing);
            send.AssertExit(0);
            Assert.Equal([$"Sent {LineCount(file)} messages to channel '{name}' and marked it complete; created it (spsc, {LargeRing} bytes, persistent: remove it with 'memshare rm {name}')."], send.Stdout);

            (CliResult recv, byte[] output) = CliPipe.Run([], "recv", name);

            recv.AssertExit(0);
            Assert.Empty(recv.Stderr);
            AssertSameBytes(file, output);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void RecvStartedFirst_ThroughTheSmallestRing_ReproducesAFileExactly()
    {
        string name = _scope.Name("first");
        byte[] file = TestFile();
        try
        {
            using CliPipe recv = CliPipe.Start("recv", name, "--capacity", SmallRing);
            CliRun.WaitUntil(() => ReaderPid(name) == recv.Pid, "'memshare recv' creates the channel and attaches as reader 0", TimeSpan.FromSeconds(60));

            (CliResult send, _) = CliPipe.Run(file, "send", name); // no --capacity: recv created it

            send.AssertExit(0);
            Assert.Equal([$"Sent {LineCount(file)} messages to channel '{name}' and marked it complete."], send.Stdout);
            (CliResult received, byte[] output) = recv.Finish();
            received.AssertExit(0);
            AssertSameBytes(file, output);
            SharedChannelInfo after = Channel(name);
            Assert.Equal(LineCount(file), after.MessagesWritten);
            Assert.True(after.WriterPosition > 10 * 4096, "the test file should wrap the ring many times");
            Assert.Equal(0, after.Readers[0].Lag);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void SendStartedFirst_WaitsOnAFullRing_UntilRecvDrainsIt_AndTheFileComesOutExactly()
    {
        string name = _scope.Name("full");
        byte[] file = TestFile();
        try
        {
            using CliPipe send = CliPipe.Start("send", name, "--capacity", SmallRing);
            send.Feed(file);
            CliRun.WaitUntil(() => TryChannel(name) is { FillLevel: > 0.5 }, "'memshare send' fills the ring", TimeSpan.FromSeconds(60));
            Assert.False(send.HasExited, "send should wait for a reader to make room");

            (CliResult recv, byte[] output) = CliPipe.Run([], "recv", name);

            recv.AssertExit(0);
            send.Finish().Result.AssertExit(0);
            AssertSameBytes(file, output);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Theory]
    [InlineData("a\n\nb", "a\n\nb\n", 3)] // a last line without '\n' is sent, and recv ends every message with one
    [InlineData("\n\n\n", "\n\n\n", 3)] // empty lines are empty messages
    [InlineData("x\r\ny\r\n", "x\r\ny\r\n", 2)] // only '\n' splits: '\r' is part of the message
    [InlineData("", "", 0)]
    public void SendAndRecv_FrameLinesOnNewlinesOnly(string input, string expected, int messages)
    {
        string name = _scope.Name("frame");
        try
        {
            (CliResult send, _) = CliPipe.Run(Encoding.UTF8.GetBytes(input), "send", name, "--capacity", SmallRing);
            send.AssertExit(0);
            Assert.Equal(messages, Channel(name).MessagesWritten);

            (CliResult recv, byte[] output) = CliPipe.Run([], "recv", name, "--timeout", "30s");

            recv.AssertExit(0);
            Assert.Equal(expected, Encoding.UTF8.GetString(output));
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Recv_Count_StopsAfterN_AndTheNextRecvResumesWhereItStopped()
    {
        string name = _scope.Name("count");
        try
        {
            CliPipe.Run(Encoding.UTF8.GetBytes("one\ntwo\nthree\nfour\nfive\n"), "send", name, "--capacity", SmallRing).Result.AssertExit(0);

            Assert.Equal(["one", "two"], CliRun.Run("recv", name, "--count", "2").AssertExit(0).Stdout);
            Assert.Equal(3, Channel(name).MessagesWritten - 2);
            Assert.Equal(["three"], CliRun.Run("recv", name, "--count", "1").AssertExit(0).Stdout);

            // The writer completed the channel: asking for more than is left ends, exit 0, once drained.
            Assert.Equal(["four", "five"], CliRun.Run("recv", name, "--count", "10", "--timeout", "30s").AssertExit(0).Stdout);
            Assert.Empty(CliRun.Run("recv", name, "--count", "0").AssertExit(0).Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Recv_Timeout_WithNothingSent_ExitsSix()
    {
        string name = _scope.Name("idle");
        try
        {
            CliResult result = CliRun.Run("recv", name, "--capacity", SmallRing, "--timeout", "300ms")
                .AssertError(6, $"No message arrived on channel '{name}' within 300 ms");

            Assert.Empty(result.Stdout);
            Assert.Contains("received 0 messages", result.Stderr, StringComparison.Ordinal);
            Assert.Equal(0, Channel(name).Readers[0].Lag);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Recv_Timeout_BeforeCountMessages_PrintsWhatCame_AndExitsSix()
    {
        string name = _scope.Name("short");
        try
        {
            using (SharedChannel channel = SharedChannel.CreateOrOpen(
                name, new SharedChannelOptions { Capacity = 4096 }, new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent }))
            using (SharedChannelWriter writer = channel.CreateWriter())
            {
                writer.Write("a"u8);
                writer.Write("b"u8); // and no Complete(): more may come
            }

            CliResult result = CliRun.Run("recv", name, "--count", "5", "--timeout", "300ms")
                .AssertError(6, "received 2 of the 5 messages asked for");

            Assert.Equal(["a", "b"], result.Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Send_LineLongerThanTheLargestMessage_ExitsTwo_AndSendsNothingMore()
    {
        string name = _scope.Name("long");
        try
        {
            byte[] input = Encoding.UTF8.GetBytes("ok\n" + new string('x', 3000) + "\nafter\n");

            (CliResult send, _) = CliPipe.Run(input, "send", name, "--capacity", SmallRing);

            send.AssertError(2, $"A message of 3000 bytes is larger than channel '{name}' accepts (2032 bytes");
            Assert.Contains("It is line 2 of standard input; what came before it was sent (1 line)", send.Stderr, StringComparison.Ordinal);
            SharedChannelInfo state = Channel(name);
            Assert.Equal(1, state.MessagesWritten);
            Assert.False(state.IsCompleted); // a cut stream is not passed off as a whole one
            Assert.Null(state.WriterProcessId);
            Assert.Equal(["ok"], CliRun.Run("recv", name, "--timeout", "300ms").AssertExit(6).Stdout);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Theory]
    [InlineData("send")]
    [InlineData("recv")]
    public void SendOrRecv_WithoutCapacity_OnAMissingChannel_ExitsThree_AndCreatesNothing(string command)
    {
        string name = _scope.Name("none");

        CliRun.Run(command, name, "--mode", "mpsc").AssertError(3, $"Channel '{name}' does not exist. Pass --capacity BYTES");

        Assert.Empty(_scope.Leftovers());
    }

    [Theory]
    [InlineData("recv", "--mode", "fifo", "--capacity", SmallRing)]
    [InlineData("send", "--capacity", "1000")]
    [InlineData("recv", "--count", "-1", "--capacity", SmallRing)]
    public void SendOrRecv_InvalidArguments_ExitTwo(string command, params string[] options)
    {
        string name = _scope.Name("bad");

        CliRun.Run([command, name, .. options]).AssertError(2);

        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void Recv_ReaderIndexBeyondTheChannel_ExitsTwo()
    {
        string name = _scope.Name("index");
        try
        {
            CliRun.Run("recv", name, "--capacity", SmallRing, "--reader", "1", "--timeout", "0")
                .AssertError(2, $"--reader 1 is out of range: channel '{name}' has 1 reader index(es)");
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void InfoLsAndJson_AfterTenMessagesWithNoReader_ShowWrittenLagAndFill()
    {
        string name = _scope.Name("info");
        try
        {
            string ten = string.Concat(Enumerable.Range(1, 10).Select(i => $"message {i}\n"));
            CliPipe.Run(Encoding.UTF8.GetBytes(ten), "send", name, "--capacity", "65536").Result.AssertExit(0);

            List<string> text = CliRun.Run("info", name).AssertExit(0).Stdout;
            Assert.Contains(text, l => Columns(l) is ["kind:", "channel"]);
            Assert.Contains(text, l => Columns(l) is ["channel:", "spsc", ..]);
            Assert.Contains(text, l => Columns(l) is ["capacity:", "65536", "bytes"]);
            Assert.Contains(text, l => Columns(l) is ["max", "message:", "32752", "bytes"]);
            Assert.Contains(text, l => Columns(l) is ["messages:", "10", "written"]);
            Assert.Contains(text, l => Columns(l) is ["writer", "position:", "320", "bytes"]); // 10 records of 16 + 10 or 11 bytes, each padded to 32
            Assert.Contains(text, l => Columns(l) is ["completed:", "yes:", ..]);
            Assert.Contains(text, l => Columns(l) is ["writer:", "none", "attached"]);
            Assert.Contains(text, l => Columns(l) is ["fill:", "320", "of", "65536", "bytes", "(0.5%)", ..]);
            Assert.Contains(text, l => l.StartsWith("reader 0:", StringComparison.Ordinal) && l.Contains("position 0, lag 320 bytes, 0 lost, no process reading", StringComparison.Ordinal));
            Assert.DoesNotContain(text, l => l.StartsWith("damaged:", StringComparison.Ordinal));

            Assert.Equal(["10", "sent,", "0.5%", "full,", "completed"], Row(CliRun.Run("ls").AssertExit(0), name)[7..]);

            JsonElement c = CliRun.Run("info", name, "--json").AssertExit(0).Json().GetProperty("header").GetProperty("channel");
            Assert.Equal("spsc", c.GetProperty("mode").GetString());
            Assert.Equal(65536, c.GetProperty("capacity").GetInt64());
            Assert.Equal(10, c.GetProperty("messagesWritten").GetInt64());
            Assert.Equal(320, c.GetProperty("writerPosition").GetInt64());
            Assert.True(c.GetProperty("completed").GetBoolean());
            Assert.Equal(JsonValueKind.Null, c.GetProperty("writerPid").ValueKind);
            Assert.Equal(320, c.GetProperty("usedBytes").GetInt64());
            Assert.True(c.GetProperty("fillPercent").GetDouble() > 0);
            JsonElement reader = Assert.Single(c.GetProperty("readers").EnumerateArray());
            Assert.Equal(320, reader.GetProperty("lag").GetInt64());
            Assert.Equal(JsonValueKind.Null, c.GetProperty("damaged").ValueKind);
            JsonElement listed = CliRun.Find(CliRun.Run("ls", "--json").AssertExit(0).Json(), name);
            Assert.Equal("channel", listed.GetProperty("kind").GetString());
            Assert.Equal(10, listed.GetProperty("header").GetProperty("channel").GetProperty("messagesWritten").GetInt64());

            CliRun.Run("recv", name, "--count", "10").AssertExit(0);
            SharedChannelInfo drained = Channel(name);
            Assert.Equal(0, drained.Readers[0].Lag);
            Assert.Equal(0, drained.FillLevel);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Broadcast_TwoRecvs_EachGetEveryMessage_AndDetachReleasesTheIndex()
    {
        string name = _scope.Name("bcast");
        byte[] input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, 500).Select(i => $"tick {i} ✓\n")));
        try
        {
            using CliPipe first = CliPipe.Start("recv", name, "--capacity", SmallRing, "--mode", "broadcast", "--reader", "0");
            CliRun.WaitUntil(() => ReaderPid(name, 0) == first.Pid, "the first recv attaches as reader 0", TimeSpan.FromSeconds(60));
            using CliPipe second = CliPipe.Start("recv", name, "--reader", "3", "--detach");
            CliRun.WaitUntil(() => ReaderPid(name, 3) == second.Pid, "the second recv attaches as reader 3", TimeSpan.FromSeconds(60));

            CliPipe.Run(input, "send", name).Result.AssertExit(0);

            (CliResult a, byte[] outA) = first.Finish();
            (CliResult b, byte[] outB) = second.Finish();
            a.AssertExit(0);
            b.AssertExit(0);
            AssertSameBytes(input, outA);
            AssertSameBytes(input, outB);
            SharedChannelInfo state = Channel(name);
            Assert.Equal(ChannelMode.Broadcast, state.Mode);
            SharedChannelReaderInfo kept = Assert.Single(state.Readers); // reader 3 detached; reader 0 stays attached
            Assert.Equal(0, kept.Index);
            Assert.True(kept.IsAttached);
            Assert.Null(kept.OwnerProcessId);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Send_InterruptedWhileWaitingForInput_ExitsWith143_AndDoesNotCompleteTheChannel()
    {
        string name = _scope.Name("intr");
        try
        {
            string[] args = ["send", name, "--capacity", SmallRing];
            Child send = _scope.Track(Child.Cli(args));
            send.WriteLine("one");
            CliRun.WaitUntil(() => TryChannel(name)?.MessagesWritten == 1, "'memshare send' sends the first line", TimeSpan.FromSeconds(60));

            send.Signal(15); // stdin stays open: send is waiting for the next line

            CliRun.Finish(send, args).AssertError(143, $"Interrupted by SIGTERM while sending to channel '{name}' after 1 message; the channel was not marked complete.");
            SharedChannelInfo state = Channel(name);
            Assert.False(state.IsCompleted);
            Assert.Null(state.WriterProcessId); // the writer role was given back, not left to a dead process
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void InfoAndLs_ShowAWriterThatWasKilled_AsDead_AndTheNextSendTakesOver()
    {
        string name = _scope.Name("dead");
        try
        {
            Child send = _scope.Track(Child.Cli("send", name, "--capacity", SmallRing));
            send.WriteLine("before");
            CliRun.WaitUntil(() => TryChannel(name)?.MessagesWritten == 1, "'memshare send' sends the first line", TimeSpan.FromSeconds(60));
            int pid = send.Pid;

            send.Kill(); // SIGKILL: the writer role stays marked with a dead process

            SharedChannelInfo state = Channel(name);
            Assert.Equal(pid, state.WriterProcessId);
            Assert.False(state.IsWriterAlive);
            Assert.Contains(CliRun.Run("info", name).AssertExit(0).Stdout, l => Columns(l) is ["writer:", "pid", _, "which", "has", "died:", ..]);
            Assert.Equal(["1", "sent,", "0.8%", "full,", "writer", "pid", $"{pid}", "dead"], Row(CliRun.Run("ls").AssertExit(0), name)[7..]);

            CliPipe.Run("after\n"u8.ToArray(), "send", name).Result.AssertExit(0);
            Assert.Equal(["before", "after"], CliRun.Run("recv", name).AssertExit(0).Stdout);
            Assert.Equal(1, Channel(name).WriterRecoveries);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Recv_InterruptedWhileWaiting_HasPrintedWhatItGot_AndExitsWith143()
    {
        string name = _scope.Name("rintr");
        try
        {
            using CliPipe recv = CliPipe.Start("recv", name, "--capacity", SmallRing);
            CliRun.WaitUntil(() => ReaderPid(name) == recv.Pid, "'memshare recv' attaches as reader 0", TimeSpan.FromSeconds(60));
            CliPipe.Run(Encoding.UTF8.GetBytes("x\ny\n"), "send", name, "--keep-open").Result.AssertExit(0);
            CliRun.WaitUntil(() => Channel(name).Readers[0].Lag == 0, "'memshare recv' reads both messages", TimeSpan.FromSeconds(60));

            recv.Signal(15);

            (CliResult result, byte[] output) = recv.Finish();
            result.AssertError(143, $"Interrupted by SIGTERM while receiving from channel '{name}' after 2 messages.");
            Assert.Equal("x\ny\n", Encoding.UTF8.GetString(output));
            Assert.Null(Channel(name).Readers[0].OwnerProcessId);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    /// <summary>
    /// A few thousand lines: empty ones (first and last too), UTF-8 in 1 to 4 bytes, '\r' before '\n', tabs,
    /// bytes that are not UTF-8, and lines up to 1,500 bytes (the smallest ring takes 2,032). Ends with '\n'.
    /// </summary>
    private static byte[] TestFile()
    {
        var random = new Random(20_240_601);
        string[] words = ["alpha", "héllo", "日本語", "🚀", "naïve", "tab\there", "Ωμέγα", "x"];
        using var file = new MemoryStream();
        for (int i = 0; i < 3000; i++)
        {
            if (i % 7 == 0)
            {
                // an empty line
            }
            else if (i % 13 == 0)
            {
                file.Write([(byte)'b', 0xFF, 0xC3, (byte)'(', 0x80]); // not UTF-8
            }
            else if (i % 17 == 0)
            {
                file.Write(Encoding.UTF8.GetBytes(new string('L', random.Next(500, 1500))));
            }
            else
            {
                int count = random.Next(1, 8);
                file.Write(Encoding.UTF8.GetBytes($"{i}: " + string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)]))));
                if (i % 11 == 0)
                {
                    file.WriteByte((byte)'\r');
                }
            }

            file.WriteByte((byte)'\n');
        }

        file.Write("\n\n"u8); // two more empty lines at the end
        return file.ToArray();
    }

    private static int LineCount(byte[] file) => file.Count(b => b == (byte)'\n');

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }

        int at = expected.AsSpan().CommonPrefixLength(actual);
        Assert.Fail($"output differs from input at byte {at} (line {expected.AsSpan(0, Math.Min(at, expected.Length)).Count((byte)'\n') + 1}): expected {expected.Length} bytes, got {actual.Length}");
    }

    private static SharedChannelInfo? TryChannel(string name) => SharedMemoryCatalog.GetInfo(name)?.Header?.Channel;

    private static SharedChannelInfo Channel(string name) =>
        TryChannel(name) ?? throw new Xunit.Sdk.XunitException($"'{name}' is not a readable channel");

    /// <summary>The pid reading at reader <paramref name="index"/>, or null while none does (or the channel does not exist yet).</summary>
    private static int? ReaderPid(string name, int index = 0) =>
        TryChannel(name)?.Readers.FirstOrDefault(r => r.Index == index)?.OwnerProcessId;

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Row(CliResult table, string name) =>
        table.Stdout.Select(Columns).SingleOrDefault(c => c.Length > 0 && c[0] == name)
        ?? throw new Xunit.Sdk.XunitException($"no row for {name} in:\n{string.Join('\n', table.Stdout)}");

    public void Dispose() => _scope.Dispose();
}
