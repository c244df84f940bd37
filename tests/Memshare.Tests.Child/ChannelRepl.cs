using System.Globalization;
using System.Text;

namespace Memshare.TestChild;

/// <summary>
/// A process that holds one channel, one writer and one reader and acts on them when the test says so, one command
/// per stdin line and one reply line per command. Failures are replies ("error TYPE MESSAGE"), not crashes. Messages
/// are self-describing <see cref="ChannelMessage"/>s of 12..300 bytes.
/// </summary>
/// <remarks>
/// <code>
/// open NAME               opened
/// writer                  writer                   (CreateWriter)
/// reader INDEX            reader                   (CreateReader)
/// write KEY               ok | full                (TryWrite)
/// fill KEY                filled N                 (TryWrite KEY, KEY+1, ... until full)
/// write-wait KEY MS       ok | timeout             (TryWrite with a timeout)
/// read                    msg KEY | empty | bad    (TryRead)
/// peek                    msg KEY | empty | bad    (TryPeek, without Advance)
/// wait-read MS            ready | timedout | completed   (WaitToRead)
/// drain                   drained N first F last L bad B
/// read-all-async MS       done N bad B | cancelled N   (ReadAllAsync until it ends, cancelled after MS)
/// complete                completed
/// lost                    lost N
/// dispose-writer | dispose-reader | detach | close    ok
/// probe NAME              ok STEPS | bad STEP TYPE MESSAGE   (see <see cref="Probe"/>)
/// exit
/// </code>
/// </remarks>
internal static class ChannelRepl
{
    public const int Min = ChannelMessage.SelfDescribingMin;
    public const int Large = 0;

    private static readonly byte[] s_buffer = new byte[1 << 20];
    private static SharedChannel? s_channel;
    private static SharedChannelWriter? s_writer;
    private static SharedChannelReader? s_reader;

    public static int Run()
    {
        Console.WriteLine("ready");
        string? line;
        while ((line = Console.ReadLine()) is not null && line != "exit")
        {
            string reply;
            try
            {
                reply = Execute(line.Split(' '));
            }
            catch (Exception e)
            {
                reply = Repl.Describe(e);
            }

            Console.WriteLine(reply);
        }

        Close();
        return 0;
    }

    private static string Execute(string[] p)
    {
        switch (p[0])
        {
            case "open":
                Close();
                s_channel = SharedChannel.OpenExisting(p[1]);
                return "opened";
            case "writer":
                s_writer = Channel.CreateWriter();
                return "writer";
            case "reader":
                s_reader = Channel.CreateReader(Int(p[1]));
                return "reader";
            case "write":
                return Writer.TryWrite(Message(Long(p[1]))) ? "ok" : "full";
            case "fill":
                long key = Long(p[1]);
                long filled = 0;
                while (Writer.TryWrite(Message(key + filled)))
                {
                    filled++;
                }

                return "filled " + filled.ToString(CultureInfo.InvariantCulture);
            case "write-wait":
                return Writer.TryWrite(Message(Long(p[1])), TimeSpan.FromMilliseconds(Int(p[2]))) ? "ok" : "timeout";
            case "read":
                return Reader.TryRead(s_buffer, out int length) ? Describe(s_buffer.AsSpan(0, length)) : "empty";
            case "peek":
                return Reader.TryPeek(out ReadOnlySpan<byte> message) ? Describe(message) : "empty";
            case "wait-read":
                return Reader.WaitToRead(TimeSpan.FromMilliseconds(Int(p[1]))).ToString().ToLowerInvariant();
            case "drain":
                return Drain(Reader);
            case "read-all-async":
                return ReadAllAsync(Int(p[1])).GetAwaiter().GetResult();
            case "complete":
                Writer.Complete();
                return "completed";
            case "lost":
                return "lost " + Reader.LostMessages.ToString(CultureInfo.InvariantCulture);
            case "dispose-writer":
                s_writer?.Dispose();
                s_writer = null;
                return "ok";
            case "dispose-reader":
                s_reader?.Dispose();
                s_reader = null;
                return "ok";
            case "detach":
                Reader.Detach();
                s_reader = null;
                return "ok";
            case "close":
                Close();
                return "ok";
            case "probe":
                return Probe(p[1]);
            default:
                return "error unknown command " + p[0];
        }
    }

    private static SharedChannel Channel => s_channel ?? throw new InvalidOperationException("no channel open");

    private static SharedChannelWriter Writer => s_writer ?? throw new InvalidOperationException("no writer");

    private static SharedChannelReader Reader => s_reader ?? throw new InvalidOperationException("no reader");

    private static ReadOnlySpan<byte> Message(long key) => s_buffer.AsSpan(0, ChannelMessage.Make(s_buffer, key, Min, Large));

    private static string Describe(ReadOnlySpan<byte> message)
    {
        long key = ChannelMessage.Identify(message, Min, Large);
        return key < 0 ? "bad" : "msg " + key.ToString(CultureInfo.InvariantCulture);
    }

