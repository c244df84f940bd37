using System.Diagnostics;
using System.Globalization;

namespace Memshare.TestChild;

/// <summary>
/// Processes for the SharedChannel tests (tests/Memshare.Tests/Channel): a writer, a reader and a command loop.
/// Messages are <see cref="ChannelMessage"/>s. Every loop is bounded by a deadline (the box has two cores);
/// results are single lines the tests parse.
/// </summary>
internal static class ChannelScenarios
{
    /// <summary>Runs the scenario named by <paramref name="args"/>[0] if it is one of these.</summary>
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = args[0] switch
        {
            "chan-write" => Write(args[1..]),
            "chan-read" => Read(args[1..]),
            "chan-repl" => ChannelRepl.Run(),
            _ => -1,
        };
        return exitCode != -1;
    }

    /// <summary>
    /// Arguments: NAME FIRST COUNT MIN LARGE SECONDS [FLAGS]. Writes messages FIRST, FIRST+1, ... (COUNT of them; 0:
    /// until killed or the deadline) to the channel, rotating between TryWrite, TryClaim+Commit() and a larger TryClaim
    /// + Commit(length). FIRST "auto" continues after the messages the channel already holds (MessagesWritten).
    /// FLAGS (comma-separated): "go" prints "ready" after opening and waits for a stdin line before taking the writer
    /// role; "block" waits for room with TryWrite(message, timeout) instead of spinning; "hold=N" writes every message
    /// in place and spins Thread.SpinWait(N) between TryClaim and Commit (a producer slow to fill its claim).
    /// Prints "start FIRST" once it holds the writer role, then "done COUNT" (exit 0) or "timeout WRITTEN" (exit 3).
    /// A failure to take the role prints "error TYPE MESSAGE" (exit 4).
    /// </summary>
    private static int Write(string[] args)
    {
        string name = args[0];
        long count = long.Parse(args[2], CultureInfo.InvariantCulture);
        int min = int.Parse(args[3], CultureInfo.InvariantCulture);
        int large = int.Parse(args[4], CultureInfo.InvariantCulture);
        TimeSpan limit = TimeSpan.FromSeconds(double.Parse(args[5], CultureInfo.InvariantCulture));
        string flags = args.Length > 6 ? args[6] : "";
        bool block = flags.Contains("block", StringComparison.Ordinal);
        int hold = Flag(flags, "hold");

        using SharedChannel channel = SharedChannel.OpenExisting(name);
        if (flags.Contains("go", StringComparison.Ordinal))
        {
            Console.WriteLine("ready");
            if (Console.ReadLine() is null)
            {
                return 0;
            }
        }

        SharedChannelWriter writer;
        try
        {
            writer = channel.CreateWriter();
        }
        catch (Exception e) when (e is InvalidOperationException or RegionFormatException)
        {
            Console.WriteLine(Repl.Describe(e));
            return 4;
        }

        using (writer)
        {
            long first = args[1] == "auto" ? channel.MessagesWritten : long.Parse(args[1], CultureInfo.InvariantCulture);
            Console.WriteLine("start " + first.ToString(CultureInfo.InvariantCulture));
            byte[] scratch = new byte[channel.MaxMessageLength];
            long start = Stopwatch.GetTimestamp();
            var spin = default(SpinWait);
            int misses = 0;
            for (long i = 0; count == 0 || i < count;)
            {
                long key = first + i;
                if ((hold > 0 ? TryWriteHolding(writer, key, min, large, hold) : TryWriteOne(writer, key, min, large, scratch))
                    || (block && writer.TryWrite(scratch.AsSpan(0, ChannelMessage.Make(scratch, key, min, large)), TimeSpan.FromSeconds(1))))
                {
                    i++;
                    spin.Reset();
                    continue;
                }

                spin.SpinOnce(sleep1Threshold: -1);
                if ((++misses & 1023) == 0 && Stopwatch.GetElapsedTime(start) > limit)
                {
                    Console.WriteLine("timeout " + i.ToString(CultureInfo.InvariantCulture));
                    return 3;
                }
            }

            Console.WriteLine("done " + count.ToString(CultureInfo.InvariantCulture));
            return 0;
        }
    }

    /// <summary>Writes message <paramref name="key"/> in place, spinning <paramref name="hold"/> iterations between claim and commit.</summary>
    private static bool TryWriteHolding(SharedChannelWriter writer, long key, int min, int large, int hold)
    {
        if (!writer.TryClaim(ChannelMessage.Length(key, min, large), out Span<byte> buffer))
        {
            return false;
        }

        ChannelMessage.Fill(buffer, key);
        Thread.SpinWait(hold);
        writer.Commit();
        return true;
    }

    /// <summary>Writes message <paramref name="key"/> once, through one of the three write paths (chosen by the key).</summary>
    public static bool TryWriteOne(SharedChannelWriter writer, long key, int min, int large, byte[] scratch)
    {
        int length = ChannelMessage.Length(key, min, large);
        Span<byte> buffer;
        switch ((int)((ulong)key % 3))
        {
            case 0:
                ChannelMessage.Fill(scratch.AsSpan(0, length), key);
                return writer.TryWrite(scratch.AsSpan(0, length));
            case 1:
                if (!writer.TryClaim(length, out buffer))
                {
                    return false;
                }

                ChannelMessage.Fill(buffer, key);
                writer.Commit();
                return true;
            default:
                if (!writer.TryClaim(Math.Min(length + 100, writer.Channel.MaxMessageLength), out buffer))
                {
                    return false;
                }

                ChannelMessage.Fill(buffer[..length], key);
                writer.Commit(length);
                return true;
        }
    }

    /// <summary>The value of flag "<paramref name="name"/>=N" in a comma-separated list, or 0.</summary>
    private static int Flag(string flags, string name)
    {
        foreach (string flag in flags.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (flag.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return int.Parse(flag[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>
    /// Arguments: NAME INDEX LAST MIN LARGE SECONDS [FLAGS]. Attaches reader INDEX, prints "ready", and reads
    /// self-describing messages (MIN &gt;= 12) until it has read key LAST, alternating TryRead and TryPeek+Advance
    /// (TryRead only on an overrun channel). Checks each message's bytes and that keys only grow.
    /// FLAGS: "slow=N" spins Thread.SpinWait(N) after each message; "print" prints each key on its own line as soon as
    /// the read call returns it; "detach" detaches (broadcast) at the end.
    /// Prints "done received=R gaps=G gapsum=S bad=B regress=X first=F last=L lost=N" (exit 0) or the same line
    /// starting "timeout" (exit 3). A failure to attach prints "error TYPE MESSAGE" (exit 4).
    /// </summary>
    private static int Read(string[] args)
    {
        string name = args[0];
        int index = int.Parse(args[1], CultureInfo.InvariantCulture);
        long last = long.Parse(args[2], CultureInfo.InvariantCulture);
        int min = int.Parse(args[3], CultureInfo.InvariantCulture);
        int large = int.Parse(args[4], CultureInfo.InvariantCulture);
        TimeSpan limit = TimeSpan.FromSeconds(double.Parse(args[5], CultureInfo.InvariantCulture));
        string flags = args.Length > 6 ? args[6] : "";
        int slow = Flag(flags, "slow");

        bool print = flags.Contains("print", StringComparison.Ordinal);
        using SharedChannel channel = SharedChannel.OpenExisting(name);
        SharedChannelReader reader;
        try
        {
            reader = channel.CreateReader(index);
        }
        catch (Exception e) when (e is InvalidOperationException or RegionFormatException)
        {
            Console.WriteLine(Repl.Describe(e));
            return 4;
        }

        bool peek = channel.Overflow != ChannelOverflow.Overrun;
        Console.WriteLine("ready");
        byte[] buffer = new byte[channel.MaxMessageLength];
        long received = 0, gaps = 0, gapSum = 0, bad = 0, regress = 0, first = -1, previous = -1;
        long start = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        int misses = 0;
        bool finished = false;
        while (!finished)
        {
            long key;
            if (peek && (received & 1) == 1)
            {
                if (!reader.TryPeek(out ReadOnlySpan<byte> message))
                {
                    key = -2;
                }
                else
                {
                    key = ChannelMessage.Identify(message, min, large);
                    reader.Advance();
                }
            }
            else
            {
                key = reader.TryRead(buffer, out int length) ? ChannelMessage.Identify(buffer.AsSpan(0, length), min, large) : -2;
            }

            if (key == -2)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                if ((++misses & 1023) == 0 && Stopwatch.GetElapsedTime(start) > limit)
                {
                    break;
                }

                continue;
            }

            spin.Reset();
            received++;
            if (key < 0)
            {
                bad++;
                continue;
            }

            if (print)
            {
                Console.WriteLine(key.ToString(CultureInfo.InvariantCulture));
            }

            if (first < 0)
            {
                first = key;
            }

            if (key <= previous)
            {
                regress++;
            }
            else if (key != previous + 1)
            {
                gaps++;
                gapSum += key - previous - 1;
            }

            previous = Math.Max(previous, key);
            finished = key >= last;
            if (slow > 0)
            {
                Thread.SpinWait(slow);
            }
        }

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"received={received} gaps={gaps} gapsum={gapSum} bad={bad} regress={regress} first={first} last={previous} lost={reader.LostMessages}");
        if (flags.Contains("detach", StringComparison.Ordinal))
        {
            reader.Detach();
        }
        else
        {
            reader.Dispose();
        }

        Console.WriteLine((finished ? "done " : "timeout ") + summary);
        return finished ? 0 : 3;
    }
}
