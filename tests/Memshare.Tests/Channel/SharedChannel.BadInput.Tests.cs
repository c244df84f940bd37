using System.Buffers.Binary;
using System.Globalization;
using Memshare.Layout;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Memshare.Tests.Channel;

/// <summary>
/// Bad input: a message over the maximum is refused without touching the channel, and a channel whose shared bytes
/// were corrupted either still works or says it is corrupt (RegionFormatException) — in a child process, so that a
/// crash, a hang or a wild read shows as a failed child rather than taking the test host down.
/// </summary>
public sealed class SharedChannelBadInputTests : IDisposable
{
    private const int Min = ChannelMessage.SelfDescribingMin;
    private const int Large = 1500;

    private readonly ShmScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedChannelBadInputTests(ITestOutputHelper output) => _output = output;

    public enum Kind
    {
        SingleProducer,
        MultiProducer,
        BackPressure,
        Overrun,
    }

    /// <summary>
    /// A few hundred random corruptions (fixed seed) of a channel's shared bytes, each followed by a child that opens
    /// the channel, reads, writes, writes again from a second writer, reads again and attaches a fresh reader (see
    /// ChannelRepl.Probe). Every step must work or throw RegionFormatException (or InvalidOperationException where a
    /// corrupt owner word makes a role look taken); the child must reply within 30 s and not crash.
    /// </summary>
    /// <remarks>
    /// Covered, over single-producer, multi-producer, back-pressure and overrun channels that hold wrapped records,
    /// padding and partly read data: the region header (magic, version, kind, sizes, salt, capacity); the channel
    /// configuration (mode, reader count, overflow, maximum message); the writer line (position, message count, latest,
    /// claim, completed); the writer lock word and recovery count; the futex words and waiter counts; every reader
    /// line (position, owner, lost count, attached flag); the 16-byte headers of real records and padding records
    /// (length, sequence, tag); and payload bytes. Mutations: a flipped bit, a random byte, a random 64-bit value,
    /// or a boundary value (0, ±1, ±16, int/long extremes, the capacity, off-by-8 alignment), one to three at a time.
    /// Not covered: reads that stray into memory that happens to be mapped (only a crash shows); and a corrupt value
    /// that the writer or a reader legitimately overwrites before the child looks.
    /// </remarks>
    [Fact]
    public void CorruptedChannel_ProbedInChildProcess_WorksOrThrowsRegionFormatExceptionNeverCrashesOrHangs()
    {
        const int Cases = 400;
        var random = new Random(20250611);
        ChannelPeer peer = ChannelPeer.Start(_scope);
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        int restarts = 0;
        for (int i = 0; i < Targeted.Length + Cases; i++)
        {
            var kind = i < Targeted.Length ? Targeted[i].Kind : (Kind)(i % 4);
            string name = _scope.Name("f" + i.ToString(CultureInfo.InvariantCulture));
            using SharedChannel channel = SharedChannel.CreateOrOpen(name, Options(kind));
            List<long> headers = Fill(channel, random);
            string what;
            using (SharedMemory raw = SharedMemory.OpenExisting(name))
            {
                if (i < Targeted.Length)
                {
                    what = Targeted[i].What;
                    Targeted[i].Corrupt(raw.Span, channel, headers[^1]);
                }
                else
                {
                    what = Corrupt(raw.Span, channel, headers, random);
                }
            }

            string reply;
            try
            {
                reply = peer.Do("probe " + name, TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException e)
            {
                reply = "no reply (crash or hang): " + e.Message;
                peer.Child.Kill();
                peer = ChannelPeer.Start(_scope);
                restarts++;
            }

            if (!reply.StartsWith("ok ", StringComparison.Ordinal))
            {
                failures.Add($"case {i} ({kind}, {what}): {reply}");
            }
            else
            {
                string steps = reply.Split(' ')[1];
                string outcome = steps.Contains('F', StringComparison.Ordinal) ? "format" : steps.Contains('I', StringComparison.Ordinal) ? "role" : "works";
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }

        peer.Exit();
        _output.WriteLine($"{Targeted.Length} targeted and {Cases} random corruptions: {string.Join(", ", outcomes.Select(kv => $"{kv.Value} {kv.Key}"))}; {failures.Count} failed, {restarts} child restarts");
        foreach (string f in failures.Take(20))
        {
            _output.WriteLine(f);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Targeted.Length + Cases} corruptions failed; first: {string.Join(" || ", failures.Take(5))}");
    }

    public void Dispose() => _scope.Dispose();

    /// <summary>
    /// Corruptions that once made a process hang or read past the ring, tried before the random ones: a multi-producer
    /// writer left its per-message lock held after finding a corrupt reader position (every later write, in any
    /// process, spun for ever); an overrun reader chased a claim that stays a ring ahead (TryRead never returned), or
    /// jumped to an unaligned "newest" position at the ring's end (reading past the mapping), or retried a committed
    /// record with an impossible length for ever.
    /// </summary>
    private static readonly (Kind Kind, string What, CorruptAction Corrupt)[] Targeted =
    [
        (Kind.MultiProducer, "reader 0 a ring ahead of the writer", static (r, c, _) =>
            Put(r, ChannelLayout.ReadersOffset, ChannelKit.WriterPosition(c) + c.Capacity)),
        (Kind.SingleProducer, "reader 0 a ring ahead of the writer", static (r, c, _) =>
            Put(r, ChannelLayout.ReadersOffset, ChannelKit.WriterPosition(c) + c.Capacity)),
        (Kind.Overrun, "claim ten rings ahead", static (r, c, _) =>
            Put(r, ChannelLayout.WriterLine + 24, ChannelKit.WriterPosition(c) + (10L * c.Capacity))),
        (Kind.Overrun, "claim ten rings ahead, latest unaligned at the ring's end", static (r, c, _) =>
        {
            Put(r, ChannelLayout.WriterLine + 24, ChannelKit.WriterPosition(c) + (10L * c.Capacity));
            Put(r, ChannelLayout.WriterLine + 16, (3L * c.Capacity) - 8);
        }),
        (Kind.Overrun, "newest record's length beyond the maximum", static (r, c, last) =>
            BinaryPrimitives.WriteInt32LittleEndian(r[(ChannelLayout.DataOffset(c.MaxReaders) + (int)last)..], c.MaxMessageLength + 1)),
        (Kind.SingleProducer, "newest record's length beyond the maximum", static (r, c, last) =>
            BinaryPrimitives.WriteInt32LittleEndian(r[(ChannelLayout.DataOffset(c.MaxReaders) + (int)last)..], c.MaxMessageLength + 1)),
        (Kind.BackPressure, "reader 1 attached at an unaligned position", static (r, c, _) =>
        {
            Put(r, ChannelLayout.ReadersOffset + ChannelLayout.ReaderStride, 8);
            BinaryPrimitives.WriteInt32LittleEndian(r[(ChannelLayout.ReadersOffset + ChannelLayout.ReaderStride + 24)..], 1);
        }),
        (Kind.SingleProducer, "writer role held by a live process (this one)", static (r, c, _) =>
            BinaryPrimitives.WriteUInt64LittleEndian(r[ChannelLayout.WriterLockLine..], Memshare.Sync.OwnerToken.Current)),
    ];

    private delegate void CorruptAction(Span<byte> region, SharedChannel channel, long lastRecord);

    private static void Put(Span<byte> region, int offset, long value) => BinaryPrimitives.WriteInt64LittleEndian(region[offset..], value);

    private static SharedChannelOptions Options(Kind kind) => new()
    {
        Capacity = 4096,
        Mode = kind switch
        {
            Kind.SingleProducer => ChannelMode.SingleProducer,
            Kind.MultiProducer => ChannelMode.MultiProducer,
            _ => ChannelMode.Broadcast,
        },
        MaxReaders = 2,
        Overflow = kind == Kind.Overrun ? ChannelOverflow.Overrun : ChannelOverflow.BackPressure,
    };

    /// <summary>Writes and partly reads some wrapped traffic; returns where record and padding headers start (the newest record last).</summary>
    private static List<long> Fill(SharedChannel channel, Random random)
    {
        var headers = new List<long>();
        byte[] buffer = new byte[channel.MaxMessageLength];
        using SharedChannelReader reader = channel.CreateReader(); // on a broadcast channel, stays attached after Dispose
        using SharedChannelWriter writer = channel.CreateWriter();
        int messages = random.Next(5, 60);
        for (long k = 0; k < messages; k++)
        {
            int length = ChannelMessage.Make(buffer, k, Min, Large);
            long before = ChannelKit.WriterPosition(channel);
            while (!writer.TryWrite(buffer.AsSpan(0, length)))
            {
                Assert.True(reader.TryRead(buffer, out _));
                length = ChannelMessage.Make(buffer, k, Min, Large);
            }

            long after = ChannelKit.WriterPosition(channel);
            long start = after - ChannelLayout.RecordSize(length);
            if (start != before)
            {
                headers.Add(before & channel.Mask); // the padding record
            }

            headers.Add(start & channel.Mask);

            if (random.Next(3) == 0)
            {
                _ = reader.TryRead(buffer, out _);
            }
        }

        return headers;
    }

    /// <summary>Applies one to three random mutations to <paramref name="region"/>; returns what it did.</summary>
    private static string Corrupt(Span<byte> region, SharedChannel channel, List<long> headers, Random random)
    {
        int dataOffset = ChannelLayout.DataOffset(channel.MaxReaders);
        int count = random.Next(4) == 0 ? random.Next(2, 4) : 1;
        var done = new List<string>();
        for (int m = 0; m < count; m++)
        {
            (string area, int start, int length) = random.Next(9) switch
            {
                0 => ("region header", 0, RegionHeader.Size),
                1 => ("config", ChannelLayout.ModeOffset, 16),
                2 or 3 => ("writer line", ChannelLayout.WriterLine, 40),
                4 => ("writer lock", ChannelLayout.WriterLockLine, 16),
                5 => ("wait words", random.Next(2) == 0 ? ChannelLayout.DataWaitLine : ChannelLayout.SpaceWaitLine, 8),
                6 => ("reader line", ChannelLayout.ReadersOffset + (random.Next(channel.MaxReaders) * ChannelLayout.ReaderStride), 32),
                7 => ("record header", dataOffset + (int)headers[random.Next(headers.Count)], ChannelLayout.RecordHeaderSize),
                _ => ("payload", dataOffset, channel.Capacity),
            };

            int offset;
            string how;
            switch (random.Next(4))
            {
                case 0:
                    offset = start + random.Next(length);
                    int bit = random.Next(8);
                    region[offset] ^= (byte)(1 << bit);
                    how = $"bit {bit} of byte";
                    break;
                case 1:
                    offset = start + random.Next(length);
                    region[offset] = (byte)random.Next(256);
                    how = "byte";
                    break;
                case 2:
                    offset = start + (random.Next(length / 8) * 8);
                    BinaryPrimitives.WriteInt64LittleEndian(region[offset..], random.NextInt64(long.MinValue, long.MaxValue));
                    how = "random long";
                    break;
                default:
                    long[] boundary = [0, 1, -1, 8, -8, 16, -16, channel.Capacity, channel.Capacity + 8, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue,
                        BinaryPrimitives.ReadInt64LittleEndian(region[(start + (random.Next(length / 8) * 8))..]) + 8];
                    long value = boundary[random.Next(boundary.Length)];
                    if (random.Next(2) == 0)
                    {
                        offset = start + (random.Next(length / 4) * 4);
                        BinaryPrimitives.WriteInt32LittleEndian(region[offset..], (int)value);
                        how = $"int {(int)value}";
                    }
                    else
                    {
                        offset = start + (random.Next(length / 8) * 8);
                        BinaryPrimitives.WriteInt64LittleEndian(region[offset..], value);
                        how = $"long {value}";
                    }

                    break;
            }

            done.Add($"{how} at {offset} ({area})");
        }

        return string.Join("; ", done);
    }
}