    private static string Drain(SharedChannelReader reader)
    {
        long n = 0, first = -1, last = -1, bad = 0;
        while (reader.TryRead(s_buffer, out int length))
        {
            long key = ChannelMessage.Identify(s_buffer.AsSpan(0, length), Min, Large);
            n++;
            if (key < 0)
            {
                bad++;
                continue;
            }

            first = first < 0 ? key : first;
            last = key;
        }

        return string.Create(CultureInfo.InvariantCulture, $"drained {n} first {first} last {last} bad {bad}");
    }

    private static async Task<string> ReadAllAsync(int ms)
    {
        using var cts = new CancellationTokenSource(ms);
        long n = 0, bad = 0;
        try
        {
            await foreach (byte[] message in Reader.ReadAllAsync(cts.Token))
            {
                n++;
                bad += ChannelMessage.Identify(message, Min, Large) < 0 ? 1 : 0;
            }
        }
        catch (OperationCanceledException)
        {
            return "cancelled " + n.ToString(CultureInfo.InvariantCulture);
        }

        return string.Create(CultureInfo.InvariantCulture, $"done {n} bad {bad}");
    }

    /// <summary>
    /// Uses a channel that the test corrupted, every way a process would: open it; attach reader 0 and read what it
    /// can; take the writer role and write; write again (and, on a multi-producer channel, from a second writer: a lock
    /// left held by a failed write would hang here); read again; on a broadcast channel attach a fresh reader 1.
    /// Each step either works ('+'), throws RegionFormatException ('F') or InvalidOperationException ('I', a role
    /// that looks taken); anything else is a failure, reported as "bad STEP TYPE MESSAGE". A crash shows as a missing
    /// reply, a hang as a late one. Every handle is closed before the reply.
    /// </summary>
    private static string Probe(string name)
    {
        var steps = new StringBuilder("ok ");
        var handles = new List<IDisposable>();
        string? failure = null;
        try
        {
            SharedChannel? channel = null;
            SharedChannelReader? reader = null;
            SharedChannelWriter? writer = null;
            byte[] message = new byte[ChannelMessage.MaxLength];
            long read = 0, written = 0;

            bool Step(string step, Action action)
            {
                if (failure is not null)
                {
                    return false;
                }

                try
                {
                    action();
                    steps.Append('+');
                    return true;
                }
                catch (RegionFormatException)
                {
                    steps.Append('F');
                }
                catch (InvalidOperationException e) when (e is not ObjectDisposedException)
                {
                    steps.Append('I');
                }
                catch (Exception e)
                {
                    failure = $"bad {step} {Repl.Describe(e)}";
                }

                return false;
            }

            void DrainSome(SharedChannelReader r)
            {
                for (int i = 0; i < 10_000 && r.TryRead(s_buffer, out _); i++)
                {
                    read++;
                }

                _ = r.WaitToRead(TimeSpan.FromMilliseconds(1));
            }

            void WriteSome(SharedChannelWriter w, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    long key = 900_000 + written;
                    int length = Math.Min(ChannelMessage.Length(key, Min, Large), w.Channel.MaxMessageLength);
                    ChannelMessage.Fill(message.AsSpan(0, length), key);
                    if (!w.TryWrite(message.AsSpan(0, length)))
                    {
                        return;
                    }

                    written++;
                }
            }

            if (!Step("open", () => handles.Add(channel = SharedChannel.OpenExisting(name))) || channel is null)
            {
                return failure ?? steps.ToString();
            }

            if (Step("reader", () => handles.Add(reader = channel.CreateReader(0))) && reader is not null)
            {
                _ = Step("read", () => DrainSome(reader));
            }

            if (Step("writer", () => handles.Add(writer = channel.CreateWriter())) && writer is not null)
            {
                _ = Step("write", () => WriteSome(writer, 20));
                _ = Step("write-again", () => WriteSome(writer, 3));
                if (channel.Mode == ChannelMode.MultiProducer)
                {
                    _ = Step("second-writer", () =>
                    {
                        SharedChannelWriter second = channel.CreateWriter();
                        handles.Add(second);
                        WriteSome(second, 3);
                    });
                }
            }

            if (reader is not null)
            {
                _ = Step("read-again", () => DrainSome(reader));
            }

            if (channel.Mode == ChannelMode.Broadcast)
            {
                _ = Step("fresh-reader", () =>
                {
                    SharedChannelReader fresh = channel.CreateReader(1);
                    handles.Add(fresh);
                    DrainSome(fresh);
                });
            }

            steps.Append(CultureInfo.InvariantCulture, $" read={read} written={written}");
        }
        finally
        {
            for (int i = handles.Count - 1; i >= 0; i--)
            {
                try
                {
                    handles[i].Dispose();
                }
                catch (Exception e)
                {
                    failure ??= "bad dispose " + Repl.Describe(e);
                }
            }
        }

        return failure ?? steps.ToString();
    }

    private static void Close()
    {
        s_writer?.Dispose();
        s_reader?.Dispose();
        s_channel?.Dispose();
        s_writer = null;
        s_reader = null;
        s_channel = null;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static long Long(string s) => long.Parse(s, CultureInfo.InvariantCulture);
}
