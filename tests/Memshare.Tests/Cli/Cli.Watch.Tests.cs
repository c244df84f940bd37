using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Memshare.Inspection;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>
/// `memshare watch` with stdout redirected: plain text frames separated by blank lines, parsed here. The peers
/// are real processes (a `memshare send` fed at a steady pace, a killed `hold`).
/// </summary>
[Collection("Spinning")]
public sealed class CliWatchTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public async Task Watch_ChannelWithASteadySender_ShowsMessagesAndAPositiveRate()
    {
        string name = _scope.Name("chan");
        Child sender = _scope.Track(Child.Cli("send", name, "--capacity", "1048576"));
        using var stop = new CancellationTokenSource();
        int sent = 0;
        Task feed = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                sender.WriteLine("tick " + Interlocked.Increment(ref sent).ToString(CultureInfo.InvariantCulture));
                Thread.Sleep(2);
            }
        });
        try
        {
            CliRun.WaitUntil(() => MessagesOf(name) > 0, "the sender has sent a message");

            CliResult watch = CliRun.Run("watch", name, "--count", "3", "--interval", "50ms").AssertExit(0);
            int sentBy = Volatile.Read(ref sent);

            List<Dictionary<string, string>> frames = Frames(watch);
            Assert.Equal(3, frames.Count);
            long[] messages = [.. frames.Select(f => long.Parse(f["messages"], CultureInfo.InvariantCulture))];
            Assert.True(messages[0] > 0 && messages[0] <= messages[1] && messages[1] <= messages[2], $"messages {string.Join(", ", messages)}");
            Assert.True(messages[2] <= sentBy, $"watch saw {messages[2]} messages but only {sentBy} lines were sent");
            Assert.All(frames, f => Assert.Equal("channel", f["kind"]));
            Assert.All(frames, f => Assert.Equal("spsc", f["mode"]));
            Assert.All(frames, f => Assert.Equal("1048576 bytes", f["capacity"]));
            Assert.All(frames, f => Assert.Equal($"pid {sender.Pid}, alive", f["writer"]));
            Assert.All(frames, f => Assert.StartsWith("position 0, lag ", f["reader 0"], StringComparison.Ordinal));
            Assert.Equal("-", frames[0]["msg/s"]); // no earlier sample to compare with
            double[] rates = [.. frames.Skip(1).Select(f => double.Parse(f["msg/s"], CultureInfo.InvariantCulture))];
            Assert.Contains(rates, rate => rate > 0);
            Assert.All(frames.Skip(1), f => Assert.True(double.Parse(f["bytes/s"], CultureInfo.InvariantCulture) >= 0));
        }
        finally
        {
            stop.Cancel();
            await feed.WaitAsync(TimeSpan.FromSeconds(10));
            sender.CloseInput();
            sender.WaitForExit();
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Watch_String_ShowsTextLengthAndWrites()
    {
        string name = _scope.Name("str");
        using SharedString text = SharedString.CreateNew(name, 64);
        text.Set("first");
        text.Set("hello \"watch\"");

        Dictionary<string, string> frame = Assert.Single(Frames(CliRun.Run("watch", name, "--count", "1").AssertExit(0)));

        Assert.Equal("string", frame["kind"]);
        Assert.Equal("\"hello \\\"watch\\\"\"", frame["text"]);
        Assert.Equal("13 of 64 bytes", frame["length"]);
        Assert.Equal("2", frame["writes"]);
        Assert.Equal("1", frame["holders"]); // this test process; watch itself is not one
    }

    [Fact]
    public void Watch_Value_ShowsTypeWritesAndPayloadHex()
    {
        string name = _scope.Name("val");
        using var value = SharedValue<long>.CreateNew(name, 1);
        value.Write(0x0102030405060708);

        Dictionary<string, string> frame = Assert.Single(Frames(CliRun.Run("watch", name, "--count", "1").AssertExit(0)));

        Assert.Equal("Int64 (8 bytes)", frame["type"]);
        Assert.Equal("1", frame["writes"]);
        Assert.Equal("0", frame["recoveries"]);
        Assert.Equal("08 07 06 05 04 03 02 01", frame["value"]);
    }

    [Fact]
    public void Watch_LockAndEvent_ShowOwnerAndState()
    {
        string lockName = _scope.Name("lock");
        string eventName = _scope.Name("event");
        using var gate = SharedLock.CreateOrOpen(lockName);
        using var ready = SharedEvent.CreateOrOpen(eventName, EventResetMode.ManualReset);
        ready.Set();
        using (gate.Acquire(TimeSpan.FromSeconds(5)))
        {
            Dictionary<string, string> held = Assert.Single(Frames(CliRun.Run("watch", lockName, "--count", "1").AssertExit(0)));
            Assert.Equal($"pid {Environment.ProcessId}", held["owner"]);
            Assert.Equal("yes", held["alive"]);
            Assert.Equal("0", held["waiters"]);
        }

        Dictionary<string, string> evt = Assert.Single(Frames(CliRun.Run("watch", eventName, "--count", "1").AssertExit(0)));
        Assert.Equal("manual", evt["mode"]);
        Assert.Equal("yes", evt["set"]);
    }

    [Fact]
    public void Watch_StaleRegion_ShowsItWithoutRemovingIt()
    {
        string name = _scope.Name("stale");
        try
        {
            Child hold = _scope.Track(Child.Cli("hold", name, "--size", "64"));
            Assert.Equal($"holding {name} (64 bytes, created)", hold.ReadLine());
            using (SharedMemory region = SharedMemory.OpenExisting(name))
            {
                "abc"u8.CopyTo(region.Span);
            }

            hold.Kill();

            List<Dictionary<string, string>> frames = Frames(CliRun.Run("watch", name, "--count", "2", "--interval", "50ms").AssertExit(0));

            Assert.Equal(2, frames.Count);
            Assert.Equal("0 (stale: every holder died)", frames[1]["holders"]);
            Assert.StartsWith("61 62 63 00", frames[1]["first bytes"], StringComparison.Ordinal);
            Assert.True(Shm.Exists(name), "watching a stale region removed it");
        }
        finally
        {
            Shm.Delete(name);
        }
    }

    [Fact]
    public void Watch_RegionRemovedMidWatch_ExitsThreeNamingIt()
    {
        string name = _scope.Name("gone");
        try
        {
            CliRun.Run("create", name, "--size", "64").AssertExit(0);
            Child watch = _scope.Track(Child.Cli("watch", name, "--interval", "50ms"));
            Assert.StartsWith($"{name}  (refresh 1, ", watch.ReadLine(), StringComparison.Ordinal);

            Assert.True(SharedMemory.Remove(name));

            Assert.Equal(3, watch.WaitForExit());
            Assert.StartsWith($"memshare: Region '{name}' disappeared after ", watch.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Watch_WithoutCount_EndsWithZeroOnCtrlC()
    {
        string name = _scope.Name("sigint");
        using SharedMemory region = SharedMemory.CreateNew(name, 64);
        Child watch = _scope.Track(Child.Cli("watch", name, "--interval", "50ms"));
        Assert.StartsWith($"{name}  (refresh 1, ", watch.ReadLine(), StringComparison.Ordinal);
        CliRun.AssertNotIgnored(watch.Pid, 2);

        watch.Signal(2);

        Assert.Equal(0, watch.WaitForExit());
        Assert.Empty(watch.Stderr);
    }

    [Fact]
    public async Task Watch_OnATerminal_RedrawsATableInPlace()
    {
        string name = _scope.Name("tty");
        using SharedString text = SharedString.CreateNew(name, 16);
        text.Set("on a tty");
        string cli = $"{string.Join(' ', Child.CliCommand)} watch {name} --count 2 --interval 50ms";

        // script(1) gives the CLI a pseudo-terminal, as an interactive shell would; -e passes on its exit code.
        var start = new System.Diagnostics.ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["-qec", cli, "/dev/null"])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm";
        using var script = System.Diagnostics.Process.Start(start)!;
        Task<string> stderr = script.StandardError.ReadToEndAsync();
        string screen = script.StandardOutput.ReadToEnd();
        Assert.True(script.WaitForExit(60_000), "watch under script(1) did not finish");

        Assert.True(script.ExitCode == 0, $"exit {script.ExitCode}: {screen} {await stderr}");
        Assert.InRange(System.Text.RegularExpressions.Regex.Count(screen, "│ text +│ \"on a tty\" +│"), 2, 4); // a table per refresh (Spectre may draw the last once more)
        Assert.Contains("refresh 2, ", screen, StringComparison.Ordinal);
        Assert.Matches("\u001b\\[\\d+A", screen); // the cursor moves up to draw the second table over the first
    }

    [Fact]
    public void Watch_Missing_ExitsThree()
    {
        string name = _scope.Name("missing");

        CliRun.Run("watch", name, "--count", "1").AssertError(3, $"'{name}'");
    }

    [Theory]
    [InlineData("--count", "0", "--count 0 is not a positive number")]
    [InlineData("--interval", "0", "--interval '0' is not a positive duration")]
    [InlineData("--interval", "fast", "--interval 'fast' is not a positive duration")]
    [InlineData("--interval", "2000m", "--interval '2000m' is not a positive duration of at most a day")]
    public void Watch_BadOption_ExitsTwo(string option, string value, string message)
    {
        string name = _scope.Name("bad");
        using SharedMemory region = SharedMemory.CreateNew(name, 64);

        CliRun.Run("watch", name, option, value).AssertError(2, message);
    }

    /// <summary>
    /// What watch shows of a value comes from plain file reads following the seqlock reader protocol: against a
    /// writer process publishing as fast as it can, every read it accepts is a whole value, and versions only grow.
    /// </summary>
    [Fact]
    public void Sample_OfAValueUnderAWriterProcess_IsNeverTorn()
    {
        string name = _scope.Name("vtorn");
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(0));
        Child writer = _scope.Track(Child.Helper("value-writer", name, "30"));
        TornReads.Ready(writer);

        int accepted, changes;
        try
        {
            (accepted, changes) = SampleUntil(name, bytes =>
            {
                Octet read = MemoryMarshal.Read<Octet>(bytes);
                Assert.True(read.IsConsistent, $"torn value: {read}");
                return read.A;
            });
            TornReads.Stop(writer);
        }
        finally
        {
            writer.Kill(); // before our own handle closes, so that close is the last and removes the region
        }

        Assert.True(accepted >= 1_000 && changes >= 100, $"{accepted} consistent reads, {changes} version changes");
    }

    /// <summary>As for values: every string a sample accepts is one some writer set completely.</summary>
    [Fact]
    public void Sample_OfAStringUnderAWriterProcess_IsNeverMixed()
    {
        string name = _scope.Name("storn");
        using SharedString slot = SharedString.CreateNew(name, Patterns.MaxStringBytes);
        Child writer = _scope.Track(Child.Helper("string-writer", name, "30"));
        TornReads.Ready(writer);

        int accepted, changes;
        try
        {
            (accepted, changes) = SampleUntil(name, bytes =>
            {
                string text = Encoding.UTF8.GetString(bytes);
                Assert.True(Patterns.TryParseString(text, out long k), $"mixed string: '{text}'");
                return k;
            });
            TornReads.Stop(writer);
        }
        finally
        {
            writer.Kill();
        }

        Assert.True(accepted >= 1_000 && changes >= 100, $"{accepted} consistent reads, {changes} version changes");
    }

    /// <summary>
    /// Samples until 20,000 consistent reads and 1,000 version changes (or 20 s); checks each with <paramref name="check"/>,
    /// which returns the writer's counter, and that the counter never goes back.
    /// </summary>
    private static (int Accepted, int Changes) SampleUntil(string name, Func<byte[], long> check)
    {
        // One full sample (what watch does each refresh), then the payload step alone in a tight loop, which
        // races the writer often enough to catch a missing sequence re-check.
        SharedMemorySample first = SharedMemoryCatalog.GetSample(name, 4096) ?? throw new Xunit.Sdk.XunitException($"{name} vanished");
        SharedMemoryHeaderInfo header = first.Info.Header!;
        using Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle(Shm.PathOf(name));
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        int accepted = 0;
        int changes = 0;
        long last = long.MinValue;
        while ((accepted < 20_000 || changes < 1_000) && elapsed.Elapsed < TimeSpan.FromSeconds(20))
        {
            var payload = new PayloadSample(4096);
            payload.Read(file, first.Info.Format, header, first.Info.Size);
            if (payload.Bytes is not { } bytes)
            {
                continue; // no consistent read within the attempts: allowed, never a torn one
            }

            long k = check(bytes);
            Assert.True(k >= last, $"version went back from {last} to {k}");
            changes += k != last ? 1 : 0;
            last = k;
            accepted++;
        }

        return (accepted, changes);
    }

    /// <summary>Splits plain output into frames (blocks ended by a blank line) of "field: value" lines; checks each title.</summary>
    private static List<Dictionary<string, string>> Frames(CliResult result)
    {
        var frames = new List<Dictionary<string, string>>();
        Dictionary<string, string>? frame = null;
        foreach (string line in result.Stdout)
        {
            if (line.Length == 0)
            {
                Assert.NotNull(frame);
                frames.Add(frame);
                frame = null;
            }
            else if (frame is null)
            {
                Assert.Contains($"(refresh {frames.Count + 1}, ", line, StringComparison.Ordinal);
                frame = [];
            }
            else
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                Assert.True(colon > 0, $"not a 'field: value' line: {line}");
                frame[line[..colon]] = line[(colon + 1)..].Trim();
            }
        }

        Assert.Null(frame); // the last frame ends with a blank line too
        return frames;
    }

    private static long MessagesOf(string name) =>
        SharedMemoryCatalog.GetInfo(name)?.Header?.Channel?.MessagesWritten ?? 0;

    public void Dispose() => _scope.Dispose();
}
